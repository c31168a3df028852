"""End to end: a temporary git repository with two commits, reviewed by `python -m generator review`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.review.specs import base_spec
from tests.review.test_run import breaking_head, dump

ROOT = Path(__file__).resolve().parents[2]
DUE = "POST /invoices request body application/json#/due_date"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def specgen(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "generator", "review", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "review@example.com")
    git(repo, "config", "user.name", "Review Test")
    git(repo, "config", "commit.gpgsign", "false")
    (repo / "specs" / "invoices.yaml").write_text(dump(base_spec()))
    (repo / "specs" / "stable.yaml").write_text(dump(base_spec()))
    (repo / "specs" / "legacy.yaml").write_text(dump(base_spec()))
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "specs" / "invoices.yaml").write_text(dump(breaking_head()))
    (repo / "specs" / "legacy.yaml").unlink()
    git(repo, "add", "-A", "specs")
    git(repo, "commit", "-q", "-m", "due_date becomes mandatory; legacy API dropped")
    return repo


def _json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.stderr == "", proc.stderr
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def test_review_between_two_commits(repo: Path) -> None:
    proc = specgen(repo, "--format", "json")
    data = _json(proc)
    assert proc.returncode == 1
    assert data["base"]["label"] == "merge-base with main"
    assert data["base"]["commit"] == git(repo, "rev-parse", "main").strip()
    specs = {s["name"]: s for s in data["specs"]}
    assert {n: s["status"] for n, s in specs.items()} == {
        "invoices.yaml": "modified",
        "legacy.yaml": "removed",
        "stable.yaml": "unchanged",
    }
    invoices = specs["invoices.yaml"]
    assert [
        (c["rule"], c["level"], c["location"], c["detail"], c["acknowledged"])
        for c in invoices["changes"]
    ] == [
        (
            "new-required-request-property",
            "breaking",
            "POST /invoices",
            "request body application/json#/due_date",
            False,
        )
    ]
    assert invoices["summary"]["lint"] != "n/a"
    impact = invoices["client_impact"]
    assert impact["available"], impact["reason"]
    assert {
        "level": "breaking",
        "subject": "models.NewInvoice.due_date",
        "message": "field added (required): date",
    } in impact["changes"]


def test_acknowledging_in_the_working_tree_makes_it_pass(repo: Path) -> None:
    ack = {
        "rule": "new-required-request-property",
        "location": DUE,
        "reason": "the API now rejects invoices without one",
    }
    doc = yaml.safe_load((repo / "specs" / "invoices.yaml").read_text())
    doc["x-breaking-change-ack"] = [ack]
    (repo / "specs" / "invoices.yaml").write_text(dump(doc))
    proc = specgen(repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "acknowledged: the API now rejects invoices without one" in proc.stdout
    assert "**Result: passes**" in proc.stdout


def test_explicit_base_and_working_tree_edits(repo: Path) -> None:
    proc = specgen(repo, "--base", "HEAD", "--format", "json")
    assert proc.returncode == 0
    assert {s["status"] for s in _json(proc)["specs"]} == {"unchanged"}
    (repo / "specs" / "stable.yaml").write_text("openapi: [unclosed\n")
    proc = specgen(repo, "--base", "HEAD", "--format", "json")
    stable = {s["name"]: s for s in _json(proc)["specs"]}["stable.yaml"]
    assert stable["status"] == "unparseable" and stable["errors"][0].startswith(
        "working tree: invalid YAML"
    )
    assert proc.returncode == 1


def test_unknown_base_is_one_line_not_a_traceback(repo: Path) -> None:
    proc = specgen(repo, "--base", "no-such-branch")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.strip() == "specgen review: unknown revision 'no-such-branch'"


def test_on_main_itself_the_base_is_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "main")
    proc = specgen(repo, "--format", "json")
    data = _json(proc)
    assert data["base"]["commit"] == git(repo, "rev-parse", "HEAD").strip()
    assert proc.returncode == 0


def test_base_client_comes_from_the_committed_generated_package(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "specs").mkdir(parents=True)
    pkg = repo / "generated" / "invoices" / "invoices_client"
    (pkg / "resources").mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "review@example.com")
    git(repo, "config", "user.name", "Review Test")
    (repo / "specs" / "invoices.yaml").write_text(dump(base_spec()))
    # what `make generate` committed for the base: read, not re-rendered
    (pkg / "models.py").write_text(
        "from pydantic import BaseModel\n\n\nclass OnlyInCommitted(BaseModel):\n    x: int\n"
    )
    (pkg / "resources" / "invoices.py").write_text(
        "class Invoices:\n    def legacy_call(self) -> None: ...\n"
    )
    (pkg / "_client.py").write_text("raise SystemExit('not an API file: never read')\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    (repo / "specs" / "invoices.yaml").write_text(dump(breaking_head()))
    data = _json(specgen(repo, "--base", "HEAD", "--format", "json"))
    impact = data["specs"][0]["client_impact"]
    assert impact["available"], impact["reason"]
    messages = {f"{c['subject']}: {c['message']}" for c in impact["changes"]}
    assert "models.OnlyInCommitted: model removed" in messages
    assert "client.invoices.legacy_call: method removed" in messages
    assert "models.NewInvoice: model added" in messages
