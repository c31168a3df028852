"""The verdict as a reviewer meets it, with the real generator rendering both sides: renames fail
unless acknowledged, a respelling that keeps the client is quiet, client breaks count, lint and
unresolved $refs fail, and changes with no wire or client effect pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from generator.diagnostics import Diagnostic
from generator.load import Document
from generator.review.report import to_markdown
from generator.review.run import ReviewResult, review_texts
from tests.review.specs import base_spec, op, schemas
from tests.review.test_run import dump

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("review-cache")  # the base render is shared by the tests


def _no_lint(doc: Document) -> list[Diagnostic]:
    return []


def run(
    cache: Path,
    edit: Callable[[Doc], None],
    acks: list[dict[str, str]] | None = None,
    before: Callable[[Doc], None] = lambda d: None,
) -> ReviewResult:
    old, new = base_spec(), base_spec()
    before(old)
    before(new)
    edit(new)
    if acks:
        new["x-breaking-change-ack"] = acks
    specs = review_texts({"a.yaml": dump(old)}, {"a.yaml": dump(new)}, None, cache, linter=_no_lint)
    return ReviewResult("base", "0" * 40, specs)


def _enum_names(d: Doc) -> None:
    schemas(d)["Invoice"]["properties"]["status"]["x-enum-varnames"] = ["DRAFT", "SENT"]


def _rename_schema(d: Doc) -> None:
    schemas(d)["Item"] = schemas(d).pop("Line")
    schemas(d)["Invoice"]["properties"]["lines"]["items"] = {"$ref": "#/components/schemas/Item"}


def _rename_operation(d: Doc) -> None:
    op(d, "get", "/invoices/{id}")["operationId"] = "fetchInvoice"


def _move_to_other_tag(d: Doc) -> None:
    op(d, "get", "/invoices/{id}")["tags"] = ["Billing"]
    d["tags"].append({"name": "Billing"})


def _rename_enum_member(d: Doc) -> None:
    _enum_names(d)
    schemas(d)["Invoice"]["properties"]["status"]["x-enum-varnames"] = ["DRAFTED", "SENT"]


RENAMES = {
    # edit, the acknowledgement that covers it (rule, location)
    "schema": (_rename_schema, ("api-schema-renamed", "#/components/schemas/Line")),
    "operationId": (
        _rename_operation,
        ("api-operation-id-changed", "GET /invoices/{id} operationId"),
    ),
    "tag": (_move_to_other_tag, ("api-resource-changed", "GET /invoices/{id} tags")),
}


@pytest.mark.parametrize("what", sorted(RENAMES))
def test_a_rename_fails_unless_acknowledged_and_one_ack_covers_the_client(
    cache: Path, what: str
) -> None:
    edit, (rule, location) = RENAMES[what]
    result = run(cache, edit)
    [spec] = result.specs
    assert spec.client.available, spec.client.reason
    assert result.exit_status == 1
    assert [c.rule for c in spec.unacknowledged] == [rule]
    renamed = [c for c in spec.client.changes if c.rule.endswith("-renamed")]
    assert renamed, spec.client.changes
    # the client's rename follows the spec change: not a second failure to acknowledge
    assert spec.client_unacknowledged == []
    assert all(spec.explained[c].rule == rule for c in renamed)
    acked = run(cache, edit, [{"rule": rule, "location": location, "reason": "v2"}])
    assert acked.exit_status == 0, to_markdown(acked)


def test_an_enum_member_rename_fails_through_the_client_unless_acknowledged(cache: Path) -> None:
    result = run(cache, _rename_enum_member, before=_enum_names)
    [spec] = result.specs
    assert spec.changes == []  # x-enum-varnames has no wire effect: only the client sees it
    [api] = spec.client_unacknowledged
    assert (api.rule, api.subject) == ("client-enum-member-renamed", "models.Status")
    assert api.message == "member draft renamed to drafted (value 'draft')"
    assert result.exit_status == 1
    ack = {"rule": api.rule, "location": api.subject, "reason": "the old name was a typo"}
    assert run(cache, _rename_enum_member, [ack], before=_enum_names).exit_status == 0


def test_a_tag_respelled_to_the_same_resource_is_quiet(cache: Path) -> None:
    def respell(d: Doc) -> None:
        for method, path in (("get", "/invoices"), ("post", "/invoices")):
            op(d, method, path)["tags"] = ["invoices"]
        for method in ("get", "delete"):
            op(d, method, "/invoices/{id}")["tags"] = ["invoices"]
        d["tags"] = [{"name": "invoices"}]

    result = run(cache, respell)
    [spec] = result.specs
    assert spec.client.available and spec.client.changes == []
    assert {c.rule for c in spec.changes} == {"api-resource-changed"}
    assert spec.breaking == [] and result.exit_status == 0


def test_a_new_required_body_property_breaks_the_flat_overload(cache: Path) -> None:
    def due(d: Doc) -> None:
        schemas(d)["NewInvoice"]["properties"]["due_date"] = {"type": "string", "format": "date"}
        schemas(d)["NewInvoice"]["required"] = ["amount", "due_date"]

    [spec] = run(cache, due).specs
    added = [c for c in spec.client.changes if c.rule == "client-parameter-added-required"]
    # every overload is read: the implementation's catch-all signature would say "optional"
    assert [c.subject for c in added] == ["client.invoices.create_invoice"]
    assert "due_date added (required)" in added[0].message


def test_removing_an_auth_scheme_changes_the_constructor(cache: Path) -> None:
    def two_schemes(d: Doc) -> None:
        d["components"]["securitySchemes"]["basic"] = {"type": "http", "scheme": "basic"}
        d["security"] = [{"bearer": []}, {"basic": []}]

    def drop_basic(d: Doc) -> None:
        d["components"]["securitySchemes"].pop("basic")
        d["security"] = [{"bearer": []}]

    result = run(cache, drop_basic, before=two_schemes)
    [spec] = result.specs
    removed = {c.message for c in spec.client_unacknowledged if c.subject == "InvoicesClient(...)"}
    # the client constructor is compared: its username/password/auth_scheme arguments go
    assert {"parameter username removed", "parameter password removed"} <= removed, removed
    assert result.exit_status == 1


def test_security_opt_out_on_one_operation_is_quiet(cache: Path) -> None:
    result = run(cache, lambda d: op(d, "get", "/invoices").__setitem__("security", []))
    [spec] = result.specs
    assert [(c.rule, c.level.value) for c in spec.changes] == [("api-security-removed", "info")]
    assert result.exit_status == 0


def test_a_new_oneof_branch_in_a_response_is_one_breaking_change(cache: Path) -> None:
    def before(d: Doc) -> None:
        schemas(d)["Invoice"]["properties"]["customer"] = {
            "oneOf": [{"$ref": "#/components/schemas/Customer"}, {"type": "null"}]
        }

    def edit(d: Doc) -> None:
        schemas(d)["Invoice"]["properties"]["customer"]["oneOf"].insert(
            1, {"$ref": "#/components/schemas/Line"}
        )

    result = run(cache, edit, before=before)
    [spec] = result.specs
    assert [(c.rule, c.location) for c in spec.breaking] == [
        ("response-property-one-of-added", "#/components/schemas/Invoice/properties/customer")
    ]
    assert not [c for c in spec.changes if "property-removed" in c.rule]
    assert result.exit_status == 1


def test_a_removed_required_response_header_fails(cache: Path) -> None:
    header = {"X-Request-Id": {"required": True, "schema": {"type": "string"}}}

    def before(d: Doc) -> None:
        op(d, "get", "/invoices")["responses"]["200"]["headers"] = dict(header)

    result = run(
        cache, lambda d: op(d, "get", "/invoices")["responses"]["200"].pop("headers"), before=before
    )
    [spec] = result.specs
    assert [c.rule for c in spec.breaking] == ["required-response-header-removed"]
    assert result.exit_status == 1


def test_a_ref_typo_is_one_unresolved_ref_not_removed_properties(cache: Path) -> None:
    def typo(d: Doc) -> None:
        op(d, "get", "/invoices/{id}")["responses"]["200"]["content"]["application/json"][
            "schema"
        ] = {"$ref": "#/components/schemas/Invoce"}

    [spec] = run(cache, typo).specs
    assert [(c.rule, c.location) for c in spec.breaking] == [
        ("spec-ref-unresolved", "#/components/schemas/Invoce")
    ]
    assert not [c for c in spec.changes if "removed" in c.rule]


def test_lint_errors_fail_and_are_listed() -> None:
    def lint(doc: Document) -> list[Diagnostic]:
        return [doc.diagnostic("#/paths", "an operation has no operationId", rule="op-id")]

    specs = review_texts(
        {"a.yaml": dump(base_spec())}, {"a.yaml": dump(base_spec())}, None, None, lint
    )
    result = ReviewResult("base", "0" * 40, specs)
    assert result.exit_status == 1
    text = to_markdown(result)
    assert "**Result: fails** (lint errors in a.yaml)." in text  # no acknowledgement suggested
    assert "an operation has no operationId" in text


def test_a_spec_that_does_not_parse_suggests_no_acknowledgement() -> None:
    specs = review_texts(
        {"a.yaml": dump(base_spec())}, {"a.yaml": "openapi: [\n"}, None, None, _no_lint
    )
    text = to_markdown(ReviewResult("base", "0" * 40, specs))
    assert "**Result: fails** (a.yaml does not parse in the working tree).\n" in text
    assert "x-breaking-change-ack" not in text


def test_inserting_a_parameter_moves_no_curation_entry(cache: Path) -> None:
    entry = {"issue": "The limit has no documented maximum.", "decision": "Left open."}

    def before(d: Doc) -> None:
        op(d, "get", "/invoices")["parameters"][1]["x-curation"] = [entry]

    def edit(d: Doc) -> None:
        op(d, "get", "/invoices")["parameters"].insert(
            0, {"name": "page", "in": "query", "schema": {"type": "integer"}}
        )

    [spec] = run(cache, edit, before=before).specs
    assert spec.curation == []


def test_reordered_json_schema_extra_is_no_client_change() -> None:
    from generator.review.api import diff_surfaces, surface
    from tests.review.test_api import MODELS

    def models(extra: str) -> str:
        return (
            "from typing import Annotated\nfrom pydantic import BaseModel, Field\n\n"
            f"class Doc(BaseModel):\n    content: Annotated[str, Field({extra})]\n"
        )

    a = models('json_schema_extra={"a": 1, "b": 2}, max_length=5, description="x"')
    b = models('max_length=5, json_schema_extra={"b": 2, "a": 1}, description="y"')
    assert diff_surfaces(surface({MODELS: a}), surface({MODELS: b})) == []
    c = models('json_schema_extra={"a": 1, "b": 2}, max_length=4')
    assert [x.rule for x in diff_surfaces(surface({MODELS: a}), surface({MODELS: c}))] == [
        "client-field-type-changed"
    ]
