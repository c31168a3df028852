"""Reviewing spec texts: statuses, acknowledgements, parse failures, curation, client impact."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from generator.diagnostics import Diagnostic
from generator.diagnostics import Level as DiagLevel
from generator.load import Document
from generator.review.rules import Level
from generator.review.run import ReviewResult, Unavailable, review_texts
from tests.review.specs import base_spec, schemas

NEW_DUE = "POST /invoices request body application/json#/due_date"


def dump(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False)


def breaking_head(**root: Any) -> dict[str, Any]:
    doc = base_spec()
    schemas(doc)["NewInvoice"]["properties"]["due_date"] = {"type": "string", "format": "date"}
    schemas(doc)["NewInvoice"]["required"] = ["amount", "due_date"]
    doc.update(root)
    return doc


def no_render(path: Path) -> dict[PurePosixPath, str]:
    raise Unavailable("not rendered in this test")


def review(old: dict[str, str], new: dict[str, str]) -> ReviewResult:
    return ReviewResult("base", "0" * 40, review_texts(old, new, no_render))


def test_unacknowledged_breaking_change_fails() -> None:
    result = review({"a.yaml": dump(base_spec())}, {"a.yaml": dump(breaking_head())})
    [spec] = result.specs
    assert spec.status == "modified"
    assert [(c.rule, c.where) for c in spec.unacknowledged] == [
        ("new-required-request-property", NEW_DUE)
    ]
    assert result.exit_status == 1


def test_acknowledged_breaking_change_passes() -> None:
    ack = [
        {
            "rule": "new-required-request-property",
            "location": NEW_DUE,
            "reason": "due dates are mandatory now",
        }
    ]
    result = review(
        {"a.yaml": dump(base_spec())},
        {"a.yaml": dump(breaking_head(**{"x-breaking-change-ack": ack}))},
    )
    [spec] = result.specs
    assert len(spec.breaking) == 1 and spec.unacknowledged == []
    assert spec.acks[spec.breaking[0]].reason == "due dates are mandatory now"
    assert spec.unused_acks == []
    assert result.exit_status == 0


def test_ack_on_the_operation_covers_its_changes_of_that_rule() -> None:
    ack = [{"rule": "new-required-request-property", "location": "POST /invoices", "reason": "r"}]
    result = review(
        {"a.yaml": dump(base_spec())},
        {"a.yaml": dump(breaking_head(**{"x-breaking-change-ack": ack}))},
    )
    assert result.exit_status == 0


def test_ack_with_wrong_rule_or_location_does_not_count_and_is_listed() -> None:
    acks = [
        {"rule": "request-property-became-required", "location": NEW_DUE, "reason": "wrong rule"},
        {"rule": "new-required-request-property", "location": "POST /invoice", "reason": "typo"},
    ]
    result = review(
        {"a.yaml": dump(base_spec())},
        {"a.yaml": dump(breaking_head(**{"x-breaking-change-ack": acks}))},
    )
    [spec] = result.specs
    assert result.exit_status == 1
    assert [a.reason for a in spec.unused_acks] == ["wrong rule", "typo"]


def test_acks_kept_from_earlier_changes_are_not_listed_as_unused() -> None:
    old_ack = [
        {"rule": "api-removed-without-deprecation", "location": "GET /old", "reason": "long ago"}
    ]
    before = base_spec() | {"x-breaking-change-ack": old_ack}
    after = base_spec() | {"x-breaking-change-ack": old_ack}
    after["info"]["version"] = "1.1"
    [spec] = review({"a.yaml": dump(before)}, {"a.yaml": dump(after)}).specs
    assert spec.status == "modified" and spec.unused_acks == []


def test_statuses_and_summary_counts() -> None:
    same = dump(base_spec())
    result = review(
        {"same.yaml": same, "gone.yaml": same, "changed.yaml": same},
        {"same.yaml": same, "new.yaml": same, "changed.yaml": dump(breaking_head())},
    )
    by_name = {s.name: s for s in result.specs}
    assert [s.name for s in result.specs] == ["changed.yaml", "gone.yaml", "new.yaml", "same.yaml"]
    assert {n: s.status for n, s in by_name.items()} == {
        "changed.yaml": "modified",
        "gone.yaml": "removed",
        "new.yaml": "added",
        "same.yaml": "unchanged",
    }
    assert by_name["same.yaml"].operations == (4, 4)
    assert by_name["same.yaml"].schemas == (5, 5)
    assert by_name["gone.yaml"].operations == (4, None)
    assert by_name["new.yaml"].operations == (None, 4)
    assert [c.rule for c in by_name["gone.yaml"].changes] == ["spec-removed"]
    assert by_name["gone.yaml"].changes[0].level is Level.WARNING
    assert [c.rule for c in by_name["new.yaml"].changes] == ["spec-added"]


def test_a_spec_that_does_not_parse_is_reported_not_raised() -> None:
    broken = "openapi: 3.1.0\npaths: {\n  /a: [\n"
    result = review(
        {"a.yaml": broken, "b.yaml": dump(base_spec())},
        {"a.yaml": dump(base_spec()), "b.yaml": "- just\n- a list\n"},
    )
    a, b = result.specs
    assert a.status == "unparseable" and a.errors[0].startswith("base: invalid YAML")
    assert not a.failed  # the working tree is fine
    assert b.status == "unparseable" and b.errors[0].startswith(
        "working tree: the document is not a mapping"
    )
    assert b.failed and result.exit_status == 1
    assert not a.client.available and not b.client.available


def test_curation_entries_added_changed_removed() -> None:
    before, after = base_spec(), base_spec()
    before["info"]["x-curation"] = [
        {"issue": "No version.", "decision": "1.0"},
        {"issue": "Old.", "decision": "Gone."},
    ]
    after["info"]["x-curation"] = [{"issue": "No version.", "decision": "1.0 as a placeholder"}]
    schemas(after)["Invoice"]["properties"]["amount"]["x-curation"] = [
        {"issue": "Typed as string.", "decision": "number"}
    ]
    [spec] = review({"a.yaml": dump(before)}, {"a.yaml": dump(after)}).specs
    assert [(c.kind, c.pointer, c.issue, c.decision, c.old_decision) for c in spec.curation] == [
        (
            "added",
            "#/components/schemas/Invoice/properties/amount",
            "Typed as string.",
            "number",
            "",
        ),
        ("changed", "#/info", "No version.", "1.0 as a placeholder", "1.0"),
        ("removed", "#/info", "Old.", "Gone.", ""),
    ]
    assert spec.curation_entries == (2, 2)
    assert spec.changes == []  # curation is not an API change


def test_client_impact_comes_from_both_renders() -> None:
    rendered: list[str] = []

    def render(path: Path) -> dict[PurePosixPath, str]:
        rendered.append(path.parent.name)
        ret = "Invoice" if path.parent.name == "base" else "InvoiceDetail"
        src = f"class Invoices:\n    def get_invoice(self, invoice_id: str) -> {ret}: ...\n"
        return {PurePosixPath("a/a_client/resources/invoices.py"): src}

    specs = review_texts({"a.yaml": dump(base_spec())}, {"a.yaml": dump(breaking_head())}, render)
    assert sorted(rendered) == ["base", "head"]
    assert [str(c) for c in specs[0].client.changes] == [
        "client.invoices.get_invoice: return type Invoice -> InvoiceDetail"
    ]


def test_unchanged_specs_are_not_rendered() -> None:
    def render(path: Path) -> dict[PurePosixPath, str]:
        raise AssertionError("rendered an unchanged spec")

    [spec] = review_texts({"a.yaml": dump(base_spec())}, {"a.yaml": dump(base_spec())}, render)
    assert spec.status == "unchanged" and spec.client.available and spec.client.changes == []


def test_unavailable_client_impact_keeps_the_reason() -> None:
    [spec] = review({"a.yaml": dump(base_spec())}, {"a.yaml": dump(breaking_head())}).specs
    assert not spec.client.available and spec.client.reason == "not rendered in this test"


def test_lint_status_counts_errors_and_warnings() -> None:
    def lint(doc: Document) -> list[Diagnostic]:
        return [
            Diagnostic(doc.display, "#", "bad", DiagLevel.ERROR),
            Diagnostic(doc.display, "#/info", "meh", DiagLevel.WARNING),
            Diagnostic(doc.display, "#/paths", "meh", DiagLevel.WARNING),
        ]

    [spec] = review_texts({}, {"a.yaml": dump(base_spec())}, no_render, linter=lint)
    assert spec.lint == "1 error, 2 warnings"
    [clean] = review_texts({}, {"a.yaml": dump(base_spec())}, no_render, linter=lambda doc: [])
    assert clean.lint == "ok"


def test_lint_and_renders_are_cached_by_content(tmp_path: Path) -> None:
    calls: list[str] = []

    def lint(doc: Document) -> list[Diagnostic]:
        calls.append(doc.path.name)
        return [Diagnostic(doc.display, "#", "meh", DiagLevel.WARNING)]

    for _ in range(2):
        [spec] = review_texts(
            {}, {"a.yaml": dump(base_spec())}, no_render, cache_dir=tmp_path, linter=lint
        )
        assert spec.lint == "1 warning"
    assert calls == ["a.yaml"]
    review_texts({}, {"a.yaml": dump(breaking_head())}, no_render, cache_dir=tmp_path, linter=lint)
    assert calls == ["a.yaml", "a.yaml"]  # new text, new key


def test_ack_on_a_schema_covers_that_rule_for_every_property_inside_it() -> None:
    """Issue 10 made every property of a response schema optional: one ack on the schema, not one
    per property. It covers only its rule, and only inside that schema."""
    after = base_spec()
    schemas(after)["Invoice"]["required"] = []
    schemas(after)["Line"]["required"] = []
    ack = [{"rule": "response-property-became-optional", "location": "#/components/schemas/Invoice", "reason": "r"}]
    [spec] = review({"a.yaml": dump(base_spec())}, {"a.yaml": dump(after | {"x-breaking-change-ack": ack})}).specs
    unacknowledged = sorted(c.location for c in spec.unacknowledged)
    assert unacknowledged == ["#/components/schemas/Line/properties/amount"]
    assert len(spec.acks) == 2  # Invoice's id and amount
    other_rule = [{**ack[0], "rule": "response-property-type-generalized"}]
    [spec] = review({"a.yaml": dump(base_spec())}, {"a.yaml": dump(after | {"x-breaking-change-ack": other_rule})}).specs
    assert len(spec.unacknowledged) == 3
