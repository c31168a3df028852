from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def models_source(files: Mapping[PurePosixPath, str] | Path) -> str:
    """The text of every module of a package's models/ (rendered files, or a package folder on disk),
    for tests that look for a class wherever the split put it."""
    if isinstance(files, Path):
        return "".join(p.read_text(encoding="utf-8") for p in sorted(files.glob("*/models/*.py")))
    return "".join(text for path, text in sorted(files.items()) if PurePosixPath(path).parent.name == "models")


def run_specgen(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.fixture
def specgen():
    return run_specgen


def _no_first_spec_worker() -> None:
    """The first spec a process renders gets a model worker started ahead (generator.workers).
    This process renders hundreds: which test comes first must not decide where its models run.
    test_pipeline tests that worker on purpose."""
    from generator import workers

    workers._first_spec = False


_no_first_spec_worker()
