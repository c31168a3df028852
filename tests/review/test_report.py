"""The markdown report against a golden file, and the JSON report's shape.

Rewrite the golden file after an intended change with SPECGEN_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os
from pathlib import Path, PurePosixPath

from generator.diagnostics import Diagnostic
from generator.load import Document
from generator.review.report import to_data, to_github, to_json, to_markdown
from generator.review.rules import rules_markdown
from generator.review.run import ReviewResult, review_texts
from tests.review.specs import base_spec, op, schemas
from tests.review.test_api import (
    MODELS,
    MODELS_AFTER,
    MODELS_BEFORE,
    RES,
    RESOURCE_AFTER,
    RESOURCE_BEFORE,
)
from tests.review.test_run import dump

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "review.md"


def _render(path: Path) -> dict[PurePosixPath, str]:
    """Hand-written client sources standing in for the generator, so the golden file only
    changes when the report does."""
    if path.parent.name == "base":
        return {RES: RESOURCE_BEFORE, MODELS: MODELS_BEFORE}
    return {RES: RESOURCE_AFTER, MODELS: MODELS_AFTER}


def _no_lint(doc: Document) -> list[Diagnostic]:
    return []  # the lint has its own tests; its findings would only make this file churn


def _result() -> ReviewResult:
    before = base_spec()
    before["info"]["x-curation"] = [
        {"issue": "The document gives no version.", "decision": "1.0 as a placeholder."},
        {"issue": "Title | with a pipe.", "decision": "Kept as is."},
    ]
    after = base_spec()
    after["info"]["x-curation"] = [
        {"issue": "The document gives no version.", "decision": "1.0, as the URL says /v1."}
    ]
    props = schemas(after)["NewInvoice"]["properties"]
    props["due_date"] = {
        "type": "string",
        "format": "date",
        "x-curation": [
            {
                "issue": '"Due date (optional)" in the table,\nbut the API rejects invoices without it.',
                "decision": "Required.",
            }
        ],
    }
    schemas(after)["NewInvoice"]["required"] = ["amount", "due_date"]
    schemas(after)["Invoice"]["properties"]["status"]["enum"] = ["draft", "sent", "paid"]
    op(after, "get", "/invoices")["parameters"].pop(0)
    after["paths"]["/invoices/{id}"].pop("delete")
    after["x-breaking-change-ack"] = [
        {
            "rule": "new-required-request-property",
            "location": "POST /invoices",
            "reason": "The API enforces it since March.",
        },
        {
            "rule": "api-removed-without-deprecation",
            "location": "DELETE /invoices/{id}",
            "reason": "wrong rule: a typo",
        },
    ]
    schemas(after)["Invoice"]["properties"]["amount"]["type"] = "string"
    old = {
        "invoices.yaml": dump(before),
        "stable.yaml": dump(base_spec()),
        "broken.yaml": dump(base_spec()),
    }
    new = {
        "invoices.yaml": dump(after),
        "stable.yaml": dump(base_spec()),
        "broken.yaml": "paths: [\n",
        "fresh.yaml": dump(base_spec()),
    }
    return ReviewResult(
        "main",
        "0123456789abcdef0123456789abcdef01234567",
        review_texts(old, new, _render, linter=_no_lint),
    )


def test_markdown_matches_golden() -> None:
    text = to_markdown(_result())
    if os.environ.get("SPECGEN_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_markdown_is_deterministic_and_tables_are_well_formed() -> None:
    a, b = to_markdown(_result()), to_markdown(_result())
    assert a == b
    for line in a.splitlines():
        if line.startswith("| ") and not line.startswith("| ---"):
            cells = line.replace("\\|", "").count("|")
            assert cells in (4, 8), line  # 3-column change tables, 7-column summary


def test_json_report_has_the_same_data_with_stable_keys() -> None:
    result = _result()
    data = json.loads(to_json(result))
    assert data == to_data(result)
    assert to_json(result) == to_json(_result())
    assert list(data) == ["base", "exit_status", "specs"]
    assert data["exit_status"] == 1
    specs = {s["name"]: s for s in data["specs"]}
    assert [s["name"] for s in data["specs"]] == sorted(specs)
    inv = specs["invoices.yaml"]
    assert set(inv) == {
        "name",
        "status",
        "errors",
        "summary",
        "lint_findings",
        "changes",
        "unused_acks",
        "client_impact",
        "curation",
    }
    assert inv["summary"] == {
        "operations": {"base": 4, "head": 3},
        "schemas": {"base": 5, "head": 5},
        "curation_entries": {"base": 2, "head": 2},
        "lint": "ok",  # _no_lint finds nothing
        # 2 spec changes (the shared Invoice.amount retype is one) and 12 client changes, one of
        # them (models.Invoice.amount) following the spec change, so counted through it
        "breaking": 2 + 13 - 1,
        "unacknowledged": 1 + 12,
    }
    acked = [c for c in inv["changes"] if c["acknowledged"]]
    assert [(c["rule"], c["ack_reason"]) for c in acked] == [
        ("new-required-request-property", "The API enforces it since March.")
    ]
    assert [a["reason"] for a in inv["unused_acks"]] == ["wrong rule: a typo"]
    assert specs["broken.yaml"]["status"] == "unparseable"
    assert specs["fresh.yaml"]["status"] == "added"
    assert "client.invoices.get_invoice: return type Invoice -> InvoiceDetail" in {
        f"{c['subject']}: {c['message']}" for c in inv["client_impact"]["changes"]
    }


def test_github_annotations_point_at_the_changed_line() -> None:
    result = _result()
    lines = to_github(result).splitlines()
    amount = [line for line in lines if "response-property-type-changed" in line]
    assert len(amount) == 1  # one annotation for the shared schema, not one per operation
    # the line of Invoice/properties/amount in the working-tree spec (dumped by tests.review)
    invoices = next(s for s in result.specs if s.name == "invoices.yaml")
    assert invoices.doc is not None
    expected = invoices.doc.text.splitlines().index("        amount:") + 1
    assert amount[0].startswith(
        f"::error file=invoices.yaml,line={expected},title=response-property-type-changed::"
    )
    assert "GET /invoices/{id} response 200 application/json#/amount" in amount[0]
    # the message part keeps its colons; only properties escape them
    assert any(
        line.startswith("::error file=broken.yaml,title=does not parse::working tree: invalid YAML")
        for line in lines
    ), lines
    assert any("client-method-removed" in line for line in lines)
    assert lines[-1].startswith("::notice title=specgen review::against main (0123456789ab): fails")
    # acknowledged changes and infos are not annotated
    assert not [line for line in lines if "new-required-request-property" in line]
    assert not [line for line in lines if "api-removed-with-deprecation" in line]


def test_committed_rule_table_is_current() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "review-rules.md"
    assert (
        doc.read_text(encoding="utf-8") == rules_markdown()
    ), "docs/review-rules.md is stale: python -m generator review --rules docs/review-rules.md"
