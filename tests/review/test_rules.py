"""The rule catalogue: one before/after pair per rule, each asserting rule id, level and where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from generator.review.diff import diff_documents
from generator.review.rules import RULES, Level
from generator.review.run import ReviewResult, Unavailable, review_texts
from tests.review.specs import base_spec, op, param, schemas

Doc = dict[str, Any]
B, W, I = Level.BREAKING, Level.WARNING, Level.INFO
LIST, CREATE, GET, DELETE = (
    ("get", "/invoices"),
    ("post", "/invoices"),
    ("get", "/invoices/{id}"),
    ("delete", "/invoices/{id}"),
)
NEW_JSON = "request body application/json"


@dataclass(frozen=True)
class Case:
    rule: str
    level: Level
    where: str  # the change's full location ("METHOD /path detail" or a pointer)
    after: Callable[[Doc], None]
    before: Callable[[Doc], None] = lambda d: None  # applied to the base side only


def _set(target: Callable[[Doc], dict[str, Any]], **values: Any) -> Callable[[Doc], None]:
    return lambda d: target(d).update(values)


def _drop(target: Callable[[Doc], dict[str, Any]], key: str) -> Callable[[Doc], None]:
    return lambda d: target(d).pop(key)


def _seq(*steps: Callable[[Doc], None]) -> Callable[[Doc], None]:
    def run(d: Doc) -> None:
        for step in steps:
            step(d)

    return run


def _prop(schema: str, name: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: schemas(d)[schema]["properties"][name]


def _schema(name: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: schemas(d)[name]


def _op(m: tuple[str, str]) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: op(d, *m)


def _param(m: tuple[str, str], name: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: param(d, *m, name)


def _pschema(m: tuple[str, str], name: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: param(d, *m, name)["schema"]


def _add_param(m: tuple[str, str], **p: Any) -> Callable[[Doc], None]:
    return lambda d: op(d, *m).setdefault("parameters", []).append(p)


def _body(m: tuple[str, str]) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: op(d, *m)["requestBody"]


def _responses(m: tuple[str, str]) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: op(d, *m)["responses"]


def _content(m: tuple[str, str], code: str) -> Callable[[Doc], dict[str, Any]]:
    return lambda d: op(d, *m)["responses"][code]["content"]


def _rename_op(m: tuple[str, str], new_path: str) -> Callable[[Doc], None]:
    def run(d: Doc) -> None:
        d["paths"].setdefault(new_path, {})[m[0]] = d["paths"][m[1]].pop(m[0])

    return run


def _required(schema: str, *names: str) -> Callable[[Doc], None]:
    return lambda d: schemas(d)[schema].__setitem__("required", list(names))


def _root(**values: Any) -> Callable[[Doc], None]:
    return lambda d: d.update(values)


JSON_FORM = {
    "application/x-www-form-urlencoded": {"schema": {"$ref": "#/components/schemas/NewInvoice"}}
}

CASES = [
    # operations
    Case(
        "endpoint-added",
        I,
        "GET /customers",
        lambda d: d["paths"].__setitem__("/customers", {"get": op(d, *LIST)}),
    ),
    Case(
        "api-removed-without-deprecation",
        B,
        "POST /invoices",
        lambda d: d["paths"]["/invoices"].pop("post"),
    ),
    Case(
        "api-removed-with-deprecation",
        I,
        "DELETE /invoices/{id}",
        lambda d: d["paths"]["/invoices/{id}"].pop("delete"),
    ),
    Case(
        "api-path-removed-without-deprecation",
        B,
        "GET /invoices",
        lambda d: d["paths"].pop("/invoices"),
    ),
    Case(
        "api-path-removed-with-deprecation",
        I,
        "GET /invoices/{id}",
        lambda d: d["paths"].pop("/invoices/{id}"),
        before=_set(_op(GET), deprecated=True),
    ),
    Case("endpoint-deprecated", I, "GET /invoices", _set(_op(LIST), deprecated=True)),
    Case(
        "endpoint-reactivated",
        I,
        "DELETE /invoices/{id}",
        _drop(_op(DELETE), "deprecated"),
    ),
    Case(
        "api-operation-id-changed",
        B,
        "GET /invoices operationId",
        _set(_op(LIST), operationId="findInvoices"),
    ),
    Case(
        "api-resource-changed",
        B,
        "GET /invoices tags",
        _set(_op(LIST), tags=["Billing"]),
    ),
    # parameters
    Case(
        "new-required-request-parameter",
        B,
        "GET /invoices query parameter since",
        _add_param(
            LIST,
            name="since",
            **{"in": "query"},
            required=True,
            schema={"type": "string"},
        ),
    ),
    Case(
        "new-optional-request-parameter",
        I,
        "GET /invoices query parameter since",
        _add_param(LIST, name="since", **{"in": "query"}, schema={"type": "string"}),
    ),
    Case(
        "new-request-path-parameter",
        B,
        "GET /invoices/{id} path parameter version",
        _add_param(
            GET,
            name="version",
            **{"in": "path"},
            required=True,
            schema={"type": "string"},
        ),
    ),
    Case(
        "request-parameter-removed",
        W,
        "GET /invoices query parameter limit",
        lambda d: op(d, *LIST).__setitem__("parameters", op(d, *LIST)["parameters"][1:]),
    ),
    Case(
        "request-parameter-became-required",
        B,
        "GET /invoices query parameter limit",
        _set(_param(LIST, "limit"), required=True),
    ),
    Case(
        "request-parameter-became-optional",
        I,
        "GET /invoices query parameter limit",
        lambda d: None,
        before=_set(_param(LIST, "limit"), required=True),
    ),
    Case(
        "request-parameter-type-changed",
        B,
        "GET /invoices query parameter limit",
        _set(_pschema(LIST, "limit"), type="string"),
    ),
    Case(
        "request-parameter-became-enum",
        B,
        "GET /invoices/{id} header parameter x-trace",
        _set(_pschema(GET, "X-Trace"), enum=["a"]),
    ),
    Case(
        "request-parameter-enum-value-removed",
        B,
        "GET /invoices query parameter status",
        _set(_pschema(LIST, "status"), enum=["draft"]),
    ),
    Case(
        "request-parameter-enum-value-added",
        I,
        "GET /invoices query parameter status",
        _set(_pschema(LIST, "status"), enum=["draft", "sent", "paid"]),
    ),
    Case(
        "request-parameter-became-nullable",
        I,
        "GET /invoices query parameter limit",
        _set(_pschema(LIST, "limit"), type=["integer", "null"]),
    ),
    Case(
        "request-parameter-became-not-nullable",
        B,
        "GET /invoices query parameter limit",
        lambda d: None,
        before=_set(_pschema(LIST, "limit"), type=["integer", "null"]),
    ),
    Case(
        "request-parameter-default-value-changed",
        B,
        "GET /invoices query parameter limit",
        _set(_pschema(LIST, "limit"), default=20),
        before=_set(_pschema(LIST, "limit"), default=10),
    ),
    Case(
        "request-parameter-location-changed",
        B,
        "GET /invoices/{id} query parameter x-trace",
        lambda d: param(d, *GET, "X-Trace").update({"in": "query", "name": "x-trace"}),
    ),
    Case(
        "request-parameter-max-length-decreased",
        B,
        "GET /invoices/{id} header parameter x-trace",
        _set(_pschema(GET, "X-Trace"), maxLength=8),
        before=_set(_pschema(GET, "X-Trace"), maxLength=64),
    ),
    Case(
        "request-parameter-pattern-added",
        B,
        "GET /invoices/{id} header parameter x-trace",
        _set(_pschema(GET, "X-Trace"), pattern="^[a-f0-9]+$"),
    ),
    Case(
        "request-parameter-pattern-changed",
        W,
        "GET /invoices/{id} header parameter x-trace",
        _set(_pschema(GET, "X-Trace"), pattern="^[a-z]+$"),
        before=_set(_pschema(GET, "X-Trace"), pattern="^[a-f]+$"),
    ),
    # request body
    Case(
        "request-body-added-required",
        B,
        "GET /invoices/{id} request body",
        _set(
            _op(GET),
            requestBody={
                "required": True,
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
        ),
    ),
    Case(
        "request-body-added-optional",
        I,
        "GET /invoices/{id} request body",
        _set(
            _op(GET),
            requestBody={"content": {"application/json": {"schema": {"type": "object"}}}},
        ),
    ),
    Case(
        "request-body-removed",
        B,
        "POST /invoices request body",
        _drop(_op(CREATE), "requestBody"),
    ),
    Case(
        "request-body-became-optional",
        I,
        "POST /invoices request body",
        _set(_body(CREATE), required=False),
    ),
    Case(
        "request-body-became-required",
        B,
        "POST /invoices request body",
        lambda d: None,
        before=_set(_body(CREATE), required=False),
    ),
    Case(
        "request-body-media-type-added",
        I,
        "POST /invoices request body application/x-www-form-urlencoded",
        lambda d: op(d, *CREATE)["requestBody"]["content"].update(JSON_FORM),
    ),
    Case(
        "request-body-media-type-removed",
        B,
        "POST /invoices request body application/x-www-form-urlencoded",
        lambda d: None,
        before=lambda d: op(d, *CREATE)["requestBody"]["content"].update(JSON_FORM),
    ),
    Case(
        "request-body-type-changed",
        B,
        f"POST /invoices {NEW_JSON}",
        lambda d: op(d, *CREATE)["requestBody"]["content"]["application/json"].__setitem__(
            "schema",
            {"type": "array", "items": {"$ref": "#/components/schemas/NewInvoice"}},
        ),
    ),
    Case(
        "request-body-became-nullable",
        I,
        f"POST /invoices {NEW_JSON}",
        _set(_schema("NewInvoice"), type=["object", "null"]),
    ),
    Case(
        "request-body-became-not-nullable",
        B,
        f"POST /invoices {NEW_JSON}",
        lambda d: None,
        before=_set(_schema("NewInvoice"), type=["object", "null"]),
    ),
    # request properties
    Case(
        "new-required-request-property",
        B,
        f"POST /invoices {NEW_JSON}#/due_date",
        _seq(
            lambda d: schemas(d)["NewInvoice"]["properties"].__setitem__(
                "due_date", {"type": "string"}
            ),
            _required("NewInvoice", "amount", "due_date"),
        ),
    ),
    Case(
        "new-optional-request-property",
        I,
        f"POST /invoices {NEW_JSON}#/due_date",
        lambda d: schemas(d)["NewInvoice"]["properties"].__setitem__(
            "due_date", {"type": "string"}
        ),
    ),
    Case(
        "request-property-removed",
        W,
        f"POST /invoices {NEW_JSON}#/note",
        lambda d: schemas(d)["NewInvoice"]["properties"].pop("note"),
    ),
    Case(
        "request-property-became-required",
        B,
        f"POST /invoices {NEW_JSON}#/note",
        _required("NewInvoice", "amount", "note"),
    ),
    Case(
        "request-property-became-optional",
        I,
        f"POST /invoices {NEW_JSON}#/amount",
        _required("NewInvoice"),
    ),
    Case(
        "request-property-type-changed",
        B,
        f"POST /invoices {NEW_JSON}#/amount",
        _set(_prop("NewInvoice", "amount"), type="string"),
    ),
    Case(
        "request-property-became-nullable",
        I,
        f"POST /invoices {NEW_JSON}#/note",
        _set(_prop("NewInvoice", "note"), type=["string", "null"]),
    ),
    Case(
        "request-property-became-not-nullable",
        B,
        f"POST /invoices {NEW_JSON}#/note",
        lambda d: None,
        before=_set(_prop("NewInvoice", "note"), type=["string", "null"]),
    ),
    Case(
        "request-property-became-enum",
        B,
        f"POST /invoices {NEW_JSON}#/note",
        _set(_prop("NewInvoice", "note"), enum=["a", "b"]),
    ),
    Case(
        "request-property-enum-value-removed",
        B,
        f"POST /invoices {NEW_JSON}#/currency",
        _set(_prop("NewInvoice", "currency"), enum=["EUR"]),
    ),
    Case(
        "request-property-enum-value-added",
        I,
        f"POST /invoices {NEW_JSON}#/currency",
        _set(_prop("NewInvoice", "currency"), enum=["EUR", "USD", "GBP"]),
    ),
    Case(
        "request-property-max-length-decreased",
        B,
        f"POST /invoices {NEW_JSON}#/note",
        _set(_prop("NewInvoice", "note"), maxLength=10),
        before=_set(_prop("NewInvoice", "note"), maxLength=100),
    ),
    Case(
        "request-property-pattern-added",
        B,
        f"POST /invoices {NEW_JSON}#/note",
        _set(_prop("NewInvoice", "note"), pattern="^[A-Z]"),
    ),
    Case(
        "request-property-pattern-changed",
        W,
        f"POST /invoices {NEW_JSON}#/note",
        _set(_prop("NewInvoice", "note"), pattern="^[A-Z]"),
        before=_set(_prop("NewInvoice", "note"), pattern="^[a-z]"),
    ),
    # responses
    Case(
        "response-success-status-removed",
        B,
        "POST /invoices response 201",
        lambda d: _responses(CREATE)(d).__setitem__("200", _responses(CREATE)(d).pop("201")),
    ),
    Case(
        "response-success-status-added",
        I,
        "POST /invoices response 202",
        lambda d: _responses(CREATE)(d).__setitem__("202", {"description": "Queued"}),
    ),
    Case(
        "response-non-success-status-removed",
        I,
        "GET /invoices/{id} response 404",
        lambda d: _responses(GET)(d).pop("404"),
    ),
    Case(
        "response-non-success-status-added",
        I,
        "GET /invoices/{id} response 429",
        lambda d: _responses(GET)(d).__setitem__("429", {"description": "Slow down"}),
    ),
    Case(
        "response-media-type-removed",
        B,
        "GET /invoices/{id} response 200 application/xml",
        lambda d: None,
        before=lambda d: _content(GET, "200")(d).__setitem__(
            "application/xml", {"schema": {"type": "string"}}
        ),
    ),
    Case(
        "response-media-type-added",
        I,
        "GET /invoices/{id} response 200 application/xml",
        lambda d: _content(GET, "200")(d).__setitem__(
            "application/xml", {"schema": {"type": "string"}}
        ),
    ),
    Case(
        "response-body-type-changed",
        B,
        "GET /invoices response 200 application/json",
        lambda d: _content(LIST, "200")(d)["application/json"].__setitem__(
            "schema", {"$ref": "#/components/schemas/Invoice"}
        ),
    ),
    Case(
        "response-body-became-nullable",
        B,
        "GET /invoices/{id} response 200 application/json",
        _set(_schema("Invoice"), type=["object", "null"]),
    ),
    Case(
        "response-body-became-not-nullable",
        I,
        "GET /invoices/{id} response 200 application/json",
        lambda d: None,
        before=_set(_schema("Invoice"), type=["object", "null"]),
    ),
    # response properties
    Case(
        "response-required-property-removed",
        B,
        "GET /invoices/{id} response 200 application/json#/amount",
        _seq(
            lambda d: schemas(d)["Invoice"]["properties"].pop("amount"),
            _required("Invoice", "id"),
        ),
    ),
    Case(
        "response-optional-property-removed",
        W,
        "GET /invoices/{id} response 200 application/json#/note",
        lambda d: schemas(d)["Invoice"]["properties"].pop("note"),
    ),
    Case(
        "response-required-property-added",
        I,
        "GET /invoices/{id} response 200 application/json#/total",
        _seq(
            lambda d: schemas(d)["Invoice"]["properties"].__setitem__("total", {"type": "number"}),
            _required("Invoice", "id", "amount", "total"),
        ),
    ),
    Case(
        "response-optional-property-added",
        I,
        "GET /invoices/{id} response 200 application/json#/total",
        lambda d: schemas(d)["Invoice"]["properties"].__setitem__("total", {"type": "number"}),
    ),
    Case(
        "response-property-became-optional",
        B,
        "GET /invoices/{id} response 200 application/json#/amount",
        _required("Invoice", "id"),
    ),
    Case(
        "response-property-became-required",
        I,
        "GET /invoices/{id} response 200 application/json#/note",
        _required("Invoice", "id", "amount", "note"),
    ),
    Case(
        "response-property-type-changed",
        B,
        "GET /invoices/{id} response 200 application/json#/amount",
        _set(_prop("Invoice", "amount"), type="string", format="decimal"),
    ),
    Case(
        "response-property-became-nullable",
        B,
        "GET /invoices/{id} response 200 application/json#/note",
        _set(_prop("Invoice", "note"), type=["string", "null"]),
    ),
    Case(
        "response-property-became-not-nullable",
        I,
        "GET /invoices/{id} response 200 application/json#/note",
        lambda d: None,
        before=_set(_prop("Invoice", "note"), type=["string", "null"]),
    ),
    Case(
        "response-property-enum-value-added",
        W,
        "GET /invoices/{id} response 200 application/json#/status",
        _set(_prop("Invoice", "status"), enum=["draft", "sent", "paid"]),
    ),
    Case(
        "response-property-enum-value-removed",
        I,
        "GET /invoices/{id} response 200 application/json#/status",
        _set(_prop("Invoice", "status"), enum=["draft"]),
    ),
    # security, servers, components
    Case(
        "api-security-component-added",
        I,
        "#/components/securitySchemes/apiKey",
        lambda d: d["components"]["securitySchemes"].__setitem__(
            "apiKey", {"type": "apiKey", "in": "header", "name": "X-Key"}
        ),
    ),
    Case(
        "api-security-component-removed",
        I,
        "#/components/securitySchemes/apiKey",
        lambda d: None,
        before=lambda d: d["components"]["securitySchemes"].__setitem__(
            "apiKey", {"type": "apiKey", "in": "header", "name": "X-Key"}
        ),
    ),
    Case(
        "api-security-component-type-changed",
        I,
        "#/components/securitySchemes/bearer",
        lambda d: d["components"]["securitySchemes"].__setitem__(
            "bearer", {"type": "apiKey", "in": "header", "name": "Authorization"}
        ),
    ),
    Case(
        "api-global-security-added",
        I,
        "#/security",
        _root(security=[{"bearer": []}, {"apiKey": []}]),
    ),
    # credentials are still accepted: oasdiff's info (and `security: []` on one operation is quiet)
    Case("api-global-security-removed", I, "#/security", _root(security=[{"apiKey": []}])),
    Case(
        "api-security-added",
        I,
        "GET /invoices security",
        _set(_op(LIST), security=[{"bearer": []}, {}]),
    ),
    Case(
        "api-security-removed",
        I,
        "GET /invoices security",
        _set(_op(LIST), security=[{"bearer": ["read"]}]),
    ),
    Case(
        "server-added",
        I,
        "#/servers",
        _root(
            servers=[
                {"url": "https://api.example.com"},
                {"url": "https://sandbox.example.com"},
            ]
        ),
    ),
    Case(
        "server-removed",
        W,
        "#/servers",
        _root(servers=[{"url": "https://api.example.com"}]),
        before=_root(
            servers=[
                {"url": "https://api.example.com"},
                {"url": "https://sandbox.example.com"},
            ]
        ),
    ),
    Case(
        "default-server-changed",
        W,
        "#/servers 0",
        _root(servers=[{"url": "https://api.example.com/v2"}]),
    ),
    Case(
        "api-schema-removed",
        I,
        "#/components/schemas/Unused",
        lambda d: schemas(d).pop("Unused"),
    ),
]


# Families of rules with a direction, generated: the expected level is stated here from the
# direction policy (a request may accept more, a response may return less), not read from the
# catalogue, so a wrong level in generator/review/rules.py fails.
INV_JSON = "response 200 application/json"
WHERES: dict[str, tuple[str, Callable[[Doc], dict[str, Any]]]] = {
    "request-parameter": ("GET /invoices query parameter limit", _pschema(LIST, "limit")),
    "request-body": (f"POST /invoices {NEW_JSON}", _schema("NewInvoice")),
    "request-property": (f"POST /invoices {NEW_JSON}#/amount", _prop("NewInvoice", "amount")),
    "response-body": (f"GET /invoices/{{id}} {INV_JSON}", _schema("Invoice")),
    "response-property": (f"GET /invoices/{{id}} {INV_JSON}#/amount", _prop("Invoice", "amount")),
}
BOUNDS = {  # name: (keyword, a larger value tightens)
    "max": ("maximum", False),
    "exclusive-max": ("exclusiveMaximum", False),
    "min": ("minimum", True),
    "exclusive-min": ("exclusiveMinimum", True),
    "max-length": ("maxLength", False),
    "min-length": ("minLength", True),
    "max-items": ("maxItems", False),
    "min-items": ("minItems", True),
}


def _bound_cases() -> list[Case]:
    cases = []
    for where, (loc, target) in WHERES.items():
        request = where.startswith("request")
        for name, (keyword, larger_tightens) in BOUNDS.items():
            for change, before, after in (
                ("increased", 5, 10),
                ("decreased", 10, 5),
                ("set", None, 5),
                ("unset", 5, None),
            ):
                tightens = {
                    "increased": larger_tightens,
                    "decreased": not larger_tightens,
                    "set": True,
                    "unset": False,
                }[change]
                # a tighter request bound refuses what deployed clients send; a looser response
                # bound returns what their models refuse
                breaking = tightens if request else not tightens
                cases.append(
                    Case(
                        f"{where}-{name}-{change}",
                        B if breaking else I,
                        loc,
                        (
                            _set(target, **{keyword: after})
                            if after is not None
                            else (lambda d: None)
                        ),
                        before=(
                            _set(target, **{keyword: before})
                            if before is not None
                            else lambda d: None
                        ),
                    )
                )
    return cases


def _type_cases() -> list[Case]:
    """(before, after) type/format per direction: widening is safe in a request and breaking in
    a response, narrowing the reverse, an unrelated type breaking in both."""
    cases = []
    number = {"type": "number"}
    integer = {"type": "integer"}
    for where, (loc, target) in WHERES.items():
        if where.endswith("body"):
            wide, narrow = {"type": ["object", "string"]}, {"type": "object"}
        else:
            wide, narrow = number, integer
        other = {"type": "boolean"}
        if where.startswith("request"):
            cases += [
                Case(
                    f"{where}-type-generalized",
                    I,
                    loc,
                    _set(target, **wide),
                    before=_set(target, **narrow),
                ),
                Case(
                    f"{where}-type-changed",
                    B,
                    loc,
                    _set(target, **narrow),
                    before=_set(target, **wide),
                ),
            ]
        else:
            cases += [
                Case(
                    f"{where}-type-generalized",
                    B,
                    loc,
                    _set(target, **wide),
                    before=_set(target, **narrow),
                ),
                Case(
                    f"{where}-type-specialized",
                    I,
                    loc,
                    _set(target, **narrow),
                    before=_set(target, **wide),
                ),
                Case(
                    f"{where}-type-changed",
                    B,
                    loc,
                    _set(target, **other),
                    before=_set(target, **narrow),
                ),
            ]
    return cases


def _value_cases() -> list[Case]:
    """default, const, nullable, oneOf/anyOf/allOf and discriminator, per body/property."""
    cases = []
    ref = {"$ref": "#/components/schemas/Line"}
    other = {"$ref": "#/components/schemas/Customer"}
    for where, (loc, target) in WHERES.items():
        if where == "request-parameter":
            continue
        request = where.startswith("request")
        cases += [
            Case(f"{where}-default-value-added", I, loc, _set(target, default=1)),
            Case(
                f"{where}-default-value-removed",
                I,
                loc,
                lambda d: None,
                before=_set(target, default=1),
            ),
            Case(
                f"{where}-default-value-changed",
                I,
                loc,
                _set(target, default=2),
                before=_set(target, default=1),
            ),
            # a const on a request refuses other values; removed from a response, other values come
            Case(f"{where}-const-added", B if request else I, loc, _set(target, const=1)),
            Case(
                f"{where}-const-removed",
                I if request else B,
                loc,
                lambda d: None,
                before=_set(target, const=1),
            ),
            Case(
                f"{where}-const-changed",
                B,
                loc,
                _set(target, const=2),
                before=_set(target, const=1),
            ),
            Case(
                f"{where}-became-nullable",
                I if request else B,
                loc,
                _set(target, type=[_type(where), "null"]),
            ),
            Case(
                f"{where}-became-not-nullable",
                B if request else I,
                loc,
                lambda d: None,
                before=_set(target, type=[_type(where), "null"]),
            ),
            # a response that may be a new kind of object breaks readers; a request that may be
            # one breaks nobody
            Case(
                f"{where}-one-of-added",
                I if request else B,
                loc,
                _set(target, oneOf=[ref, other]),
                before=_set(target, oneOf=[ref]),
            ),
            Case(
                f"{where}-one-of-removed",
                B if request else I,
                loc,
                _set(target, oneOf=[ref]),
                before=_set(target, oneOf=[ref, other]),
            ),
            Case(
                f"{where}-any-of-added",
                I,
                loc,
                _set(target, anyOf=[ref, other]),
                before=_set(target, anyOf=[ref]),
            ),
            Case(
                f"{where}-any-of-removed",
                B if request else I,
                loc,
                _set(target, anyOf=[ref]),
                before=_set(target, anyOf=[ref, other]),
            ),
            Case(f"{where}-all-of-added", B if request else I, loc, _set(target, allOf=[ref])),
            Case(
                f"{where}-all-of-removed",
                W if request else I,
                loc,
                lambda d: None,
                before=_set(target, allOf=[ref]),
            ),
        ]
        disc = {"propertyName": "kind", "mapping": {"a": "#/components/schemas/Line"}}
        for change, before, after in (
            ("added", None, disc),
            ("removed", disc, None),
            ("property-name-changed", disc, {**disc, "propertyName": "type"}),
            (
                "mapping-added",
                disc,
                {**disc, "mapping": {**disc["mapping"], "b": "#/components/schemas/Customer"}},
            ),
            ("mapping-deleted", disc, {**disc, "mapping": {}}),
            ("mapping-changed", disc, {**disc, "mapping": {"a": "#/components/schemas/Customer"}}),
        ):
            cases.append(
                Case(
                    f"{where}-discriminator-{change}",
                    I,
                    loc,
                    _set(target, discriminator=after) if after else (lambda d: None),
                    before=_set(target, discriminator=before) if before else lambda d: None,
                )
            )
    return cases


def _type(where: str) -> str:
    return "object" if where.endswith("body") else "number"


def _header(m: tuple[str, str], code: str, **h: Any) -> Callable[[Doc], None]:
    return lambda d: op(d, *m)["responses"][code].setdefault("headers", {}).update(h)


HDR = {"schema": {"type": "integer"}}
HEADER_CASES = [
    Case(
        "required-response-header-removed",
        B,
        "GET /invoices/{id} response 200 header x-rate",
        lambda d: None,
        before=_header(GET, "200", **{"X-Rate": {**HDR, "required": True}}),
    ),
    Case(
        "optional-response-header-removed",
        W,
        "GET /invoices/{id} response 200 header x-rate",
        lambda d: None,
        before=_header(GET, "200", **{"X-Rate": HDR}),
    ),
    Case(
        "response-header-added",
        I,
        "GET /invoices/{id} response 200 header x-rate",
        _header(GET, "200", **{"X-Rate": HDR}),
    ),
    Case(
        "response-header-became-optional",
        B,
        "GET /invoices/{id} response 200 header x-rate",
        _header(GET, "200", **{"X-Rate": HDR}),
        before=_header(GET, "200", **{"X-Rate": {**HDR, "required": True}}),
    ),
    Case(
        "response-header-type-generalized",
        B,
        "GET /invoices/{id} response 200 header x-rate",
        _header(GET, "200", **{"X-Rate": {"schema": {"type": "number"}}}),
        before=_header(GET, "200", **{"X-Rate": HDR}),
    ),
    Case(
        "response-header-type-specialized",
        I,
        "GET /invoices/{id} response 200 header x-rate",
        _header(GET, "200", **{"X-Rate": HDR}),
        before=_header(GET, "200", **{"X-Rate": {"schema": {"type": "number"}}}),
    ),
    Case(
        "response-header-type-changed",
        B,
        "GET /invoices/{id} response 200 header x-rate",
        _header(GET, "200", **{"X-Rate": {"schema": {"type": "string", "format": "date"}}}),
        before=_header(GET, "200", **{"X-Rate": HDR}),
    ),
]


def _flip(schema: str, name: str, key: str, value: bool) -> Callable[[Doc], None]:
    return _set(_prop(schema, name), **{key: value})


def _flip_cases() -> list[Case]:
    """readOnly/writeOnly flips: all info in oasdiff but one, a required response property that
    is returned again (warning)."""
    cases = []
    for direction, schema, loc in (
        ("request", "NewInvoice", f"POST /invoices {NEW_JSON}"),
        ("response", "Invoice", f"GET /invoices/{{id}} {INV_JSON}"),
    ):
        for kind, prop in (("required", "amount"), ("optional", "note")):
            for key, spelled in (("readOnly", "read-only"), ("writeOnly", "write-only")):
                for now in (True, False):
                    rid = f"{direction}-{kind}-property-became-{'' if now else 'not-'}{spelled}"
                    if rid not in RULES:
                        continue  # oasdiff has no such rule: the flip is reported no other way
                    flip = _flip(schema, prop, key, True)
                    level = W if rid == "response-required-property-became-not-write-only" else I
                    noop: Callable[[Doc], None] = lambda d: None
                    cases.append(
                        Case(
                            rid,
                            level,
                            f"{loc}#/{prop}",
                            flip if now else noop,
                            noop if now else flip,
                        )
                    )
    return cases


FLIP_CASES = _flip_cases()

LIFECYCLE_CASES = [
    Case(
        "endpoint-deprecated-with-sunset",
        I,
        "GET /invoices",
        _set(_op(LIST), deprecated=True, **{"x-sunset": "2030-01-01"}),
    ),
    Case(
        "sunset-deleted",
        B,
        "GET /invoices x-sunset",
        _set(_op(LIST), deprecated=True),
        before=_set(_op(LIST), deprecated=True, **{"x-sunset": "2030-01-01"}),
    ),
    Case(
        "api-sunset-date-changed-too-small",
        B,
        "GET /invoices x-sunset",
        _set(_op(LIST), deprecated=True, **{"x-sunset": "2029-01-01"}),
        before=_set(_op(LIST), deprecated=True, **{"x-sunset": "2030-01-01"}),
    ),
    Case(
        "api-removed-before-sunset",
        B,
        "DELETE /invoices/{id}",
        lambda d: d["paths"]["/invoices/{id}"].pop("delete"),
        before=_set(_op(DELETE), **{"x-sunset": "2999-01-01"}),
    ),
    Case(
        "request-parameter-deprecated",
        I,
        "GET /invoices query parameter limit",
        _set(_param(LIST, "limit"), deprecated=True),
    ),
    Case(
        "request-parameter-reactivated",
        I,
        "GET /invoices query parameter limit",
        lambda d: None,
        before=_set(_param(LIST, "limit"), deprecated=True),
    ),
    Case(
        "request-property-deprecated",
        I,
        f"POST /invoices {NEW_JSON}#/note",
        _flip("NewInvoice", "note", "deprecated", True),
    ),
    Case(
        "request-property-reactivated",
        I,
        f"POST /invoices {NEW_JSON}#/note",
        lambda d: None,
        before=_flip("NewInvoice", "note", "deprecated", True),
    ),
    Case(
        "response-property-deprecated",
        I,
        f"GET /invoices/{{id}} {INV_JSON}#/note",
        _flip("Invoice", "note", "deprecated", True),
    ),
    Case(
        "response-property-reactivated",
        I,
        f"GET /invoices/{{id}} {INV_JSON}#/note",
        lambda d: None,
        before=_flip("Invoice", "note", "deprecated", True),
    ),
    Case(
        "request-parameter-pattern-removed",
        I,
        "GET /invoices/{id} header parameter x-trace",
        lambda d: None,
        before=_set(_pschema(GET, "X-Trace"), pattern="^a"),
    ),
    Case(
        "request-property-pattern-removed",
        I,
        f"POST /invoices {NEW_JSON}#/note",
        lambda d: None,
        before=_set(_prop("NewInvoice", "note"), pattern="^a"),
    ),
    Case(
        "request-parameter-default-value-added",
        B,
        "GET /invoices query parameter limit",
        _set(_pschema(LIST, "limit"), default=20),
    ),
    Case(
        "request-parameter-default-value-removed",
        B,
        "GET /invoices query parameter limit",
        lambda d: None,
        before=_set(_pschema(LIST, "limit"), default=20),
    ),
]


def _rename_path(d: Doc) -> None:
    d["paths"]["/bills/{id}"] = d["paths"].pop("/invoices/{id}")


def _rename_schema(d: Doc) -> None:
    schemas(d)["Item"] = schemas(d).pop("Line")
    schemas(d)["Invoice"]["properties"]["lines"]["items"] = {"$ref": "#/components/schemas/Item"}


def _rename_path_param(d: Doc) -> None:
    item = d["paths"].pop("/invoices/{id}")
    item["parameters"][0]["name"] = "invoiceId"
    d["paths"]["/invoices/{invoiceId}"] = item


RENAME_CASES = [
    Case("api-path-renamed", B, "GET /invoices/{id}", _rename_path),
    Case("api-schema-renamed", B, "#/components/schemas/Line", _rename_schema),
    Case(
        "request-parameter-renamed",
        I,
        "GET /invoices/{invoiceId} path parameter invoiceId",
        _rename_path_param,
    ),
    Case(
        "spec-ref-unresolved",
        B,
        "#/components/schemas/Lien",
        _set(_prop("Invoice", "lines"), items={"$ref": "#/components/schemas/Lien"}),
    ),
]

CASES += _bound_cases() + _type_cases() + _value_cases() + HEADER_CASES + FLIP_CASES
CASES += LIFECYCLE_CASES + RENAME_CASES


def _changes(case: Case) -> list[Any]:
    before, after = base_spec(), base_spec()
    case.before(before)
    case.after(after)
    return diff_documents(before, after)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule(case: Case) -> None:
    changes = _changes(case)
    found = [c for c in changes if c.rule == case.rule]
    assert found, f"{case.rule} not reported; got {[(c.rule, c.where) for c in changes]}"
    # a change inside a shared schema is one change on the schema, listing what it reaches
    wheres = [w for c in found for w in (c.where, *c.reaches)]
    assert case.where in wheres, wheres
    assert {c.level for c in found} == {case.level}
    assert RULES[case.rule].level is case.level
    # the exit status: this change alone fails the review exactly when it is breaking (the client
    # impact and lint are left out here; they have tests of their own)
    before, after = base_spec(), base_spec()
    case.before(before)
    case.after(after)
    specs = review_texts(
        {"a.yaml": _yaml(before)}, {"a.yaml": _yaml(after)}, _no_render, linter=lambda doc: []
    )
    result = ReviewResult("base", "0" * 40, specs)
    only_this = all(c.rule == case.rule or c.level is not B for c in changes)
    if only_this:
        assert result.exit_status == (1 if case.level is B else 0)


def test_catalogue_covers_every_diff_rule() -> None:
    covered = {c.rule for c in CASES}
    spec_rules = {r.id for r in RULES.values() if r.source != "client"}
    # spec-added / spec-removed are whole-file events, exercised through review_texts
    assert spec_rules - covered == {"spec-added", "spec-removed"}
    assert covered <= spec_rules


def test_levels_follow_oasdiff_for_well_known_rules() -> None:
    assert RULES["request-property-became-required"].level is B
    assert RULES["request-parameter-removed"].level is W
    assert RULES["response-property-enum-value-added"].level is W
    assert RULES["response-optional-property-removed"].level is W
    assert {r.source for r in RULES.values()} == {"oasdiff", "specgen", "client"}
    # the reproductions, graded as oasdiff grades them
    assert RULES["response-property-max-length-increased"].level is B
    assert RULES["request-parameter-max-decreased"].level is B
    assert RULES["response-body-one-of-added"].level is B
    assert RULES["required-response-header-removed"].level is B
    assert RULES["request-property-type-generalized"].level is I
    assert RULES["response-property-type-specialized"].level is I


def _yaml(doc: Doc) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def _no_render(path: Path) -> dict[PurePosixPath, str]:
    raise Unavailable("not rendered in rule tests")
