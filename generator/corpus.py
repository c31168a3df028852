"""`specgen corpus`: generate a client for every spec of a corpus and report how it went.

Each spec runs in its own subprocess (`python -m generator.corpus_worker SPEC OUT`), so a crash
or a memory blow-up stays contained, a timeout can kill it, and os.wait4 gives that process's own
peak memory. The parent then checks the package imports and runs mypy --strict on it, two specs
at a time (the CI machines have two cores).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from generator.corpus_worker import one_line

ROOT = Path(__file__).resolve().parent.parent
GENERATE_TIMEOUT = 1800.0
CHECK_TIMEOUT = 1800.0
MYPY_CLEAN_TARGET = 0.9
_MYPY_FOUND = re.compile(r"^Found (\d+) errors? in \d+ files?", re.MULTILINE)


@dataclass
class SpecReport:
    spec: str
    bytes: int
    spec_operations: int | None  # counted in the spec; None when it does not even load
    documented_success: int | None  # operations whose 2xx/default response has a body
    generated: bool
    operations: int
    typed_operations: int
    warnings: int
    degraded: int  # warnings of parts left untyped or dropped (rule "degraded"), a subset of warnings
    imports: bool | None  # None: not tried (nothing generated)
    mypy_errors: int | None
    black_changes: int | None  # files `black --check` would still reformat (target 0); None: not run
    seconds: float  # generation, wall clock, in the worker subprocess
    peak_mb: float  # generation, max resident set of the worker subprocess
    mypy_seconds: float | None
    error: str | None  # one line: the first error diagnostic, or how the worker died

    @property
    def complete(self) -> bool:
        return self.generated and bool(self.imports) and self.operations == self.spec_operations


# -- the worker (one spec, in its own process) -------------------------------------------------


def count_operations(data: Any) -> tuple[int, int]:
    """(operations, operations whose documented success response has a body) in a loaded spec."""
    from generator.validate import deref, iter_operations

    operations = documented = 0
    for *_, op, _item in iter_operations(data if isinstance(data, dict) else {}):
        operations += 1
        responses = op.get("responses")
        if not isinstance(responses, dict):
            continue
        codes = [s for s in responses if str(s).startswith("2")] or [s for s in responses if s == "default"]
        if any(isinstance(r := deref(data, responses[c]), dict) and r.get("content") for c in codes):
            documented += 1
    return operations, documented


def spec_counts(spec: Path) -> tuple[int | None, int | None]:
    """count_operations of the spec file, or (None, None) when it does not even load (its
    generation has already said why)."""
    from generator.diagnostics import SpecError
    from generator.load import load

    try:
        return count_operations(load(spec).data)
    except SpecError:
        return None, None


# -- the parent ------------------------------------------------------------------------------


def run_measured(
    cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float
) -> tuple[int, str, str, float]:
    """Run cmd; return (exit status, stdout, stderr, peak resident MB of that process, or of the
    largest of the processes it waited for, such as its model workers)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as peak:
        # Through a small launcher: Linux gives a process the peak of the one it was exec'd from
        # (wait4 would report this process's own size for every command it runs).
        proc = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, peak.name, *cmd],
            cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()  # on Linux the launcher's child follows (PR_SET_PDEATHSIG)
            proc.wait()
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        text = Path(peak.name).read_text(encoding="utf-8").strip()
    peak_mb = int(text) / 1024 if text.isdigit() else 0.0  # KiB on Linux
    return proc.returncode, stdout, stderr, peak_mb


