"""`specgen corpus`: generate a client for every spec of a corpus and report how it went.

Each spec runs in its own subprocess (`python -m generator.corpus_worker SPEC OUT`), so a crash
or a memory blow-up stays contained, a timeout can kill it, and os.wait4 gives that process's own
peak memory. The parent then imports every module of the package (models are imported lazily, so
`import package` alone misses a model module that fails), runs black --check, the package's own
generated tests and mypy --strict on it, two specs at a time (the CI machines have two cores).
"""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
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
_PYTEST_SUMMARY = re.compile(r"^(?:no tests ran|\d+ [a-z]+.*) in [\d.]+s\b.*$", re.MULTILINE)
_PYTEST_COUNT = re.compile(r"(\d+) (passed|failed|skipped|errors?)\b")


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
    imports: bool | None  # every module of the package; None: not tried (nothing generated)
    mypy_errors: int | None
    black_changes: int | None  # files `black --check` would still reformat (target 0); None: not run
    # The package's own generated tests/; None: not run, or the run ended without pytest's summary.
    tests_passed: int | None
    tests_failed: int | None  # failed tests and errors, collection errors included (target 0)
    tests_skipped: int | None
    seconds: float  # generation, wall clock, in the worker subprocess
    peak_mb: float  # generation, max resident set of the worker subprocess
    mypy_seconds: float | None
    error: str | None  # one line: the first error diagnostic, how a worker died, the first failure

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
        # on Linux the launcher's child follows a killed launcher (PR_SET_PDEATHSIG). A timer rather
        # than wait(timeout), which polls every 50 ms: a bench figure was a multiple of 50 ms late.
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
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
    """Generate one spec in a subprocess, then import every module of it, run black --check, its
    generated tests and mypy --strict on it."""
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
        tests_passed=None,
        tests_failed=None,
        tests_skipped=None,
        seconds=0.0,
        peak_mb=round(peak_mb, 1),
        mypy_seconds=None,
        error=None,
    )
    line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    if code != 0 or not line.startswith("{"):
        report.error = one_line(f"specgen crashed {_ended(code, timeout, stderr)}")
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
    failure = import_failure(package_root, package, work)
    report.imports = failure is None
    if failure is not None:
        report.error = one_line(f"import failed: {failure}")
        return report
    report.black_changes = black_changes(package_root, work)
    report.tests_passed, report.tests_failed, report.tests_skipped, first = generated_tests(
        package_root
    )
    if first and report.error is None:
        report.error = one_line(f"generated tests: {first}")
    if mypy:
        report.mypy_errors, report.mypy_seconds = _mypy(package_root, package, work)
    return report


_IMPORT_ALL = """
import importlib, pkgutil, sys
failed = []
def walk(name):
    try:
        module = importlib.import_module(name)
    except BaseException as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
        return
    for info in pkgutil.iter_modules(getattr(module, "__path__", [])):
        walk(f"{name}.{info.name}")
walk(sys.argv[1])
if failed:
    more = f" (and {len(failed) - 1} more failing)" if len(failed) > 1 else ""
    print(" ".join(failed[0].split()) + more)
    sys.exit(1)
"""


def import_failure(package_root: Path, package: str, work: Path) -> str | None:
    """None when every module of the package imports, in one process; else the first that does
    not (in name order), with its error, on one line."""
    code, stdout, stderr, _ = run_measured(
        [sys.executable, "-c", _IMPORT_ALL, package],
        cwd=work,
        env=subprocess_env(package_root),
        timeout=CHECK_TIMEOUT,
    )
    if code == 0:
        return None
    last = (stdout.strip() or stderr.strip()).splitlines()
    return last[-1] if last else f"exit {code}"


def generated_tests(package_root: Path) -> tuple[int | None, int | None, int | None, str | None]:
    """(passed, failed + errors, skipped, the first failure's line) of the package's own tests/,
    counted from pytest's summary line; the counts are None when pytest did not get to run them."""
    # No plugins of this environment: the package's test extra is pytest and jsonschema, and
    # pytest-asyncio's start-up alone was a third of a small spec's run. COLUMNS: else the FAILED
    # lines are cut at 80 characters.
    env = subprocess_env(package_root) | {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "300"}
    code, stdout, stderr, _ = run_measured(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--tb=no", "tests"],
        cwd=package_root,
        env=env,
        timeout=CHECK_TIMEOUT,
    )
    found = _PYTEST_SUMMARY.findall(stdout)
    if not found or code in (3, 4):  # pytest's internal and usage errors also say "no tests ran"
        return None, None, None, f"did not run {_ended(code, CHECK_TIMEOUT, stderr.strip() or stdout)}"
    counts = {word.rstrip("s"): int(n) for n, word in _PYTEST_COUNT.findall(found[-1])}
    failed = counts.get("failed", 0) + counts.get("error", 0)
    first = next(
        (line for line in stdout.splitlines() if line.startswith(("FAILED ", "ERROR "))), None
    )
    return counts.get("passed", 0), failed, counts.get("skipped", 0), first if failed else None


def _ended(code: int, timeout: float, output: str) -> str:
    """How a process that failed ended, and the last line it wrote: "(exit 1): NameError: ..."."""
    died = f"killed after {timeout:.0f}s" if code == -9 else f"exit {code}"
    lines = output.strip().splitlines()
    return f"({died}): {lines[-1] if lines else 'no output'}"


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
                + (f", generated tests: {report.tests_failed} failed" if report.tests_failed else "")
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
        "tests_passed": sum(r.tests_passed or 0 for r in reports),
        "tests_failed": sum(r.tests_failed or 0 for r in reports),
        "tests_skipped": sum(r.tests_skipped or 0 for r in reports),
        "tests_clean": sum(1 for r in reports if r.tests_failed == 0),
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
        and totals["tests_clean"] == totals["specs"]
        and float(totals["mypy_clean_share"]) >= MYPY_CLEAN_TARGET
    )


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "y" if value else "n"
    return str(value)


def _tests_cell(r: SpecReport) -> str:
    if r.tests_failed is None:
        return "-"
    return f"{r.tests_passed}/{r.tests_failed}/{r.tests_skipped}"


def table(reports: list[SpecReport]) -> str:
    head = ["spec", "KB", "gen", "ops", "typed", "warn", "degr", "imports", "pass/fail/skip", "mypy",
            "black", "time s", "peak MB"]  # fmt: skip
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
            _tests_cell(r),
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
        f"\n{totals['generated']}/{totals['specs']} generated, {totals['imports']} import (every module), "
        f"{totals['complete']} with every operation; {totals['operations']}/{totals['spec_operations']} operations, "
        f"{totals['typed_operations']} typed ({totals['documented_success']} document a success body); "
        f"{totals['degraded']} degraded parts; "
        f"mypy --strict clean on {totals['mypy_clean']}/{totals['specs']}; "
        f"{totals['black_changes']} files black would still change; "
        f"generated tests pass on {totals['tests_clean']}/{totals['specs']} ({totals['tests_passed']} passed, "
        f"{totals['tests_failed']} failed, {totals['tests_skipped']} skipped); {totals['crashes']} crashes"
    )
    if json_out is not None:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(
            json.dumps(to_json(corpus_dir, reports), indent=2) + "\n", encoding="utf-8"
        )
    return 0 if targets_met(reports) else 1

