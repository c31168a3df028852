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

from generator.review.git import CI_TARGET_VARIABLES
from tests.review.specs import base_spec
from tests.review.test_run import breaking_head, dump

ROOT = Path(__file__).resolve().parents[2]
DUE = "POST /invoices request body application/json#/due_date"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def specgen(
    repo: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # the CI's own target-branch variables must not leak into these repositories
    clean = {k: v for k, v in os.environ.items() if k not in CI_TARGET_VARIABLES}
    env = {**clean, "PYTHONPATH": str(ROOT), **(env or {})}
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
    due = [c for c in impact["changes"] if c["subject"] == "models.NewInvoice.due_date"]
    assert [(c["rule"], c["level"], c["message"], c["follows"]) for c in due] == [
        (
            "client-field-added-required",
            "breaking",
            "field added (required): date",
            # one cause: the client change follows the spec change, so one ack covers both
            {"rule": "new-required-request-property", "location": "POST /invoices"},
        )
    ]


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


def _shallow_clone(repo: Path, dest: Path, branch: str) -> Path:
    git(
        dest.parent,
        "clone",
        "-q",
        "--depth",
        "1",
        "--branch",
        branch,
        f"file://{repo}",
        str(dest),
    )
    return dest


def test_shallow_clone_without_main_fails_in_one_line(repo: Path, tmp_path: Path) -> None:
    clone = _shallow_clone(repo, tmp_path / "clone", "feature")
    refs = git(clone, "branch", "-a", "--format=%(refname)").split()
    assert not [r for r in refs if r.endswith("/main")], refs
    proc = specgen(clone)
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("specgen review: cannot choose a base revision: no main")
    assert "BASE" in proc.stderr


def test_shallow_clone_with_the_target_fetched_but_no_history(repo: Path, tmp_path: Path) -> None:
    clone = _shallow_clone(repo, tmp_path / "clone", "feature")
    git(clone, "fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main")
    proc = specgen(clone, env={"GITHUB_BASE_REF": "main"})
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.strip() == (
        "specgen review: cannot choose a base revision: HEAD has no common ancestor with "
        "origin/main; fetch more history (git fetch --unshallow) or set BASE"
    )
    git(clone, "fetch", "-q", "--unshallow")
    proc = specgen(clone, "--format", "json", env={"GITHUB_BASE_REF": "main"})
    data = _json(proc)
    assert data["base"] == {
        "label": "merge-base with origin/main (from GITHUB_BASE_REF)",
        "commit": git(repo, "rev-parse", "main").strip(),
    }
    assert proc.returncode == 1  # the breaking change of the feature branch is seen
    assert {s["name"]: s["status"] for s in data["specs"]}["legacy.yaml"] == "removed"


def test_no_main_uses_the_ci_target_branch(repo: Path) -> None:
    git(repo, "branch", "-m", "main", "trunk")
    proc = specgen(repo)
    assert proc.returncode == 1 and proc.stdout == ""
    assert "cannot choose a base revision" in proc.stderr
    data = _json(
        specgen(
            repo,
            "--format",
            "json",
            env={"CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "trunk"},
        )
    )
    assert (
        data["base"]["label"] == "merge-base with trunk (from CI_MERGE_REQUEST_TARGET_BRANCH_NAME)"
    )
    assert data["base"]["commit"] == git(repo, "rev-parse", "trunk").strip()


def test_origin_main_when_there_is_no_local_main(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "full"
    git(tmp_path, "clone", "-q", "--branch", "feature", f"file://{repo}", str(clone))
    assert "refs/heads/main" not in git(clone, "branch", "-a", "--format=%(refname)").split()
    data = _json(specgen(clone, "--format", "json"))
    assert data["base"] == {
        "label": "merge-base with origin/main",
        "commit": git(repo, "rev-parse", "main").strip(),
    }
    assert "merge-base with origin/main" in specgen(clone).stdout
