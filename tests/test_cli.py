"""The command line: --version, Swagger 2.0, labelled errors, model warnings at their schema's line,
progress only on a terminal, and strictness from the project's configuration or --strict."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from generator.pipeline import Progress, generate_command, is_curated
from tests.conftest import FIXTURES, ROOT, run_specgen
from tests.test_pipeline import warning_spec

PETSTORE = FIXTURES / "petstore.yaml"


def test_version() -> None:
    result = run_specgen("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"specgen {__version__}"


def test_a_swagger_2_document_is_named_with_a_hint_to_convert_it(tmp_path: Path) -> None:
    spec = tmp_path / "legacy.json"
    spec.write_text('{\n  "swagger": "2.0",\n  "info": {"title": "x", "version": "1"},\n  "paths": {}\n}\n')
    result = run_specgen("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{spec}:2: #/swagger: error: a Swagger 2.0 document"), first
    assert "swagger2openapi" in first and "converter.swagger.io" in first
    assert result.stderr.splitlines()[1].startswith("specgen: error: generation failed")


def test_model_generator_warnings_carry_the_schema_line(tmp_path: Path) -> None:
    spec = tmp_path / "colours.yaml"
    text = PETSTORE.read_text().replace(
        "\n  schemas:\n",
        "\n  schemas:\n    Palette:\n      type: object\n      properties:\n"
        "        primary:\n          type: string\n          format: colour\n",
        1,
    )
    assert "Palette" in text
    spec.write_text(text)
    line = text.splitlines().index("          format: colour") + 1 - 2  # the `primary:` key
    result = run_specgen("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    expected = f"{spec}:{line}: #/components/schemas/Palette/properties/primary: warning: models: format of 'colour'"
    assert expected in result.stderr, result.stderr


def test_progress_is_quiet_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    result = run_specgen("generate", str(PETSTORE), "--out", str(tmp_path / "out"))
    assert result.returncode == 0 and result.stderr == ""


def test_progress_names_each_spec_and_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate_command([PETSTORE], tmp_path, progress=Progress(enabled=True, after=0)) == 0
    lines = capsys.readouterr().err.splitlines()
    steps = [re.sub(r" \(\d+s\)$", "", line) for line in lines]
    assert steps == [
        f"specgen: petstore: {step}"
        for step in ("loading", "validating", "building", "models", "rendering", "formatting", "done (1/1)")
    ], lines


def test_progress_turns_on_for_a_terminal_only() -> None:
    script = "import sys; from generator.pipeline import Progress; print(Progress.on_stderr().enabled)"
    piped = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert piped.stdout.strip() == "False"
    pty = pytest.importorskip("pty")
    main, tty = pty.openpty()
    try:
        on_tty = subprocess.run([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, stderr=tty, text=True, check=True)
    finally:
        os.close(main)
        os.close(tty)
    assert on_tty.stdout.strip() == "True"


# -- strictness ------------------------------------------------------------------------------------


def test_a_users_own_specs_folder_is_not_strict(tmp_path: Path) -> None:
    spec = warning_spec(tmp_path / "project" / "specs" / "openapi.yaml")
    (tmp_path / "project" / "pyproject.toml").write_text('[project]\nname = "mine"\n')
    assert not is_curated(spec)
    result = run_specgen("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert "warning: unsupported security scheme" in result.stderr


def test_strictness_comes_from_tool_specgen_curated(tmp_path: Path) -> None:
    project = tmp_path / "project"
    curated = warning_spec(project / "api" / "curated" / "openapi.yaml")
    other = warning_spec(project / "api" / "drafts" / "openapi.yaml")
    (project / "pyproject.toml").write_text('[tool.specgen]\ncurated = ["api/curated"]\n')
    assert is_curated(curated) and not is_curated(other)
    strict = run_specgen("generate", str(curated), "--out", str(tmp_path / "out"))
    assert strict.returncode == 1 and f"{curated}:" in strict.stderr and ": error: " in strict.stderr
    assert run_specgen("generate", str(other), "--out", str(tmp_path / "out2")).returncode == 0
    relaxed = run_specgen("generate", str(curated), "--out", str(tmp_path / "out3"), "--no-strict")
    assert relaxed.returncode == 0, relaxed.stderr
    forced = run_specgen("check", str(other), "--out", str(tmp_path / "out2"), "--strict")
    assert forced.returncode == 1 and f"{other}:" in forced.stderr and ": error: " in forced.stderr


def test_this_projects_specs_are_curated_and_make_passes_strict() -> None:
    assert all(is_curated(spec) for spec in (ROOT / "specs").glob("*.yaml"))
    assert not is_curated(PETSTORE)
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    for target in ("generate", "check"):
        dry = subprocess.run([make, "-n", "-W", "pyproject.toml", target], cwd=ROOT, capture_output=True, text=True, check=True)
        [line] = [line for line in dry.stdout.splitlines() if "-m generator" in line]
        assert f"-m generator {target} --strict specs/" in line


def _session(sid: int) -> list[int]:
    """The processes of session `sid` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[3]) == sid:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_ctrl_c_ends_generate_with_one_line_and_no_process_left(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group: the model workers (one forked from
    specgen, its copy forked from that one) end quietly, specgen says it was interrupted, and
    nothing is written."""
    import json
    import signal
    import time

    props = {f"field{i}": {"type": "string", "description": "x" * 40} for i in range(12)}
    schemas = {f"Thing{i}": {"type": "object", "properties": props} for i in range(600)}
    spec = tmp_path / "big.json"  # a spec worth both workers, which runs for seconds
    spec.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {},
                                "components": {"schemas": schemas}}))  # fmt: skip
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "generate", str(spec), "--out", str(out)], cwd=ROOT,
        env=dict(os.environ, SPECGEN_CACHE_DIR=""), start_new_session=True, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(_session(proc.pid)) < 3 and time.monotonic() < deadline:  # specgen, its worker and the copy
        time.sleep(0.05)
    assert len(_session(proc.pid)) >= 3
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err == "specgen: interrupted\n"
    assert not out.exists()
    deadline = time.monotonic() + 20  # a copy orphaned by its parent's end is reaped by init
    while _session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _session(proc.pid) == []
