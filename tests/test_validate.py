"""validate_document: the checks every input gets, curated or public."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagnostics import Diagnostic, Level
from generator.load import Document, load
from generator.validate import (
    MAX_VALIDATOR_ERRORS,
    check_refs,
    iter_refs,
    real_pointer,
    validate_document,
)

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

Spec = dict[str, Any]

MINIMAL: Spec = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/items/{itemId}": {
            "parameters": [
                {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": "getItem",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    }
                },
            },
        },
    },
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "properties": {
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}}
                },
            }
        }
    },
}


def doc_of(data: Spec, tmp_path: Path) -> Document:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load(path)


def found(diags: list[Diagnostic]) -> set[tuple[str, str]]:
    return {(d.rule, d.pointer) for d in diags}


def spec(**changes: Any) -> Spec:
    data = copy.deepcopy(MINIMAL)
    data.update(changes)
    return data


def test_minimal_valid_document_with_recursive_schema(tmp_path: Path) -> None:
    assert validate_document(doc_of(MINIMAL, tmp_path)) == []


def test_all_diagnostics_are_errors(tmp_path: Path) -> None:
    data = spec(openapi="2.0")
    data["components"]["schemas"]["Bad"] = {"$ref": "#/nope"}
    diags = validate_document(doc_of(data, tmp_path))
    assert found(diags) == {
        ("openapi-valid", "#/openapi"),
        ("ref-resolves", "#/components/schemas/Bad/$ref"),
    }
    assert {d.level for d in diags} == {Level.ERROR}


# --- references --------------------------------------------------------------------------------


def test_percent_encoded_and_escaped_refs_resolve(tmp_path: Path) -> None:
    data = spec()
    data["components"]["schemas"]["Alias"] = {
        "$ref": "#/paths/~1items~1%7BitemId%7D/get/responses/200/content/application~1json/schema"
    }
    assert check_refs(doc_of(data, tmp_path)) == []


def test_refs_inside_examples_defaults_and_extensions_are_data(tmp_path: Path) -> None:
    data = spec()
    item = data["components"]["schemas"]["Item"]
    item["example"] = {"$ref": "#/not/a/reference"}
    item["default"] = {"$ref": "#/neither"}
    item["x-vendor"] = {"$ref": "other.yaml"}
    media = data["paths"]["/items/{itemId}"]["get"]["responses"]["200"]["content"]
    media["application/json"]["examples"] = {"one": {"value": {"$ref": "#/data"}}}
    # ...but a property *named* example is a schema, and its $ref is real.
    item["properties"]["example"] = {"$ref": "#/components/schemas/Missing"}
    assert found(check_refs(doc_of(data, tmp_path))) == {
        ("ref-resolves", "#/components/schemas/Item/properties/example/$ref")
    }


def test_example_object_refs_are_followed(tmp_path: Path) -> None:
    data = spec()
    media = data["paths"]["/items/{itemId}"]["get"]["responses"]["200"]["content"]
    media["application/json"]["examples"] = {"one": {"$ref": "#/components/examples/Nope"}}
    ptr = "#/paths/~1items~1{itemId}/get/responses/200/content/application~1json/examples/one/$ref"
    assert found(check_refs(doc_of(data, tmp_path))) == {("ref-resolves", ptr)}


def test_external_ref_is_reported_and_never_fetched(tmp_path: Path) -> None:
    data = spec()
    data["components"]["schemas"]["Remote"] = {"$ref": "https://example.invalid/s.json#/X"}
    (diag,) = validate_document(doc_of(data, tmp_path))
    assert (diag.rule, diag.pointer) == ("ref-resolves", "#/components/schemas/Remote/$ref")
    assert "external $ref not supported" in diag.message


def test_ref_only_cycle_is_an_error_reported_once(tmp_path: Path) -> None:
    data = spec()
    schemas = data["components"]["schemas"]
    schemas["A"] = {"$ref": "#/components/schemas/B"}
    schemas["B"] = {"$ref": "#/components/schemas/C", "description": "3.1 allows siblings"}
    schemas["C"] = {"$ref": "#/components/schemas/A"}
    schemas["D"] = {"$ref": "#/components/schemas/A"}  # leads into the cycle, is not part of it
    schemas["Self"] = {"$ref": "#/components/schemas/Self"}
    diags = validate_document(doc_of(data, tmp_path))
    assert found(diags) == {
        ("ref-cycle", "#/components/schemas/A/$ref"),
        ("ref-cycle", "#/components/schemas/Self/$ref"),
    }
    (cycle,) = [d for d in diags if "/A/" in d.pointer]
    assert "A -> #/components/schemas/B -> #/components/schemas/C -> #/components/schemas/A" in (
        cycle.message
    )


def test_alias_chain_that_ends_in_a_schema_is_fine(tmp_path: Path) -> None:
    data = spec()
    data["components"]["schemas"]["Alias"] = {"$ref": "#/components/schemas/Alias2"}
    data["components"]["schemas"]["Alias2"] = {"$ref": "#/components/schemas/Item"}
    assert validate_document(doc_of(data, tmp_path)) == []


def test_yaml_aliases_are_walked_once() -> None:
    shared: Spec = {"$ref": "#/x"}
    data = {"a": {"properties": {"p": shared, "q": shared}}}
    assert [ptr for ptr, _, _ in iter_refs(data)] == ["#/a/properties/p"]


# --- path parameters and operationIds ----------------------------------------------------------


def test_operation_level_path_parameter_counts(tmp_path: Path) -> None:
    data = spec()
    item = data["paths"]["/items/{itemId}"]
    item["get"]["parameters"] = item.pop("parameters")
    assert validate_document(doc_of(data, tmp_path)) == []


def test_parameter_declared_through_a_ref_counts(tmp_path: Path) -> None:
    data = spec()
    item = data["paths"]["/items/{itemId}"]
    data["components"]["parameters"] = {"ItemId": item["parameters"][0]}
    item["parameters"] = [{"$ref": "#/components/parameters/ItemId"}]
    assert validate_document(doc_of(data, tmp_path)) == []


def test_undeclared_template_parameter(tmp_path: Path) -> None:
    data = spec()
    data["paths"]["/items/{itemId}/parts/{partId}"] = data["paths"].pop("/items/{itemId}")
    diags = validate_document(doc_of(data, tmp_path))
    assert found(diags) == {
        ("path-params-declared", "#/paths/~1items~1{itemId}~1parts~1{partId}/get")
    }
    assert "{partId}" in diags[0].message


def test_declared_parameter_missing_from_template(tmp_path: Path) -> None:
    data = spec()
    get = data["paths"]["/items/{itemId}"]["get"]
    get["parameters"] = [{"name": "extra", "in": "path", "required": True, "schema": {}}]
    diags = validate_document(doc_of(data, tmp_path))
    assert found(diags) == {("path-params-declared", "#/paths/~1items~1{itemId}/get/parameters/0")}


def test_query_parameter_does_not_declare_a_path_parameter(tmp_path: Path) -> None:
    data = spec()
    data["paths"]["/items/{itemId}"]["parameters"][0]["in"] = "query"
    data["paths"]["/items/{itemId}"]["parameters"][0]["required"] = False
    assert found(validate_document(doc_of(data, tmp_path))) == {
        ("path-params-declared", "#/paths/~1items~1{itemId}/get")
    }


def test_duplicate_operation_ids(tmp_path: Path) -> None:
    data = spec()
    data["paths"]["/other"] = {
        "post": {"operationId": "getItem", "responses": {"204": {"description": "done"}}}
    }
    (diag,) = validate_document(doc_of(data, tmp_path))
    assert (diag.rule, diag.pointer) == ("operation-id-unique", "#/paths/~1other/post/operationId")
    assert "#/paths/~1items~1{itemId}/get" in diag.message


# --- openapi-spec-validator --------------------------------------------------------------------


def test_full_runs_the_spec_validator_and_cheap_mode_skips_it(tmp_path: Path) -> None:
    data = spec()
    del data["info"]["version"]
    doc = doc_of(data, tmp_path)
    assert found(validate_document(doc, full=True)) == {("openapi-valid", "#/info")}
    assert validate_document(doc, full=False) == []


def test_keyword_errors_point_at_the_definition_not_the_ref(tmp_path: Path) -> None:
    data = spec()
    # Reached first through the path's $ref, reported where it is written.
    data["components"]["schemas"]["Item"]["properties"]["flag"] = {
        "type": "boolean",
        "default": "false",
    }
    data["components"]["schemas"]["Item"]["required"] = ["gone"]
    data["components"]["schemas"]["Item"]["allOf"] = [{"type": "object"}]
    doc = doc_of(data, tmp_path)
    diags = validate_document(doc)
    assert found(diags) == {
        ("openapi-valid", "#/components/schemas/Item/properties/flag/default"),
        ("openapi-valid", "#/components/schemas/Item"),
    }
    (default,) = [d for d in diags if d.pointer.endswith("/default")]
    assert default.line is not None
    assert "default:" in doc.text.splitlines()[default.line - 1]


def test_duplicate_parameters_are_located(tmp_path: Path) -> None:
    data = spec()
    param = {"name": "q", "in": "query", "schema": {"type": "string"}}
    data["paths"]["/items/{itemId}"]["get"]["parameters"] = [param, dict(param)]
    assert ("openapi-valid", "#/paths/~1items~1{itemId}/get/parameters") in found(
        validate_document(doc_of(data, tmp_path))
    )


def test_validator_errors_are_capped(tmp_path: Path) -> None:
    data = spec()
    for i in range(MAX_VALIDATOR_ERRORS + 5):
        data["components"]["schemas"][f"S{i}"] = {"type": "integer", "default": "x"}
    diags = validate_document(doc_of(data, tmp_path))
    assert len(diags) == MAX_VALIDATOR_ERRORS + 1
    assert "more openapi-spec-validator errors" in diags[-1].message


def test_long_validator_messages_are_shortened(tmp_path: Path) -> None:
    data = spec()
    data["paths"]["/items/{itemId}"]["get"]["responses"] = {"200": {"x": "y" * 1000}}
    diags = validate_document(doc_of(data, tmp_path))
    assert diags and all(len(d.message) <= 240 for d in diags)


def test_real_pointer_follows_refs() -> None:
    data = {
        "a": {"$ref": "#/b"},
        "b": {"properties": {"c": {"$ref": "#/d"}}},
        "d": {"type": "string"},
    }
    assert real_pointer(data, ["a", "properties", "c"]) == "#/b/properties/c"
    assert real_pointer(data, ["a", "properties", "c"], follow_last=True) == "#/d"


@pytest.mark.parametrize(
    "path", sorted(CORPUS.glob("*.json")) if CORPUS.is_dir() else [], ids=lambda p: p.name
)
def test_structural_checks_accept_public_specs(path: Path) -> None:
    found = validate_document(load(path), full=False)
    # Xero's files, Square and GitHub require names their schemas do not declare: warnings only
    assert [(d.rule, d.level) for d in found] == [("required-declared", Level.WARNING)] * len(found)
