"""A small but complete spec the review tests mutate: two paths, four operations, refs, a
recursive schema, an array of objects, enums, security and servers."""

from __future__ import annotations

import copy
from typing import Any

_BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Invoices", "version": "1.0"},
    "servers": [{"url": "https://api.example.com"}],
    "security": [{"bearer": []}],
    "tags": [{"name": "Invoices"}],
    "paths": {
        "/invoices": {
            "get": {
                "operationId": "listInvoices",
                "tags": ["Invoices"],
                "summary": "List invoices",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["draft", "sent"]},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The invoices",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Invoice"},
                                }
                            }
                        },
                    }
                },
            },
            "post": {
                "operationId": "createInvoice",
                "tags": ["Invoices"],
                "summary": "Create an invoice",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewInvoice"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Invoice"}}
                        },
                    },
                    "400": {"description": "Invalid"},
                },
            },
        },
        "/invoices/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "getInvoice",
                "tags": ["Invoices"],
                "summary": "Get an invoice",
                "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
                "responses": {
                    "200": {
                        "description": "The invoice",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Invoice"}}
                        },
                    },
                    "404": {"description": "Not found"},
                },
            },
            "delete": {
                "operationId": "deleteInvoice",
                "tags": ["Invoices"],
                "summary": "Delete an invoice",
                "deprecated": True,
                "responses": {"204": {"description": "Deleted"}},
            },
        },
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Invoice": {
                "type": "object",
                "required": ["id", "amount"],
                "properties": {
                    "id": {"type": "string"},
                    "amount": {"type": "number"},
                    "status": {"type": "string", "enum": ["draft", "sent"]},
                    "note": {"type": "string"},
                    "lines": {"type": "array", "items": {"$ref": "#/components/schemas/Line"}},
                },
            },
            "Line": {
                "type": "object",
                "required": ["amount"],
                "properties": {"amount": {"type": "number"}, "description": {"type": "string"}},
            },
            "NewInvoice": {
                "type": "object",
                "required": ["amount"],
                "properties": {
                    "amount": {"type": "number"},
                    "currency": {"type": "string", "enum": ["EUR", "USD"]},
                    "note": {"type": "string"},
                    "customer": {"$ref": "#/components/schemas/Customer"},
                },
            },
            "Customer": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "parent": {"$ref": "#/components/schemas/Customer"},
                },
            },
            "Unused": {"type": "string"},
        },
    },
}


def base_spec() -> dict[str, Any]:
    return copy.deepcopy(_BASE)


def schemas(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["components"]["schemas"]
    return result


def op(doc: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    result: dict[str, Any] = doc["paths"][path][method]
    return result


def param(doc: dict[str, Any], method: str, path: str, name: str) -> dict[str, Any]:
    for p in op(doc, method, path).get("parameters", []) + doc["paths"][path].get("parameters", []):
        if p["name"] == name:
            result: dict[str, Any] = p
            return result
    raise KeyError(name)
