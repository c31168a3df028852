"""Spec diff behaviour beyond single rules: no false positives on equivalent rewrites, recursion,
allOf, and robustness against malformed documents."""

from __future__ import annotations

from typing import Any

from generator.review.diff import diff_documents
from generator.review.rules import Level
from tests.review.specs import base_spec, op, schemas


def test_identical_documents_have_no_changes() -> None:
    assert diff_documents(base_spec(), base_spec()) == []


def test_inlining_a_referenced_schema_is_no_change() -> None:
    after = base_spec()
    body = op(after, "post", "/invoices")["requestBody"]["content"]["application/json"]
    body["schema"] = dict(schemas(after)["NewInvoice"])
    assert diff_documents(base_spec(), after) == []


def test_percent_encoded_refs_are_followed_like_plain_ones() -> None:
    # "#/components/schemas/New%20Invoice" names the key "New Invoice", as the spec lint resolves it
    before, after = base_spec(), base_spec()
    for doc in (before, after):
        schemas(doc)["New Invoice"] = schemas(doc).pop("NewInvoice")
        body = op(doc, "post", "/invoices")["requestBody"]["content"]["application/json"]
        body["schema"] = {"$ref": "#/components/schemas/New%20Invoice"}
    schemas(after)["New Invoice"]["required"] = ["amount", "note"]
    assert [c.rule for c in diff_documents(before, after)] == ["request-property-became-required"]


def test_renaming_a_path_parameter_is_shown_as_a_rename_only() -> None:
    after = base_spec()
    item = after["paths"].pop("/invoices/{id}")
    item["parameters"][0]["name"] = "invoiceId"
    after["paths"]["/invoices/{invoiceId}"] = item
    # same wire request (info); the client argument's rename is judged in the client impact
    assert {(c.rule, c.level, c.message) for c in diff_documents(base_spec(), after)} == {
        (
            "request-parameter-renamed",
            Level.INFO,
            "the path parameter 'id' was renamed to 'invoiceId'",
        )
    }


def test_recursive_schema_is_compared_once_and_nested_changes_are_found() -> None:
    after = base_spec()
    schemas(after)["Customer"]["properties"]["name"]["type"] = "integer"
    changes = diff_documents(base_spec(), after)
    assert [(c.rule, c.where) for c in changes] == [
        (
            "request-property-type-changed",
            "POST /invoices request body application/json#/customer/name",
        )
    ]


def test_allof_is_merged_before_comparing() -> None:
    after = base_spec()
    flat = schemas(after)["NewInvoice"]
    schemas(after)["Money"] = {
        "type": "object",
        "required": ["amount"],
        "properties": {"amount": flat["properties"].pop("amount")},
    }
    flat["required"] = []
    schemas(after)["NewInvoice"] = {"allOf": [{"$ref": "#/components/schemas/Money"}, flat]}
    assert diff_documents(base_spec(), after) == []


def test_nullable_spelt_as_anyof_null_is_understood() -> None:
    after = base_spec()
    props = schemas(after)["Invoice"]["properties"]
    props["note"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}
    changes = diff_documents(base_spec(), after)
    assert {(c.rule, c.level) for c in changes} == {
        ("response-property-became-nullable", Level.BREAKING)
    }


def test_nested_array_items_carry_their_path() -> None:
    after = base_spec()
    schemas(after)["Line"]["properties"]["amount"]["type"] = "string"
    [change] = diff_documents(base_spec(), after)
    assert "GET /invoices/{id} response 200 application/json#/lines/items/amount" in change.reaches


def test_a_shared_schema_change_is_one_row_listing_the_operations_it_reaches() -> None:
    after = base_spec()
    schemas(after)["Invoice"]["properties"]["amount"]["type"] = "string"
    [change] = diff_documents(base_spec(), after)
    assert (change.rule, change.location, change.detail) == (
        "response-property-type-changed",
        "#/components/schemas/Invoice/properties/amount",
        "",
    )
    assert change.reaches == (
        "GET /invoices response 200 application/json#/items/amount",
        "GET /invoices/{id} response 200 application/json#/amount",
        "POST /invoices response 201 application/json#/amount",
    )
    assert change.message.endswith("(reaches 3 operations)")


def test_read_only_properties_are_not_request_changes() -> None:
    before, after = base_spec(), base_spec()
    schemas(before)["NewInvoice"]["properties"]["created"] = {"type": "string", "readOnly": True}
    assert diff_documents(before, after) == []


def test_changes_are_sorted_breaking_first_and_deduplicated() -> None:
    after = base_spec()
    op(after, "get", "/invoices")["deprecated"] = True
    after["paths"]["/invoices"].pop("post")
    changes = diff_documents(base_spec(), after)
    assert [c.level for c in changes] == sorted((c.level for c in changes), key=lambda lv: lv.rank)
    # the removal alone: not also its request body, parameters and responses
    assert [(c.rule, c.where) for c in changes] == [
        ("api-removed-without-deprecation", "POST /invoices"),
        ("endpoint-deprecated", "GET /invoices"),
    ]


def test_malformed_documents_do_not_crash() -> None:
    weird: list[dict[str, Any]] = [
        {},
        {"paths": []},
        {"paths": {"/a": None, "/b": {"get": "nope"}}},
        {"paths": {"/a": {"get": {"parameters": "x", "requestBody": 3, "responses": []}}}},
        {
            "paths": {
                "/a": {
                    "get": {
                        "parameters": [{"$ref": "#/missing"}],
                        "responses": {"200": {"$ref": "#/nowhere"}},
                    }
                }
            }
        },
        {
            "components": {"schemas": {"A": {"$ref": "#/components/schemas/A"}}},
            "security": "all",
            "servers": {},
        },
    ]
    for a in weird:
        for b in weird:
            diff_documents(a, b)
    assert diff_documents(weird[0], base_spec())  # everything is added