_LAUNCHER = """
import os, signal, subprocess, sys
def die_with_parent():  # Linux's PR_SET_PDEATHSIG: a killed launcher takes its command along
    try:
        __import__("ctypes").CDLL(None).prctl(1, signal.SIGKILL)
    except Exception:
        pass
proc = subprocess.Popen(sys.argv[2:], preexec_fn=die_with_parent)
_, status, usage = os.wait4(proc.pid, 0)
open(sys.argv[1], "w").write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def subprocess_env(pythonpath: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
    env["PYTHONPATH"] = str(pythonpath)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def corpus_specs(corpus: Path) -> list[Path]:
    manifest = corpus / "MANIFEST.tsv"
    if manifest.is_file():
        with manifest.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        files = [corpus / row["file"] for row in rows if row.get("file")]
        return [f for f in files if f.is_file()]
    from generator.load import spec_files

    return spec_files([corpus])


def check_spec(
    spec: Path, work: Path, *, mypy: bool = True, timeout: float = GENERATE_TIMEOUT
) -> SpecReport:
    """Generate one spec in a subprocess, then try importing it and run mypy --strict on it."""
    out = work / "out"
    code, stdout, stderr, peak_mb = run_measured(
        [sys.executable, "-m", "generator.corpus_worker", str(spec), str(out)],
        cwd=ROOT,
        env=subprocess_env(ROOT),
        timeout=timeout,
    )
    report = SpecReport(
        spec=spec.name,
        bytes=spec.stat().st_size,
        spec_operations=None,
        documented_success=None,
        generated=False,
        operations=0,
        typed_operations=0,
        warnings=0,
        degraded=0,
        imports=None,
        mypy_errors=None,
        black_changes=None,
        seconds=0.0,
        peak_mb=round(peak_mb, 1),
        mypy_seconds=None,
        error=None,
    )
    line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    if code != 0 or not line.startswith("{"):
        died = f"killed after {timeout:.0f}s" if code == -9 else f"exit {code}"
        last = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
        report.error = one_line(f"specgen crashed ({died}): {last}")
        return report
    data = json.loads(line)
    for key in (
        "generated",
        "operations",
        "typed_operations",
        "warnings",
        "degraded",
    ):
        setattr(report, key, data[key])
    report.spec_operations, report.documented_success = spec_counts(spec)
    report.seconds = round(float(data["seconds"]), 2)
    report.error = data["error"]
    if not report.generated:
        return report
    package_root = out / data["stem"]
    package = f"{data['stem']}_client"
    code, _, stderr, _ = run_measured(
        [sys.executable, "-c", f"import {package}"],
        cwd=work,
        env=subprocess_env(package_root),
        timeout=CHECK_TIMEOUT,
    )
    report.imports = code == 0
    if not report.imports:
        report.error = one_line(
            f"import failed: {stderr.strip().splitlines()[-1] if stderr.strip() else code}"
        )
        return report
    report.black_changes = black_changes(package_root, work)
    if mypy:
        report.mypy_errors, report.mypy_seconds = _mypy(package_root, package, work)
    return report


def black_changes(package_root: Path, work: Path) -> int | None:
    """How many generated files the pinned black, black's own command line, would still change:
    ruff formats the output, and black's style is the one it must match (generator/format.py)."""
    from generator.format import LINE_LENGTH

    code, _, stderr, _ = run_measured(
        [sys.executable, "-m", "black", "--check", f"--line-length={LINE_LENGTH}",
         "--target-version=py311", str(package_root)],
        cwd=work, env=subprocess_env(ROOT), timeout=CHECK_TIMEOUT,
    )  # fmt: skip
    if code not in (0, 1):
        return None
    return sum(1 for line in stderr.splitlines() if line.startswith("would reformat "))


def _mypy(package_root: Path, package: str, work: Path) -> tuple[int | None, float]:
    config = work / "mypy.ini"
    config.write_text("[mypy]\n", encoding="utf-8")  # not the project's settings: plain --strict
    started = time.perf_counter()
    code, stdout, _, _ = run_measured(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--config-file",
            str(config),
            "--cache-dir",
            str(work / ".mypy_cache"),
            "-p",
            package,
        ],
        cwd=package_root,
        env=subprocess_env(package_root),
        timeout=CHECK_TIMEOUT,
    )
    seconds = round(time.perf_counter() - started, 1)
    if code == 0:
        return 0, seconds
    found = _MYPY_FOUND.search(stdout)
    return (int(found.group(1)) if found else None), seconds


def run_corpus(
    corpus: Path, *, jobs: int = 2, mypy: bool = True, specs: list[Path] | None = None
) -> list[SpecReport]:
    files = specs if specs is not None else corpus_specs(corpus)
    # Largest first: the long runs start early and the two workers finish together.
    order = sorted(files, key=lambda f: -f.stat().st_size)
    with tempfile.TemporaryDirectory(prefix="specgen-corpus-") as tmp:

        def one(index_spec: tuple[int, Path]) -> SpecReport:
            index, spec = index_spec
            work = Path(tmp) / str(index)
            work.mkdir()
            report = check_spec(spec, work, mypy=mypy)
            print(
                f"  {spec.name}: {'generated' if report.generated else 'FAILED'} in {report.seconds:.1f}s"
                + (f", mypy {report.mypy_errors} errors" if report.mypy_errors is not None else ""),
                file=sys.stderr,
                flush=True,
            )
            return report

        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            reports = list(pool.map(one, enumerate(order)))
    by_name = {r.spec: r for r in reports}
    return [by_name[f.name] for f in files]


