"""The rule catalogue: one before/after pair per rule, each asserting rule id, level and where."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from generator.review.diff import diff_documents
from generator.review.rules import RULES, Level
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


def _set(
    target: Callable[[Doc], dict[str, Any]], **values: Any
) -> Callable[[Doc], None]:
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
    "application/x-www-form-urlencoded": {
        "schema": {"$ref": "#/components/schemas/NewInvoice"}
    }
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
        lambda d: op(d, *LIST).__setitem__(
            "parameters", op(d, *LIST)["parameters"][1:]
        ),
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
        I,
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
            requestBody={
                "content": {"application/json": {"schema": {"type": "object"}}}
            },
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
        lambda d: op(d, *CREATE)["requestBody"]["content"][
            "application/json"
        ].__setitem__(
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
        lambda d: _responses(CREATE)(d).__setitem__(
            "200", _responses(CREATE)(d).pop("201")
        ),
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
        I,
        "GET /invoices/{id} response 200 application/json#/note",
        lambda d: schemas(d)["Invoice"]["properties"].pop("note"),
    ),
    Case(
        "response-required-property-added",
        I,
        "GET /invoices/{id} response 200 application/json#/total",
        _seq(
            lambda d: schemas(d)["Invoice"]["properties"].__setitem__(
                "total", {"type": "number"}
            ),
            _required("Invoice", "id", "amount", "total"),
        ),
    ),
    Case(
        "response-optional-property-added",
        I,
        "GET /invoices/{id} response 200 application/json#/total",
        lambda d: schemas(d)["Invoice"]["properties"].__setitem__(
            "total", {"type": "number"}
        ),
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
    Case(
        "api-global-security-removed", B, "#/security", _root(security=[{"apiKey": []}])
    ),
    Case(
        "api-security-added",
        I,
        "GET /invoices security",
        _set(_op(LIST), security=[{"bearer": []}, {}]),
    ),
    Case(
        "api-security-removed",
        B,
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


def _changes(case: Case) -> list[Any]:
    before, after = base_spec(), base_spec()
    case.before(before)
    case.after(after)
    return diff_documents(before, after)


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_rule(case: Case) -> None:
    changes = _changes(case)
    found = [c for c in changes if c.rule == case.rule]
    assert (
        found
    ), f"{case.rule} not reported; got {[(c.rule, c.where) for c in changes]}"
    assert case.where in [c.where for c in found], [c.where for c in found]
    assert (
        RULES[case.rule].level is case.level
    )  # a change's level is its rule's: one check of both


def test_catalogue_covers_every_diff_rule() -> None:
    covered = {c.rule for c in CASES}
    # spec-added / spec-removed are whole-file events, exercised through review_texts
    assert set(RULES) - covered == {"spec-added", "spec-removed"}
    assert len(covered) >= 30


def test_levels_follow_oasdiff_for_well_known_rules() -> None:
    assert RULES["request-property-became-required"].level is B
    assert RULES["request-parameter-removed"].level is W
    assert RULES["response-property-enum-value-added"].level is W
    assert RULES["response-optional-property-removed"].level is I
    assert {r.source for r in RULES.values()} == {"oasdiff", "specgen"}
