"""specgen corpus: the per-spec runner and its report, plus the generator bugs the corpus exposed
(each reproduced here by a small spec, so the default test run covers them without the corpus)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from generator.corpus import (
    SpecReport,
    check_spec,
    corpus_command,
    count_operations,
    generated_tests,
    import_failure,
    spec_counts,
    summary,
    table,
    targets_met,
    to_json,
)
from generator.pipeline import render_spec
from tests.conftest import models_source

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.tsv").is_file(), reason="no ../shared/corpus"
)


def _spec(
    tmp_path: Path, paths: dict[str, Any], schemas: dict[str, Any], name: str = "api.json"
) -> Path:
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "T", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _get(op_id: str, ref: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ref}"}
    return {
        "get": {
            "operationId": op_id,
            "responses": {
                "200": {"description": "ok", "content": {"application/json": {"schema": schema}}}
            },
        }
    }


def _module(result: Any, suffix: str) -> str:
    return next(text for rel, text in result.files.items() if str(rel).endswith(suffix))


# -- the runner, on real corpus specs ----------------------------------------------------------


@needs_corpus
def test_small_corpus_specs_generate_import_and_pass_mypy(tmp_path: Path) -> None:
    report = check_spec(CORPUS / "wolframalpha.com.json", tmp_path / "w")
    assert report.error is None
    assert report.generated and report.imports
    assert report.operations == report.spec_operations == 2
    assert report.mypy_errors == 0
    assert report.tests_passed and report.tests_passed >= 10  # its generated tests/ ran
    assert (report.tests_failed, report.tests_skipped) == (0, 0)
    assert report.peak_mb > 10  # a real process's resident set, not a placeholder

    report = check_spec(CORPUS / "pay1.de__link.json", tmp_path / "p", mypy=False)
    assert report.generated and report.imports and report.mypy_errors is None
    assert report.operations == report.spec_operations == 4
    assert report.typed_operations == report.documented_success == 4
    assert report.warnings >= 1  # its formats 'css' and 'url' are unknown to the model generator


def test_a_spec_it_cannot_handle_gets_one_line_not_a_crash(tmp_path: Path) -> None:
    spec = tmp_path / "broken.json"
    spec.write_text(
        '{"openapi": "3.0.0", "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/nope"}}}}}',
        encoding="utf-8",
    )
    report = check_spec(spec, tmp_path / "w", mypy=False)
    assert not report.generated and report.imports is None and report.tests_failed is None
    assert report.error and "\n" not in report.error
    assert not report.error.startswith("specgen crashed")


def test_a_worker_over_its_time_is_killed_and_reported(tmp_path: Path) -> None:
    spec = _spec(
        tmp_path,
        {"/a": _get("getA", "A")},
        {"A": {"type": "object", "properties": {"x": {"type": "string"}}}},
    )
    report = check_spec(spec, tmp_path / "w", mypy=False, timeout=0.05)
    assert not report.generated
    assert report.error is not None and report.error.startswith("specgen crashed (killed after")


def test_spec_counts_are_none_for_a_spec_that_does_not_load(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"openapi": ', encoding="utf-8")
    assert spec_counts(bad) == (None, None)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"paths": {"/a": {"get": {"responses": {"204": {}}}}}}), encoding="utf-8")
    assert spec_counts(good) == (1, 0)


def test_the_worker_starts_its_model_worker_before_importing_specgen() -> None:
    import subprocess
    import sys

    probe = "import sys, generator.corpus_worker; print(sorted(m for m in sys.modules if m.startswith('generator')))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.replace("'", '"')) == ["generator", "generator.corpus_worker", "generator.workers"]


def test_every_module_must_import_not_just_the_package(tmp_path: Path) -> None:
    """GitHub: models/_timeline_issue_events.py raised NameError, but models are imported lazily,
    so `import github_client` passed."""
    models = tmp_path / "root" / "pkg" / "models"
    models.mkdir(parents=True)
    (models.parent / "__init__.py").write_text("", encoding="utf-8")
    (models / "__init__.py").write_text("", encoding="utf-8")
    (models / "_fine.py").write_text("X = 1\n", encoding="utf-8")
    assert import_failure(models.parent.parent, "pkg", tmp_path) is None
    (models / "_timeline.py").write_text("class A:\n    b: Missing\n", encoding="utf-8")
    (models / "_worse.py").write_text("raise ValueError('bad')\n", encoding="utf-8")
    assert import_failure(models.parent.parent, "pkg", tmp_path) == (
        "pkg.models._timeline: NameError: name 'Missing' is not defined (and 1 more failing)"
    )


def test_generated_tests_are_counted_from_pytest_summary(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_x.py").write_text(
        "import pytest\n"
        "@pytest.fixture\n"
        "def broken():\n    raise RuntimeError('no fixture')\n"
        "def test_ok():\n    pass\n"
        "def test_ok_too():\n    pass\n"
        "def test_bad():\n    assert 1 == 2\n"
        "@pytest.mark.skip\n"
        "def test_skipped():\n    pass\n"
        "def test_needs_broken(broken):\n    pass\n",
        encoding="utf-8",
    )
    passed, failed, skipped, first = generated_tests(tmp_path)
    assert (passed, failed, skipped) == (2, 2, 1)  # the fixture's error counts as a failure
    assert first == "FAILED tests/test_x.py::test_bad - assert 1 == 2"
    (tests / "test_x.py").unlink()
    (tests / "test_y.py").write_text("def test_y():\n    pass\n", encoding="utf-8")
    assert generated_tests(tmp_path) == (1, 0, 0, None)
    (tests / "test_y.py").unlink()
    tests.rmdir()
    passed, failed, skipped, first = generated_tests(tmp_path)  # pytest: "no tests ran", exit 4
    assert (passed, failed, skipped) == (None, None, None)
    assert first is not None and first.startswith("did not run (exit 4)")


def test_count_operations_follows_response_refs() -> None:
    doc = {
        "paths": {
            "/a": {
                "get": {"responses": {"200": {"$ref": "#/components/responses/Ok"}}},
                "delete": {"responses": {"204": {"description": "gone"}}},
                "parameters": [],
            },
            "/b": {
                "post": {
                    "responses": {"default": {"description": "x", "content": {"text/plain": {}}}}
                }
            },
        },
        "components": {
            "responses": {"Ok": {"description": "ok", "content": {"application/json": {}}}}
        },
    }
    assert count_operations(doc) == (3, 2)
    assert count_operations({"paths": None}) == (0, 0)


# -- the report --------------------------------------------------------------------------------


def _report(spec: str, **changes: Any) -> SpecReport:
    fields: dict[str, Any] = {
        "spec": spec,
        "bytes": 2048,
        "spec_operations": 3,
        "documented_success": 2,
        "generated": True,
        "operations": 3,
        "typed_operations": 2,
        "warnings": 1,
        "degraded": 1,
        "imports": True,
        "mypy_errors": 0,
        "black_changes": 0,
        "tests_passed": 5,
        "tests_failed": 0,
        "tests_skipped": 1,
        "seconds": 1.25,
        "peak_mb": 80.0,
        "mypy_seconds": 3.0,
        "error": None,
    }
    fields.update(changes)
    return SpecReport(**fields)


def test_report_json_shape_and_targets() -> None:
    good = [_report(f"s{i}.json") for i in range(9)]
    data = to_json(Path("corpus"), [*good, _report("dirty.json", mypy_errors=4)])
    assert set(data) == {"corpus", "summary", "targets_met", "specs"}
    assert data["targets_met"] is True  # 9 of 10 mypy-clean is the 90 % target
    assert data["summary"]["mypy_clean"] == 9 and data["summary"]["operations"] == 30
    assert data["summary"]["black_changes"] == 0
    assert to_json(Path("c"), [_report("x.json", black_changes=3)])["summary"]["black_changes"] == 3
    assert set(data["specs"][0]) == {
        "spec",
        "bytes",
        "spec_operations",
        "documented_success",
        "generated",
        "operations",
        "typed_operations",
        "warnings",
        "degraded",
        "imports",
        "mypy_errors",
        "black_changes",
        "tests_passed",
        "tests_failed",
        "tests_skipped",
        "seconds",
        "peak_mb",
        "mypy_seconds",
        "error",
    }
    json.dumps(data)  # serialisable as written by --json

    missing_op = _report("partial.json", operations=2)
    assert not targets_met([*good, missing_op])
    crashed = _report(
        "c.json",
        generated=False,
        imports=None,
        operations=0,
        error="specgen crashed (exit 1): boom",
    )
    assert summary([crashed])["crashes"] == 1
    text = table([crashed, good[0]])
    assert "c.json: specgen crashed (exit 1): boom" in text
    assert "s0.json" in text and "3/3" in text

    failing = _report("f.json", tests_passed=3, tests_failed=2, tests_skipped=0)
    assert not targets_met([*good, failing])
    not_run = _report("n.json", tests_passed=None, tests_failed=None, tests_skipped=None)
    assert not targets_met([*good, not_run])
    totals = summary([good[0], failing])
    assert (totals["tests_passed"], totals["tests_failed"], totals["tests_skipped"]) == (8, 2, 1)
    assert totals["tests_clean"] == 1
    rows = table([failing, not_run]).splitlines()
    assert "pass/fail/skip" in rows[0]
    assert " 3/2/0 " in rows[2] and " - " in rows[3]


def test_corpus_command_reports_a_folder_of_specs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _spec(
        corpus,
        {"/a": _get("getA", "A")},
        {"A": {"type": "object", "properties": {"x": {"type": "string"}}}},
    )
    out = tmp_path / "report.json"
    code = corpus_command(corpus, json_out=out, jobs=1, mypy=False)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [s["spec"] for s in data["specs"]] == ["api.json"]
    assert data["specs"][0]["generated"] and data["specs"][0]["imports"]
    assert data["specs"][0]["tests_passed"] > 0 and data["specs"][0]["tests_failed"] == 0
    assert data["summary"]["tests_clean"] == 1
    assert code == 1  # mypy was not run, so the mypy target cannot be met
    assert "api.json" in capsys.readouterr().out


# -- generator bugs the corpus exposed ---------------------------------------------------------


def test_union_component_with_snake_case_refs_resolves(tmp_path: Path) -> None:
    """Stripe/GitHub: a response that is a oneOf of components whose keys are not class names
    crashed the resolver with KeyError."""
    obj = {"type": "object", "properties": {"id": {"type": "string"}}}
    spec = _spec(
        tmp_path,
        {"/s": _get("getSource", "payment_source")},
        {
            "payment_source": {
                "anyOf": [
                    {"$ref": "#/components/schemas/bank_account"},
                    {"$ref": "#/components/schemas/card"},
                ]
            },
            "bank_account": obj,
            "card": {**obj, "properties": {"brand": {"type": "string"}}},
        },
    )
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    assert "-> BankAccount | Card:" in _module(result, "resources/s.py")
    assert result.typed_operations == 1


def test_inline_model_never_takes_a_component_class_name(tmp_path: Path) -> None:
    """Stripe: an inline model named after its field (`source`) took the class name of the component
    `source`, which became `Source1`, so operations returning a source were typed with the wrong class."""
    spec = _spec(
        tmp_path,
        {"/fee": _get("getFee", "fee"), "/source": _get("getSource", "source")},
        {
            "fee": {
                "type": "object",
                "properties": {
                    "source": {"type": "object", "properties": {"inline_only": {"type": "string"}}},
                    "balance_transaction": {
                        "anyOf": [
                            {"type": "string", "maxLength": 50},
                            {"$ref": "#/components/schemas/balance_transaction"},
                        ]
                    },
                },
            },
            "source": {"type": "object", "properties": {"component_only": {"type": "integer"}}},
            "balance_transaction": {
                "type": "object",
                "properties": {"amount": {"type": "integer"}},
            },
        },
    )
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    models = models_source(result.files)
    source_class = models.split("class Source(BaseModel):", 1)[1].split("\nclass ", 1)[0]
    assert "component_only" in source_class and "inline_only" not in source_class
    assert "class BalanceTransaction(BaseModel):" in models
    assert "-> Source:" in _module(result, "resources/source.py")
    assert result.typed_operations == 2


def test_body_field_named_options_does_not_shadow_the_request(tmp_path: Path) -> None:
    """Klarna: a body property `options` was assigned over the method's own `options` local."""
    body = {"type": "object", "properties": {"options": {"type": "string"}}}
    spec = _spec(
        tmp_path,
        {
            "/s": {
                "post": {
                    "operationId": "createSession",
                    "requestBody": {"content": {"application/json": {"schema": body}}},
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
        {},
    )
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    module = _module(result, "resources/s.py")
    assert "options_2: str | None = None" in module
    assert '"options": options_2' in module


def test_defaults_the_field_type_rejects_are_dropped(tmp_path: Path) -> None:
    """paypi, GitHub: `type: string, default: 10` and `format: uri, default: ""` gave models that
    assign an int or a str to fields typed str and AnyUrl."""
    spec = _spec(
        tmp_path,
        {"/a": _get("getA", "A")},
        {
            "A": {
                "type": "object",
                "properties": {
                    "limit": {"type": "string", "default": 10},
                    "url": {"type": "string", "format": "uri", "default": ""},
                    "flag": {"type": "boolean", "default": "yes"},
                    "kept": {"type": "integer", "default": 3},
                },
            }
        },
    )
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    models = models_source(result.files)
    assert "limit: str | None = None" in models
    assert "url: AnyUrl | None = None" in models
    assert "flag: bool | None = None" in models
    assert "kept: int | None = 3" in models


def test_implicit_discriminator_values_are_the_component_keys(tmp_path: Path) -> None:
    """An unmapped oneOf variant's discriminator value is its component key (OpenAPI), not the
    class name the model generator sees."""
    variant = {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}, "n": {"type": "integer"}},
    }
    spec = _spec(
        tmp_path,
        {"/e": _get("getEvent", "event")},
        {
            "event": {
                "oneOf": [
                    {"$ref": "#/components/schemas/ping_event"},
                    {"$ref": "#/components/schemas/PayEvent"},
                ],
                "discriminator": {
                    "propertyName": "kind",
                    "mapping": {"pay": "PayEvent"},
                },
            },
            "ping_event": variant,
            "PayEvent": variant,
        },
    )
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    models = models_source(result.files)
    assert 'Literal["ping_event"]' in models
    assert 'Literal["pay"]' in models
    assert "SpecgenComponent" not in "".join(result.files.values())


def test_a_schema_named_page_does_not_clash_with_the_runtime_page(tmp_path: Path) -> None:
    """GitHub: a `page` schema became models.Page, imported over _pagination.Page in __init__."""
    obj = {"type": "object", "properties": {"url": {"type": "string"}}}
    holder = {
        "type": "object",
        "properties": {"page": obj},
    }  # an inline model the generator names Page
    spec = _spec(
        tmp_path,
        {"/p": _get("getPage", "page"), "/h": _get("getHolder", "holder")},
        {"page": obj, "holder": holder},
    )
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    init = _module(result, "_client/__init__.py")
    assert "from ._pagination import AsyncPager, Page, SyncPager" in init
    assert "    Page_2,\n" in init
    assert "    HolderPage,\n" in init  # an inline model is named after its owner and field
    assert "\n    Page,\n" not in init.split("from .models import", 1)[1]


def test_peak_memory_is_the_commands_own_not_the_measuring_process() -> None:
    import sys

    from generator.corpus import run_measured

    ballast = bytearray(200 * 1024 * 1024)  # the measuring process is large, as the bench is
    ballast[:: 4096] = b"\1" * len(ballast[:: 4096])
    grow = "x = bytearray(60 * 1024 * 1024)\nx[::4096] = b'\\1' * len(x[::4096])\nprint('ok')"
    code, stdout, _, peak = run_measured([sys.executable, "-c", grow], cwd=Path("."), env=dict(os.environ), timeout=60)
    assert (code, stdout.strip()) == (0, "ok")
    assert 60 < peak < 150, peak  # its 60 MB and an interpreter, not the 200 MB measuring it
    code, _, _, _ = run_measured([sys.executable, "-c", "raise SystemExit(3)"], cwd=Path("."), env=dict(os.environ), timeout=60)
    assert code == 3
    del ballast


def test_a_command_past_its_timeout_is_killed() -> None:
    import sys

    from generator.corpus import run_measured

    late = "import time; time.sleep(30); print('late')"
    code, stdout, _, _ = run_measured([sys.executable, "-c", late], cwd=Path("."), env=dict(os.environ), timeout=0.5)
    assert code < 0 and "late" not in stdout