def summary(reports: list[SpecReport]) -> dict[str, Any]:
    checked = [r for r in reports if r.mypy_errors is not None or r.imports]
    clean = sum(1 for r in reports if r.mypy_errors == 0)
    return {
        "specs": len(reports),
        "generated": sum(r.generated for r in reports),
        "imports": sum(bool(r.imports) for r in reports),
        "complete": sum(r.complete for r in reports),
        "crashes": sum(1 for r in reports if r.error and r.error.startswith("specgen crashed")),
        "mypy_clean": clean,
        "mypy_clean_share": round(clean / len(reports), 3) if reports else 0.0,
        "mypy_checked": len(checked),
        "black_changes": sum(r.black_changes or 0 for r in reports),
        "operations": sum(r.operations for r in reports),
        "spec_operations": sum(r.spec_operations or 0 for r in reports),
        "typed_operations": sum(r.typed_operations for r in reports),
        "degraded": sum(r.degraded for r in reports),
        "documented_success": sum(r.documented_success or 0 for r in reports),
        "seconds": round(sum(r.seconds for r in reports), 1),
    }


def targets_met(reports: list[SpecReport]) -> bool:
    totals = summary(reports)
    return (
        totals["complete"] == totals["specs"]
        and totals["crashes"] == 0
        and float(totals["mypy_clean_share"]) >= MYPY_CLEAN_TARGET
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "y" if value else "n"
    return str(value)


def table(reports: list[SpecReport]) -> str:
    head = ["spec", "KB", "gen", "ops", "typed", "warn", "degr", "imports", "mypy", "black", "time s", "peak MB"]
    rows = [
        [
            r.spec,
            str(r.bytes // 1024),
            _cell(r.generated),
            f"{r.operations}/{_cell(r.spec_operations)}",
            f"{r.typed_operations}/{_cell(r.spec_operations)}",
            str(r.warnings),
            str(r.degraded),
            _cell(r.imports),
            _cell(r.mypy_errors),
            _cell(r.black_changes),
            f"{r.seconds:.1f}",
            f"{r.peak_mb:.0f}",
        ]
        for r in reports
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    text = [line(head), line(["-" * w for w in widths]), *map(line, rows)]
    text += [f"{r.spec}: {r.error}" for r in reports if r.error]
    return "\n".join(text)


def to_json(corpus: Path, reports: list[SpecReport]) -> dict[str, Any]:
    return {
        "corpus": str(corpus),
        "summary": summary(reports),
        "targets_met": targets_met(reports),
        "specs": [asdict(r) for r in reports],
    }


def corpus_command(
    corpus_dir: Path, *, json_out: Path | None = None, jobs: int = 2, mypy: bool = True
) -> int:
    if not corpus_dir.is_dir():
        print(f"specgen: no corpus folder at {corpus_dir}", file=sys.stderr)
        return 1
    files = corpus_specs(corpus_dir)
    if not files:
        print(f"specgen: no spec files in {corpus_dir}", file=sys.stderr)
        return 1
    print(
        f"specgen corpus: {len(files)} specs from {corpus_dir}, {jobs} at a time", file=sys.stderr
    )
    reports = run_corpus(corpus_dir, jobs=jobs, mypy=mypy, specs=files)
    print(table(reports))
    totals = summary(reports)
    print(
        f"\n{totals['generated']}/{totals['specs']} generated, {totals['imports']} import, "
        f"{totals['complete']} with every operation; {totals['operations']}/{totals['spec_operations']} operations, "
        f"{totals['typed_operations']} typed ({totals['documented_success']} document a success body); "
        f"{totals['degraded']} degraded parts; "
        f"mypy --strict clean on {totals['mypy_clean']}/{totals['specs']}; "
        f"{totals['black_changes']} files black would still change; {totals['crashes']} crashes"
    )
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(
            json.dumps(to_json(corpus_dir, reports), indent=2) + "\n", encoding="utf-8"
        )
    return 0 if targets_met(reports) else 1

