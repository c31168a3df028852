"""The runtime passes `mypy --strict` and `ruff check`, as it is copied into each package."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "templates" / "runtime"
ROOT = RUNTIME.parents[1]


def test_runtime_passes_mypy_strict(tmp_path):
    # Checked as a package, the way the generator lays it out, so relative imports resolve.
    package = tmp_path / "rtpkg"
    package.mkdir()
    for source in RUNTIME.glob("*.py"):
        shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text("")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file=", "rtpkg"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runtime_passes_ruff():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(RUNTIME)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_runtime_has_no_type_ignore_and_no_package_names():
    for source in RUNTIME.glob("*.py"):
        text = source.read_text()
        assert "type: ignore" not in text, source.name
        assert "{{" not in text and "{%" not in text, source.name


def test_runtime_is_black_clean():
    # The generator copies the runtime without formatting it (generator/format.py), so it must
    # already be exactly what black would write.
    import black

    from generator.format import black_mode

    for source in sorted(RUNTIME.glob("*.py")):
        text = source.read_text()
        assert black.format_str(text, mode=black_mode()) == text, f"{source.name} is not black-formatted"
