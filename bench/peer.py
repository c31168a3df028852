"""openapi-python-client, the peer: run it on a spec and read back what it generated."""

from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from generator.corpus import run_measured

ROOT = Path(__file__).resolve().parent.parent
PEER = Path(sys.executable).with_name("openapi-python-client")
_SUCCESS_BRANCH = re.compile(
    r"if response\.status_code == (\d+):\n(.*?)(?=\n    if |\n    return|\Z)", re.DOTALL
)


@dataclass
class PeerRun:
    seconds: float
    peak_mb: float
    ok: bool  # it wrote a client package (it exits 1 when it only printed warnings)
    exit_code: int
    warnings: int
    operations: int
    typed_operations: int
    package: Path | None


def generate(spec: Path, out: Path, *, timeout: float = 1800.0) -> PeerRun:
    out.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    code, stdout, stderr, peak_mb = run_measured(
        [str(PEER), "generate", "--path", str(spec), "--output-path", str(out), "--overwrite"],
        cwd=out.parent,
        env=_env(),
        timeout=timeout,
    )
    seconds = time.perf_counter() - started
    text = stdout + stderr
    package = next((p.parent for p in sorted(out.glob("*/client.py"))), None)
    operations, typed = count_endpoints(package) if package else (0, 0)
    return PeerRun(
        seconds=seconds,
        peak_mb=peak_mb,
        ok=package is not None and operations > 0,
        exit_code=code,
        warnings=len(re.findall(r"^WARNING ", text, re.MULTILINE)),
        operations=operations,
        typed_operations=typed,
        package=package,
    )


def count_endpoints(package: Path) -> tuple[int, int]:
    """(endpoint modules, endpoints parsing a 2xx response into something other than Any).

    The peer writes one module per operation under api/; `_parse_response` has one branch per
    documented status it could type, and a response it dropped has no branch or `cast(Any, ...)`."""
    operations = typed = 0
    for module in sorted((package / "api").rglob("*.py")):
        if module.name == "__init__.py":
            continue
        text = module.read_text(encoding="utf-8")
        if "def _parse_response" not in text:
            continue
        operations += 1
        body = text.split("def _parse_response", 1)[1].split("\ndef ", 1)[0]
        branches = [b for status, b in _SUCCESS_BRANCH.findall(body) if status.startswith("2")]
        if any("cast(Any" not in b for b in branches):
            typed += 1
    return operations, typed


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    env["PATH"] = f"{PEER.parent}:{env.get('PATH', '')}"  # its ruff post-hook comes from the venv
    return env
