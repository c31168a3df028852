"""Decisive facts of the curated Notify spec (specs/notify.yaml)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter

from tests.specs._responses import resource_module, response_schemas

SPEC_PATH = Path(__file__).parents[2] / "specs" / "notify.yaml"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    return {
        op["operationId"]: (method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["components"]["schemas"][name]


def param(op: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op.get("parameters", []) if p["name"] == name)


def page_example(op: dict[str, Any]) -> dict[str, Any]:
    example: dict[str, Any] = op["responses"]["200"]["content"]["application/hal+json"]["example"]
    return example


def all_curation(node: Any) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    if isinstance(node, dict):
        found.extend(node.get("x-curation", []))
        for value in node.values():
            found.extend(all_curation(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(all_curation(value))
    return found


def test_openapi_version_server_and_bearer_security(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"][0]["url"] == "https://api.notify.cm/v2"
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {"bearerAuth": schemes["bearerAuth"]}
    assert schemes["bearerAuth"]["type"] == "http"
    assert schemes["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    # the Authorization header is the security scheme, never an operation parameter
    for _, _, op in operations(spec).values():
        assert all(p["name"].lower() != "authorization" for p in op.get("parameters", []))


def test_every_endpoint_with_resolved_paths_and_methods(spec: dict[str, Any]) -> None:
    got = {op_id: (method, path) for op_id, (method, path, _) in operations(spec).items()}
    assert got == {
        "listCustomers": ("get", "/customers"),
        "createCustomer": ("post", "/customers"),
        "searchCustomer": ("get", "/customers/search"),
        "getCustomer": ("get", "/customers/{customer_id}"),
        "updateCustomer": ("patch", "/customers/{customer_id}"),
        "deleteCustomer": ("delete", "/customers/{customer_id}"),
        "listInvoices": ("get", "/invoices"),
        "createInvoice": ("post", "/invoices"),
        "getInvoice": ("get", "/invoices/{invoice_id}"),
        "updateInvoice": ("patch", "/invoices/{invoice_id}"),
        "deleteInvoice": ("delete", "/invoices/{invoice_id}"),
        # heading said POST /documents/{invoice_id}; the sample and tables put invoice in the body
        "createDocument": ("post", "/documents"),
        "deleteDocument": ("delete", "/documents/{document_id}"),
        "listPayments": ("get", "/payments"),
        "createPayment": ("post", "/payments"),
    }


def test_tags_summaries_and_first_tag_is_resource(spec: dict[str, Any]) -> None:
    expected = {
        "/customers": "Customers",
        "/invoices": "Invoices",
        "/documents": "Documents",
        "/payments": "Payments",
    }
    for _, path, op in operations(spec).values():
        assert op["summary"]
        prefix = "/" + path.split("/")[1]
        assert op["tags"][0] == expected[prefix]


@pytest.mark.parametrize(
    ("op_id", "items"),
    [("listCustomers", "customers"), ("listInvoices", "invoices"), ("listPayments", "payments")],
)
def test_cursor_pagination_on_list_operations(spec: dict[str, Any], op_id: str, items: str) -> None:
    _, _, op = operations(spec)[op_id]
    assert op["x-pagination"] == {
        "style": "cursor",
        "items": items,
        "cursor_param": "from",
        "limit_param": "limit",
        "max_limit": 250,
        "next_url": "links.next.href",
    }
    limit = param(op, "limit")
    assert limit["in"] == "query"
    assert limit["schema"]["type"] == "integer"
    assert limit["schema"]["maximum"] == 250
    # From was typed "number" on List invoices; cursors are uuid strings
    assert param(op, "from")["schema"]["type"] == "string"


def test_dmy_date_and_amount_wire_formats(spec: dict[str, Any]) -> None:
    date = schema(spec, "DmyDate")
    assert date["type"] == "string"
    assert date["x-wire-format"] == "date-dmy"
    assert date["pattern"] == r"^\d{2}-\d{2}-\d{4}$"
    assert "format" not in date
    amount = schema(spec, "Amount")
    assert amount["type"] == "string"
    assert amount["x-wire-format"] == "decimal-2dp"
    assert amount["pattern"] == r"^-?\d+\.\d{2}$"
    assert re.match(amount["pattern"], "480.00") and not re.match(amount["pattern"], "480.5")
    invoice = schema(spec, "InvoiceCreate")["properties"]
    assert invoice["invoiceDate"]["$ref"] == "#/components/schemas/DmyDate"
    # the table said "number"; the wire sends "1100.00" strings
    assert invoice["invoiceTotal"]["$ref"] == "#/components/schemas/Amount"
    payment = schema(spec, "PaymentCreate")["properties"]
    assert payment["date"]["$ref"] == "#/components/schemas/DmyDate"
    assert payment["amount"]["$ref"] == "#/components/schemas/Amount"


def test_enums(spec: dict[str, Any]) -> None:
    assert schema(spec, "InvoiceStatus")["enum"] == ["concept", "open", "paid", "cancelled"]
    assert schema(spec, "InvoiceStatusResponse")["enum"] == [
        "concept",
        "open",
        "paid",
        "cancelled",
        "canceled",
    ]
    assert schema(spec, "PaymentMethod")["enum"] == [
        "banktransfer",
        "ideal",
        "bancontact",
        "sepa",
        "creditcard",
    ]
    assert schema(spec, "PaymentCreate")["properties"]["method"]["default"] == "banktransfer"
    assert set(schema(spec, "Language")["enum"]) == {
        "english",
        "dutch",
        "french",
        "german",
        "italian",
        "polish",
        "spanish",
    }
    country = schema(spec, "CountryCode")
    assert country["minLength"] == country["maxLength"] == 2
    assert len(country["enum"]) == 249
    # YAML must not have turned Norway into a boolean
    assert all(isinstance(code, str) and len(code) == 2 for code in country["enum"])
    assert {"NL", "NO", "NA", "BE", "DE", "AX"} <= set(country["enum"])


def test_document_upload_is_json_base64(spec: dict[str, Any]) -> None:
    _, _, op = operations(spec)["createDocument"]
    body = op["requestBody"]["content"]
    assert list(body) == ["application/json"]
    assert body["application/json"]["schema"]["$ref"] == "#/components/schemas/DocumentCreate"
    doc = schema(spec, "DocumentCreate")
    assert set(doc["required"]) == {"invoice", "filename", "mediatype", "content"}
    assert doc["properties"]["content"]["contentEncoding"] == "base64"
    assert doc["properties"]["content"]["maxLength"] == 5242880
    assert doc["properties"]["mediatype"]["enum"] == ["application/pdf"]
    assert body["application/json"]["example"]["content"]  # the sample's empty content was repaired
    assert "201" in op["responses"]


def test_search_customer_moves_get_body_to_query(spec: dict[str, Any]) -> None:
    _, _, op = operations(spec)["searchCustomer"]
    assert "requestBody" not in op
    customer = param(op, "customer")
    assert customer["in"] == "query" and customer["required"] is True


def test_create_customer_overwrite_query_and_wire_names(spec: dict[str, Any]) -> None:
    _, _, op = operations(spec)["createCustomer"]
    overwrite = param(op, "overwrite")
    assert overwrite["in"] == "query"
    assert overwrite["schema"] == {"type": "boolean", "default": False}
    create = schema(spec, "CustomerCreate")
    assert "customerCode" in create["required"]
    assert "number" not in create["properties"]  # curl's "number=" resolved to customerCode
    assert op["requestBody"]["content"]["application/json"]["example"]["customerCode"] == "10001"
    # responses nest the address, requests keep it flat
    assert (
        schema(spec, "Customer")["properties"]["address"]["$ref"]
        == "#/components/schemas/CustomerAddress"
    )
    assert create["properties"]["postalcode"]["maxLength"] == 10


def test_status_codes_resolved(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    # 200 in one place, 201 in the other: creates answer 201
    for op_id in ("createCustomer", "createInvoice", "createDocument", "createPayment"):
        responses = ops[op_id][2]["responses"]
        assert "201" in responses and "200" not in responses
    assert set(ops["deleteCustomer"][2]["responses"]) == {"204", "400", "401", "404"}
    assert set(ops["updateInvoice"][2]["responses"]) == {"200", "400", "401", "404"}
    assert "422" in ops["createInvoice"][2]["responses"]
    for _, _, op in ops.values():
        assert op["responses"]["401"] == {"$ref": "#/components/responses/Unauthorized"}


def test_error_schema_and_repaired_error_examples(spec: dict[str, Any]) -> None:
    error = schema(spec, "Error")
    assert "required" not in error  # no table describes the error body
    assert {"status", "title", "detail", "details", "field"} == set(error["properties"])
    assert error["properties"]["status"] == {**error["properties"]["status"], "type": "integer"}
    assert "enum" not in error["properties"]["status"]  # the printed 405 under a 400 parses
    unauthorized = spec["components"]["responses"]["Unauthorized"]["content"]["application/json"]
    assert "detail" in unauthorized["example"] and "details" not in unauthorized["example"]
    ops = operations(spec)
    bad = ops["createCustomer"][2]["responses"]["400"]["content"]["application/json"]["example"]
    assert bad["status"] == 400  # the sample said 405


def test_list_examples_repaired(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    invoices = page_example(ops["listInvoices"][2])
    # the sample said "customer"
    assert all(item["resource"] == "invoice" for item in invoices["invoices"])
    assert invoices["count"] == len(invoices["invoices"])
    payments = page_example(ops["listPayments"][2])
    assert all(item and item["resource"] == "payment" for item in payments["payments"])
    customers = page_example(ops["listCustomers"][2])
    for item in customers["customers"]:
        assert "@" in item["email"] and "[email" not in item["email"]


def test_requests_send_one_status_spelling_responses_admit_both(spec: dict[str, Any]) -> None:
    ops = operations(spec)
    status_param = param(ops["listInvoices"][2], "invoiceStatus")
    assert status_param["schema"] == {"$ref": "#/components/schemas/InvoiceStatus"}
    for name in ("InvoiceCreate", "InvoiceUpdate"):
        prop = schema(spec, name)["properties"]["invoiceStatus"]
        assert prop == {"$ref": "#/components/schemas/InvoiceStatus"}
    invoice = schema(spec, "Invoice")["properties"]
    assert invoice["status"] == {"$ref": "#/components/schemas/InvoiceStatusResponse"}
    assert "canceled" not in schema(spec, "InvoiceStatus")["enum"]


def test_response_resource_values_include_the_printed_ones(spec: dict[str, Any]) -> None:
    invoice = schema(spec, "Invoice")["properties"]["resource"]
    assert set(invoice["enum"]) == {"invoice", "customer"} and invoice["x-curation"]
    payment = schema(spec, "PaymentListItem")["properties"]["resource"]
    assert set(payment["enum"]) == {"payment", "payments"} and payment["x-curation"]


def test_response_schemas_require_nothing_and_carry_no_default(spec: dict[str, Any]) -> None:
    reached = response_schemas(spec)
    names = {ptr.rsplit("/", 1)[1] for ptr in reached if ptr.startswith("#/components/schemas/")}
    assert {"Customer", "Invoice", "PaymentListItem", "PageLinks", "Link", "Error"} <= names
    assert not {ptr for ptr, node in reached.items() if "required" in node}
    assert not {ptr for ptr, node in reached.items() if "default" in node}
    # requests keep what they require
    assert schema(spec, "InvoiceCreate")["required"] == [
        "customer",
        "invoiceNumber",
        "invoiceDate",
        "invoiceDuedate",
        "invoiceTotal",
    ]
    assert schema(spec, "CustomerCreate")["required"] == ["customerCode", "name"]


def test_page_links_are_optional_and_nullable(spec: dict[str, Any]) -> None:
    links = schema(spec, "PageLinks")
    assert "required" not in links and links["x-curation"]
    for name in ("previous", "next"):
        assert {"type": "null"} in links["properties"][name]["anyOf"]


def test_every_body_has_an_example(spec: dict[str, Any]) -> None:
    responses = spec["components"]["responses"]
    for _, _, op in operations(spec).values():
        if "requestBody" in op:
            for media in op["requestBody"]["content"].values():
                assert "example" in media
        for resp in op["responses"].values():
            if "$ref" in resp:
                resp = responses[resp["$ref"].rsplit("/", 1)[1]]
            for media in resp.get("content", {}).values():
                assert "example" in media


def test_curation_is_recorded(spec: dict[str, Any]) -> None:
    entries = all_curation(spec)
    assert len(entries) >= 30
    assert all(set(e) == {"issue", "decision"} and e["issue"] and e["decision"] for e in entries)
    _, _, doc_op = operations(spec)["createDocument"]
    assert any("{invoice_id}" in e["issue"] for e in doc_op["x-curation"])
    assert any("canceled" in e["issue"] for e in schema(spec, "InvoiceStatus")["x-curation"])


def test_generated_client_reads_both_status_spellings_and_error_names() -> None:
    module, op = resource_module("notify", "getInvoice")
    response = getattr(module, f"_response_{op.py_name}")()
    for status in ("canceled", "cancelled"):
        invoice = TypeAdapter(response.success).validate_json(json.dumps({"resource": "invoice", "status": status}))
        assert invoice.status == status and invoice.invoice_number is None
    error = TypeAdapter(response.error_models()[401]).validate_json('{"status": 401, "details": "Missing authentication"}')
    assert (error.details, error.detail) == ("Missing authentication", None)
