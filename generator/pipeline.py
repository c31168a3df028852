"""Spec files -> client packages: load, validate, build, models, render, format, write.

Data flows one way. `render_spec` returns {relative path: text} and writes nothing;
`write_packages` is the only step that touches the output folder, and it swaps whole packages in
only after every spec has rendered, so a failed run leaves the output as it was.

Each package holds a `.specgen-hash` stamp (`Stamp`): the digest of its inputs, the spec it came from
and the sha256 of every file written. A no-op run checks the files against it as well as the inputs,
so `generate` repairs a hand edit that `check` flags, and the stamp tells specgen's own files from a
user's: specgen never deletes what it did not write.
"""

from __future__ import annotations

import gc
import hashlib
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator import workers
from generator.atomic import generator_digest
from generator.diagnostics import Diagnostic, Level, SpecError, escape_token, print_diagnostics
from generator.load import Document, load, spec_files
from generator.names import package_stem

if TYPE_CHECKING:  # imported lazily at run time: the CLI starts without the heavy modules
    from generator.ends import Call
    from generator.model import Api
    from generator.schemas import ModelSet

ROOT = Path(__file__).resolve().parent.parent
HASH_FILE = ".specgen-hash"


@dataclass
class RenderResult:
    stem: str
    files: dict[PurePosixPath, str] = field(default_factory=dict)
    custom: dict[PurePosixPath, str] = field(default_factory=dict)  # created once, never overwritten
    diagnostics: list[Diagnostic] = field(default_factory=list)
    operations: int = 0
    typed_operations: int = 0
    spec: Path | None = None
    digest: str = ""  # of the inputs, for the stamp

    @property
    def ok(self) -> bool:
        return bool(self.files) and not any(d.level is Level.ERROR for d in self.diagnostics)


def is_curated(path: Path) -> bool:
    """Whether a spec is held to the curated bar: it lies in a folder that `[tool.specgen] curated`
    of the nearest pyproject.toml names (paths relative to that file)."""
    spec = path.resolve()
    return any(spec.is_relative_to(root) for root in _curated_roots(spec.parent))


@cache
def _curated_roots(folder: Path) -> tuple[Path, ...]:
    import tomllib  # here: a run with --strict or --no-strict, as `make generate` and corpus, never reads it

    for directory in (folder, *folder.parents):
        pyproject = directory / "pyproject.toml"
        if not pyproject.is_file():
            continue
        try:
            config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return ()
        curated = config.get("tool", {}).get("specgen", {}).get("curated", [])
        curated = [curated] if isinstance(curated, str) else curated
        return tuple((directory / c).resolve() for c in curated if isinstance(c, str))
    return ()


@dataclass
class Progress:
    """Where a long run is, on stderr, per spec and per step: only on a terminal (a log or CI output
    stays as it was) and only once the run has taken `after` seconds (a quick run prints nothing)."""

    enabled: bool = False
    after: float = 3.0
    started: float = field(default_factory=time.perf_counter)

    @classmethod
    def on_stderr(cls) -> Progress:
        return cls(enabled=sys.stderr.isatty())

    def __call__(self, stem: str, step: str) -> None:
        elapsed = time.perf_counter() - self.started
        if self.enabled and elapsed >= self.after:
            print(f"specgen: {stem}: {step} ({elapsed:.0f}s)", file=sys.stderr, flush=True)


class StepTimes(Progress):
    """A render_spec progress hook that times each step (until the next one starts): `seconds`."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = {}
        self._step: str | None = None
        self._at = time.perf_counter()

    def __call__(self, stem: str, step: str) -> None:
        now = time.perf_counter()
        if self._step is not None:
            self.seconds[self._step] = round(self.seconds.get(self._step, 0.0) + now - self._at, 3)
        self._step, self._at = step, now


@dataclass(frozen=True)
class _Source:
    path: Path
    stem: str
    digest: str
    size: int = 0


def _source(path: Path, gen_digest: str) -> _Source:
    try:
        data = path.read_bytes()
    except OSError:
        data = b""
    digest = hashlib.sha256(gen_digest.encode() + b"\0" + path.name.encode() + b"\0" + data).hexdigest()
    return _Source(path, package_stem(path.stem), digest, len(data))


def render_spec(
    path: Path,
    *,
    strict: bool | None = None,
    digest: str | None = None,
    format: bool = True,
    progress: Progress | None = None,
    formatter: str = "ruff",
    cache_dir: Path | None = None,
) -> RenderResult:
    """Everything but writing, for one spec. Never raises for a bad spec: see .diagnostics.

    `format=False` skips formatting, for callers that only parse the code (the review's API diff).
    `strict=None` decides from the project's configuration (`is_curated`).
    `cache_dir` keeps the model generator's output per group of schemas (models/) and formatted
    modules (format/) between runs (default: cache_root()).
    """
    stem = package_stem(path.stem)
    result = RenderResult(stem=stem, spec=path)
    step = progress or Progress()
    step(stem, "loading")
    workers.prestart_for(path)
    try:
        doc = load(path)
    except SpecError as exc:
        result.diagnostics = exc.diagnostics
        return result
    curated = is_curated(path) if strict is None else strict
    step(stem, "validating")
    result.diagnostics.extend(_validate(doc, curated))
    if any(d.level is Level.ERROR for d in result.diagnostics):
        return result
    thawed = not gc.get_freeze_count()
    try:
        _render_valid(doc, stem, result, format, curated, step, formatter, cache_dir or cache_root())
    except SpecError as exc:
        result.diagnostics.extend(exc.diagnostics)
        result.files = {}
    finally:
        if thawed:  # what _freeze_heap froze may be garbage once the spec is done
            gc.unfreeze()
    if curated and result.diagnostics:
        # Our own specs are held to a higher bar: any warning is an error.
        result.diagnostics = [
            Diagnostic(d.file, d.pointer, d.message, Level.ERROR, d.rule, d.line) for d in result.diagnostics
        ]
        result.files = {}
    if result.files:
        result.digest = digest or _source(path, generator_digest()).digest
    return result


def _validate(doc: Document, curated: bool) -> list[Diagnostic]:
    if curated:
        from generator.lint import lint_document

        return lint_document(doc)
    from generator.validate import degrade, validate_document

    return degrade(doc, validate_document(doc, full=False))


def _render_valid(
    doc: Document, stem: str, result: RenderResult, format: bool, curated: bool, step: Progress, formatter: str,
    cache_dir: Path | None,
) -> None:
    from generator.build import build_api
    from generator.ends import Call

    step(stem, "building")
    api, models, diagnostics = build_api(doc, stem)
    result.diagnostics.extend(diagnostics)
    api.spec_name = doc.path.name
    step(stem, "models")
    # a large spec's models split in a process of their own (its imports done meanwhile) while the
    # code and the notes are made here: GitHub's take 0.6 s after a one-schema change
    apart = format and _large(doc.path)
    split_call = Call("generator.split:split_models") if apart else None
    try:
        with _preloading(doc.path):
            api.models_source, notes = _generate_models(
                doc, models, result, curated, cache_dir and cache_dir / "models"
            )
        at = len(result.diagnostics)

        def place_notes() -> None:  # the model generator's notes, where they come among the diagnostics
            result.diagnostics[at:at] = _model_notes(doc, models.originals, notes)

        step(stem, "rendering")
        _freeze_heap()
        # a large spec's tests render in a process of their own (its imports done meanwhile), beside
        # the code here: GitHub's take 1.2-1.8 s
        tests_call = Call("generator.render:render_package_tests", _TESTS_IMPORT) if apart else None
        try:
            _render_resolved(
                doc, api, models, result, step, stem, formatter, cache_dir, format, tests_call, split_call, place_notes
            )
        finally:
            if tests_call is not None:
                tests_call.close()
    finally:
        if split_call is not None:
            split_call.close()


# what rendering the tests imports on first use (the samples' checks)
_TESTS_IMPORT = ("generator.render_tests", "jsonschema")


def _large(spec: Path) -> bool:
    try:
        return workers.jobs() > 1 and workers.is_large(spec)
    except OSError:
        return False


def _render_resolved(
    doc: Document, api: Api, models: ModelSet, result: RenderResult, step: Progress, stem: str, formatter: str,
    cache_dir: Path | None, format: bool, tests_call: Call | None, split_call: Call | None,
    meanwhile: Callable[[], None],
) -> None:
    """The files of the resolved API into `result`. A large spec's models split (`split_call`) and
    tests render (`tests_call`) in processes of their own, another spec's tests in a child forked
    from this process (ends.Fork); `meanwhile` is work of this process's, done while they finish
    (the model notes' walk of the spec: GitHub 0.2 s)."""
    from generator.ends import Fork
    from generator.format import Formatting
    from generator.render import (
        custom_files,
        render_code,
        render_package,
        render_package_tests,
        runtime_copies,
        split_of,
    )
    from generator.resolve import resolve_types

    renamed, unresolved = resolve_types(api, models, cache_dir and cache_dir / "shapes")
    for name, actual in renamed.items():
        result.diagnostics.append(
            doc.diagnostic(
                models.pointer_of(name),
                f"the model generator gave class {name} to another schema"
                + (f" and named this schema's class {actual}; typed with {actual}" if actual else "; untyped (Any)"),
                level=Level.WARNING, rule=RULE_DEGRADED,
            )
        )
    for name, prop in unresolved:
        at = models.pointer_of(name)
        result.diagnostics.append(
            doc.diagnostic(
                at if at == "#/components/schemas" else f"{at}/properties/{escape_token(prop)}",
                f"the model generator made class {name} no field for property {prop!r}; its argument is untyped (Any)",
                level=Level.WARNING, rule=RULE_DEGRADED,
            )
        )
    result.diagnostics.extend(_untyped_responses(doc, api))
    result.operations = sum(len(r.operations) for r in api.resources)
    result.typed_operations = sum(
        1 for r in api.resources for op in r.operations if op.pagination or any(s.kind != "empty" for s in op.success)
        and "_t.Any" not in op.return_annotation
    )
    if not format:
        meanwhile()
        result.files, result.custom = render_package(api, cache_dir), custom_files(api)
        return
    if split_call is not None:  # the models' source is now whole: the resolver adds Literal aliases
        split_call.give(*split_of(api, cache_dir))
    if tests_call is not None:
        tests_call.give(api, cache_dir)
    # any other spec's tests render and format in a child forked now, while the code does here
    # (adyen: ~0.2 s of its ~0.7 s after the models)
    forked = Fork(_formatted_tests, api, cache_dir, formatter) if tests_call is None else None
    # the code formats in the background (a large spec's) while the tests render
    formatting = Formatting(
        render_code(api, cache_dir, split_call.result if split_call is not None else None),
        runtime_copies(api), formatter, cache_dir and cache_dir / "format", background=True,
    )
    try:
        meanwhile()
        if forked is not None and forked.started:  # the tests are the child's
            step(stem, "formatting")
            result.files, format_errors = formatting.result()
            done = forked.result()  # None if it failed: then here, where it fails as it should
            tests, test_errors = done if done is not None else _formatted_tests(api, cache_dir, formatter)
        else:
            tests = tests_call.result() if tests_call is not None else None
            if tests is None:  # a small spec's where processes do not fork, or a failed call's
                tests = render_package_tests(api, cache_dir)
            step(stem, "formatting")
            test_formatting = Formatting(tests, formatter=formatter, cache=cache_dir and cache_dir / "format")
            try:
                if formatting.apart:  # the code's process is at work: the tests' fix-ups are done meanwhile
                    tests, test_errors = test_formatting.result()
                    result.files, format_errors = formatting.result()
                else:  # the code's fix-ups while ruff formats the tests
                    result.files, format_errors = formatting.result()
                    tests, test_errors = test_formatting.result()
            finally:
                test_formatting.close()
    finally:
        formatting.close()
        if forked is not None:
            forked.close()
    result.files.update(tests)
    format_errors += test_errors
    for file, message in format_errors:
        result.diagnostics.append(Diagnostic(doc.display, "#", f"generated {file} does not parse ({message}); a specgen bug"))
    result.custom = custom_files(api)


def _formatted_tests(
    api: Api, cache_dir: Path | None, formatter: str
) -> tuple[dict[PurePosixPath, str], list[tuple[str, str]]]:
    """The package's test modules, formatted, and (file, message) for those that do not parse."""
    from generator.format import Formatting
    from generator.render import render_package_tests

    formatting = Formatting(render_package_tests(api, cache_dir), formatter=formatter, cache=cache_dir and cache_dir / "format")
    try:
        return formatting.result()
    finally:
        formatting.close()


@contextmanager
def _preloading(spec: Path) -> Iterator[None]:
    """While a model worker started ahead warms up, a thread of this otherwise idle process imports
    what rendering and formatting import on first use (black, jsonschema, the templates: ~0.4 s, a
    third of a small spec's run). Not for a large spec: its models step is the building of many runs'
    input and, when they are cached (a one-schema change), reading them back, which such a thread
    only slows (~0.8 s on GitHub, the two taking turns at every read). Joined before the block's end,
    so that no import is left running."""
    try:
        small = not workers.is_large(spec)
    except OSError:
        small = False
    if not (small and workers.waiting()):  # else the generator runs here, and would take turns with it
        yield
        return
    # Two threads importing at once can each hold a module lock the other waits for: the models step
    # imports importlib.metadata (its cache key), whose importlib.abc and importlib.resources import
    # each other, while jsonschema imports importlib.resources there; CI met that _DeadlockError. So
    # they are imported here first, before that thread starts.
    import importlib.metadata
    import importlib.resources  # noqa: F401

    thread = threading.Thread(target=_preload, name="specgen-preload", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()


def _preload() -> None:
    """Imports ahead of their use. Only that: what fails here (not expected) is imported again, and
    fails if it must, where it is used, so nothing of it is printed here."""
    try:
        import jsonschema  # type: ignore[import-untyped,unused-ignore]  # noqa: F401 - render_tests' checks

        from generator import format as formatting
        from generator import render_tests  # noqa: F401
        from generator.render import compile_templates

        compile_templates()  # read back from templates/__pycache__
        formatting.black_mode()  # black, for the fix-ups of ruff's output
    except Exception:  # noqa: BLE001, S110 - see above
        pass


def _freeze_heap() -> None:
    """What exists by now (the spec, its model, the models' source) lives until the spec is done:
    frozen, it is no longer walked by every full garbage collection while rendering and formatting
    churn through ast trees and black's (GitHub: a second). Left alone when a caller has frozen
    objects of its own; render_spec unfreezes."""
    if not gc.get_freeze_count():
        gc.freeze()


_SCHEMA_PATH = re.compile(r"#/components/schemas/(\w+)((?:/[\w.~-]+)*)")
_FORMAT_NOTE = re.compile(r"format of '([^']*)' not understood")


# datamodel-code-generator names the schema it rejects: "Error at schema path '#/components/schemas/X'".
_REJECTED = re.compile(r"#/components/schemas/SpecgenComponent__([^'\"/\s]+)")
_MAX_REJECTED = 20
RULE_DEGRADED = "degraded"  # generator.validate.RULE_DEGRADED, without importing it here


def cache_root() -> Path | None:
    """Where generation keeps what it can reuse between runs (the model generator's output per group
    of schemas, formatted modules): $SPECGEN_CACHE_DIR (empty: nowhere), else .cache/specgen of the
    specgen checkout. Entries are named by the digest of all they depend on, so a stale one is never
    read: it is only never used again."""
    if "SPECGEN_CACHE_DIR" in os.environ:
        return Path(os.environ["SPECGEN_CACHE_DIR"]) if os.environ["SPECGEN_CACHE_DIR"] else None
    return ROOT / ".cache" / "specgen" if (ROOT / "pyproject.toml").is_file() else None


def _generate_models(
    doc: Document, models: ModelSet, result: RenderResult, curated: bool, cache_dir: Path | None
) -> tuple[str, list[str]]:
    """The models module. Outside curated specs, a schema the model generator rejects is left untyped
    (Any) with a located warning, and the rest is generated; in a curated spec it is an error.
    A retry re-runs only the failed group: the others are read back from the cache."""
    version = str(doc.data.get("openapi", "3.1.0"))
    jobs = workers.jobs()  # 1 in a worker process (several specs at once): no pools of its own
    for _ in range(_MAX_REJECTED + 1):
        try:
            return models.generate(version, cache_dir=cache_dir, jobs=jobs)
        except Exception as exc:  # noqa: BLE001 - a third-party generator: any failure is one diagnostic
            message = " ".join(str(exc).split())[:300] or type(exc).__name__
            rejected = _REJECTED.search(str(exc))
            name = rejected.group(1) if rejected else None
            if curated or name not in models.schemas or not models.schemas[name]:
                raise SpecError([doc.diagnostic("#/components/schemas", f"model generation failed: {message}")]) from None
            models.schemas[name] = {}  # the resolver finds no class for it: Any
            result.diagnostics.append(
                doc.diagnostic(
                    models.pointer_of(name), f"the model generator rejects this schema; untyped (Any): {message}",
                    level=Level.WARNING, rule=RULE_DEGRADED,
                )
            )
    raise SpecError([doc.diagnostic("#/components/schemas", f"model generation failed: more than {_MAX_REJECTED} schemas rejected")])


def _untyped_responses(doc: Document, api: Api) -> list[Diagnostic]:
    """A success response whose schema says something but whose type fell back to Any."""
    found = []
    for resource in api.resources:
        for op in resource.operations:
            for response in op.success:
                schema = response.schema
                if response.kind == "json" and response.annotation == "_t.Any" and isinstance(schema, dict) and (
                    schema.keys() & {"$ref", "type", "properties", "items", "allOf", "oneOf", "anyOf"}
                ):
                    found.append(
                        doc.diagnostic(
                            f"{op.pointer}/responses/{escape_token(response.status)}",
                            "the success response's schema could not be typed; returned as Any",
                            level=Level.WARNING, rule=RULE_DEGRADED,
                        )
                    )
    return found



def _model_notes(doc: Document, originals: dict[str, object], notes: list[str]) -> list[Diagnostic]:
    """The model generator's warnings, each at the schema it is about rather than at
    #/components/schemas: the schema its message names (a class, mapped back to where that schema is
    written), or else the first schema using the format it did not understand."""
    if not notes:
        return []
    written: dict[int, str] | None = None  # walked for the first note that needs it (GitHub: 0.2 s)
    diagnostics = []
    for note in notes:
        ptr = "#/components/schemas"
        if match := _SCHEMA_PATH.search(note):
            name = match.group(1).split("__", 1)[-1]  # the generator's input keys carry a mark
            if written is None:
                written = {id(node): ptr for ptr, node in _nodes(doc.data)}
            if id(originals.get(name)) in written:
                ptr = written[id(originals[name])] + match.group(2)
                note = note.replace(match.group(0), ptr)
        elif match := _FORMAT_NOTE.search(note):
            ptr = _first_use(doc.data, match.group(1)) or ptr
        diagnostics.append(doc.diagnostic(ptr, f"models: {note}", level=Level.WARNING))
    return diagnostics


def _first_use(data: object, format: str) -> str | None:
    """The pointer of the first object in document order with this `format`, the first under
    #/components/ when there is one there."""
    if not isinstance(data, dict):
        return None
    parts = [("components", data["components"])] if "components" in data else []
    parts += [(key, value) for key, value in data.items() if key != "components"]  # each part walked once
    for key, part in parts:
        for ptr, node in _nodes(part, f"#/{escape_token(str(key))}"):
            if ptr != "#/components" and isinstance(node, dict) and node.get("format") == format:
                return ptr
    return None


def _nodes(data: object, root: str = "#") -> Iterator[tuple[str, object]]:
    """(pointer, node) for every object and array in `data` (at `root`), in document order."""
    stack: list[tuple[str, object]] = [(root, data)]
    while stack:
        ptr, node = stack.pop()
        yield ptr, node
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        children = [(f"{ptr}/{escape_token(k)}", v) for k, v in items if isinstance(v, (dict, list))]
        stack.extend(reversed(children))


# -- writing
# Left in a package by `pip install ./pkg`, pytest, mypy or ruff: neither checked nor carried over.
_LEFTOVER_DIRS = {"__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}
_TOP_LEFTOVER_DIRS = {"build", "dist"}


@dataclass
class Stamp:
    """A package's `.specgen-hash`: line 1 the input digest (spec and generator), line 2
    `source <spec path relative to the output folder>`, then `<sha256>  <path>` for every file
    written (the form `sha256sum -c` reads). Hand-written files are not listed: they are the user's."""

    digest: str
    source: str = ""
    files: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        lines = [self.digest, f"source {self.source}", *(f"{sha}  {name}" for name, sha in sorted(self.files.items()))]
        return "\n".join(lines) + "\n"

    @classmethod
    def read(cls, package: Path) -> Stamp | None:
        """The stamp of a folder specgen wrote, or None for one it did not."""
        try:
            lines = (package / HASH_FILE).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        stamp = cls(lines[0].strip() if lines else "")
        for line in lines[1:]:
            if line.startswith("source "):
                stamp.source = line.removeprefix("source ")
            elif "  " in line:
                sha, name = line.split("  ", 1)
                stamp.files[name] = sha

        return stamp

    @classmethod
    def of(cls, result: RenderResult, out: Path) -> Stamp:
        package = PurePosixPath(result.stem)
        files = {rel.relative_to(package).as_posix(): _sha256(text.encode()) for rel, text in result.files.items()}
        return cls(result.digest, _relative_source(result.spec, out) if result.spec else "", files)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _relative_source(spec: Path, out: Path) -> str:
    return Path(os.path.relpath(spec.resolve(), out.resolve())).as_posix()


def _hand_written(name: str) -> bool:
    """custom/ (at any depth) and tests/test_custom*.py belong to the user; generate keeps them."""
    parts = PurePosixPath(name).parts
    return "custom" in parts[:-1] or (len(parts) == 2 and parts[0] == "tests" and parts[1].startswith("test_custom"))


def _package_files(package: Path) -> list[str]:
    """Every file in a package as a relative POSIX path, build leftovers left out."""
    found: list[str] = []
    for folder, dirs, files in os.walk(package):
        rel = PurePosixPath(Path(folder).relative_to(package).as_posix())
        dirs[:] = [
            d for d in dirs
            if d not in _LEFTOVER_DIRS and not d.endswith(".egg-info") and not (rel.parts == () and d in _TOP_LEFTOVER_DIRS)
        ]
        found.extend((rel / f).as_posix() for f in files)
    return sorted(found)


def _user_files(package: Path, new: set[str]) -> list[str]:
    """Files in an existing package that specgen did not write: neither listed in its stamp (nor, for
    a stamp that lists none, about to be written) nor hand-written by design nor build leftovers."""
    stamp = Stamp.read(package)
    owned = set(stamp.files) if stamp and stamp.files else new
    return [f for f in _package_files(package) if f not in owned and f != HASH_FILE and not _hand_written(f)]


def write_packages(
    out: Path, results: list[RenderResult], *, keep: dict[str, list[str]] | None = None, remove: Sequence[Path] = ()
) -> None:
    """Stage every package next to `out`, then swap each in with renames and move `remove` out.
    Hand-written files and those named in `keep` ({stem: [path]}) are carried over from the old
    package; the defaults in `result.custom` are created where the old package had none."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".specgen-staging-", dir=out)).resolve()
    folders: set[Path] = set()
    try:
        for result in results:
            stamp = {PurePosixPath(result.stem) / HASH_FILE: Stamp.of(result, out).text()}
            before = (out / result.stem).resolve() if (out / result.stem).is_dir() else None
            inside: dict[Path, bool] = {}  # an old folder -> whether it resolves inside `before`
            for rel, text in {**result.custom, **result.files, **stamp}.items():
                target = _inside(staging, rel)
                if target.parent not in folders:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    folders.add(target.parent)
                if before is None or not _linked_unchanged(out / rel, before, target, text, inside):
                    target.write_text(text, encoding="utf-8")
            old = out / result.stem
            if old.is_dir():
                carried = [f for f in _package_files(old) if _hand_written(f)] + (keep or {}).get(result.stem, [])
                for name in carried:
                    dest = staging / result.stem / name
                    if dest.exists() and os.path.samefile(old / name, dest):
                        continue  # linked in unchanged
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(old / name, dest)
        for result in results:
            old = out / result.stem
            if old.exists() or old.is_symlink():
                os.replace(old, staging / f".old-{result.stem}")
            os.replace(staging / result.stem, old)
        for package in remove:
            os.replace(package, staging / f".orphan-{package.name}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _linked_unchanged(old: Path, package: Path, target: Path, text: str, inside: dict[Path, bool]) -> bool:
    """Whether the old package's file already holds `text`, and is now also `target` (a hard link):
    after a one-schema change to GitHub's spec, writing its 1,300 files and deleting the old ones
    took ~2 s on a disk mounted with `discard`. Only a plain file of the package itself qualifies,
    not one reached through a link. `inside` keeps what each folder resolves to (a resolve per file
    took GitHub's 1,355 files 0.1 s of lstat calls)."""
    try:
        if old.parent not in inside:
            inside[old.parent] = old.parent.resolve().is_relative_to(package)
        if old.is_symlink() or not inside[old.parent] or old.read_bytes() != text.encode():
            return False
        os.link(old, target)
    except (OSError, UnicodeEncodeError):  # no hard links here: written instead
        return False
    return True


def _inside(root: Path, rel: PurePosixPath) -> Path:
    """`root / rel`, refused when `rel` leads out of `root`: by its parts alone, since `root` (the
    resolved staging folder) holds only the folders and plain files specgen put there, no links."""
    if ".." in rel.parts or rel.is_absolute():
        raise SpecError([Diagnostic(str(rel), "#", "refusing to write outside the output folder")])
    return root / rel


# -- commands --------------------------------------------------------------------------------


def _print(diagnostics: list[Diagnostic]) -> None:
    print_diagnostics(sorted(diagnostics, key=lambda d: (d.file, d.line or 0, d.pointer)))


def _error(message: str) -> int:
    print(f"specgen: error: {message}", file=sys.stderr)
    return 1


def _warn_user_files(package: Path, names: list[str]) -> None:
    for name in names:
        print(
            f"{package / name}: warning: not written by specgen; kept. Hand-written code belongs under "
            "custom/; delete the file, or generate with --overwrite to remove it",
            file=sys.stderr,
        )


def _sources(paths: list[Path], formatter: str = "ruff") -> list[_Source] | str:
    """The specs to generate, or why there are none to."""
    files = spec_files(paths)
    if not files:
        return f"no spec files (.yaml, .yml, .json) in {' '.join(map(str, paths))}"
    stems = [package_stem(p.stem) for p in files]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        return f"several specs map to the package name(s) {', '.join(duplicates)}"
    # The formatter decides the output too: switching it is not a no-op.
    gen_digest = generator_digest() + ("" if formatter == "ruff" else "+" + formatter)
    return [_source(p, gen_digest) for p in files]


def generate_command(
    paths: list[Path],
    out: Path,
    *,
    force: bool = False,
    strict: bool | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
    formatter: str = "ruff",
) -> int:
    started = time.perf_counter()
    sources = _sources(paths, formatter)
    if isinstance(sources, str):
        return _error(sources)
    unowned = [str(out / s.stem) for s in sources if (out / s.stem).exists() and Stamp.read(out / s.stem) is None]
    if unowned and not overwrite:
        return _error(
            f"{', '.join(unowned)} exists and was not written by specgen (it has no {HASH_FILE}); "
            "move it away, or pass --overwrite to replace it"
        )
    orphans = _orphans(out, paths, {s.stem for s in sources})
    todo = [
        s for s in sources
        if force or not _up_to_date(out, s) or (overwrite and _user_files(out / s.stem, set()))
    ]
    results = _render_all(todo, strict, progress or Progress.on_stderr(), formatter)
    _print([d for r in results for d in r.diagnostics])
    if any(not r.ok for r in results):
        failed = ", ".join(str(s.path) for s, r in zip(todo, results, strict=True) if not r.ok)
        return _error(f"generation failed for {failed}; {out} is unchanged")
    keep: dict[str, list[str]] = {}
    for result in results:
        package = out / result.stem
        new = {rel.relative_to(result.stem).as_posix() for rel in result.files}
        mine = [] if overwrite or not package.is_dir() else _user_files(package, new)
        clashes = [package / name for name in mine if name in new]
        if clashes:
            return _error(
                f"{', '.join(map(str, clashes))} not written by specgen, where it now writes; "
                "move them away, or pass --overwrite to replace them"
            )
        keep[result.stem] = mine
    try:
        if results or orphans:  # a no-op run stages nothing
            write_packages(out, results, keep=keep, remove=orphans)
    except (OSError, SpecError) as exc:
        return _error(f"cannot write {out}: {exc}")
    for source in sources:  # after writing, the stamps list every file specgen owns
        _warn_user_files(out / source.stem, _user_files(out / source.stem, set()))
    elapsed = time.perf_counter() - started
    for source, result in zip(todo, results, strict=True):
        print(f"{source.path}: {out / result.stem} ({result.operations} operations)")
    for package in orphans:
        print(f"{package}: removed (its spec is gone)")
    skipped = len(sources) - len(todo)
    print(f"specgen: {len(todo)} generated, {skipped} up to date, in {elapsed:.2f}s")
    return 0


def _render_one(source: _Source, strict: bool | None, progress: Progress, formatter: str = "ruff") -> RenderResult:
    return render_spec(source.path, strict=strict, digest=source.digest, progress=progress, formatter=formatter)


def _render_all(
    sources: list[_Source], strict: bool | None, progress: Progress, formatter: str = "ruff"
) -> list[RenderResult]:
    """Specs render independently, so several of them share out over the cores (results keep
    their order, so the output does not depend on scheduling)."""
    done: dict[int, RenderResult] = {}

    def finished(index: int, result: RenderResult) -> None:
        done[index] = result
        progress(result.stem, f"done ({len(done)}/{len(sources)})")

    if len(sources) > 1:  # imported only then: a no-op run renders nothing and need not load the formatter
        from concurrent.futures import ProcessPoolExecutor, as_completed
        from multiprocessing import get_context

        from generator.workers import disallow_parallel

        if workers.workers() > 1:
            # Biggest first, so that a large spec does not start last.
            order = sorted(range(len(sources)), key=lambda i: -sources[i].size)
            with ProcessPoolExecutor(
                min(workers.workers(), len(sources)), mp_context=get_context("fork"), initializer=disallow_parallel
            ) as pool:
                futures = {pool.submit(_render_one, sources[i], strict, progress, formatter): i for i in order}
                for future in as_completed(futures):
                    finished(futures[future], future.result())
    for index, source in enumerate(sources):
        if index not in done:
            finished(index, _render_one(source, strict, progress, formatter))
    return [done[i] for i in range(len(sources))]


def _up_to_date(out: Path, source: _Source) -> bool:
    """The inputs are those the package was written from, and its files are those written."""
    package = out / source.stem
    stamp = Stamp.read(package)
    if stamp is None or stamp.digest != source.digest or stamp.source != _relative_source(source.path, out):
        return False
    for name, sha in stamp.files.items():
        try:
            if _sha256((package / name).read_bytes()) != sha:
                return False
        except OSError:
            return False
    return bool(stamp.files)


def _orphans(out: Path, paths: list[Path], stems: set[str]) -> list[Path]:
    """Packages specgen wrote from a spec in one of the folders given whose spec is gone (renamed or
    deleted). Packages from specs named one by one, or from elsewhere, are left alone."""
    folders = {p.resolve() for p in paths if p.is_dir()}
    if not folders or not out.is_dir():
        return []
    found = []
    for package in sorted(out.iterdir()):
        if package.name in stems or package.name.startswith(".") or not package.is_dir():
            continue
        stamp = Stamp.read(package)
        if stamp is not None and stamp.source and (out.resolve() / stamp.source).resolve().parent in folders:
            found.append(package)
    return found


def check_command(
    paths: list[Path], out: Path, *, strict: bool | None = None, progress: Progress | None = None
) -> int:
    """Fail, naming the files, when `generate` would change anything in `out`."""
    sources = _sources(paths)
    if isinstance(sources, str):
        return _error(sources)
    stale: list[str] = []
    failed = False
    for result in _render_all(sources, strict, progress or Progress.on_stderr()):
        if not result.ok:
            _print(result.diagnostics)
            failed = True
            continue
        stale.extend(_differences(out, result))
    stale.extend(f"{package} (its spec is gone: generate removes it)" for package in _orphans(out, paths, {s.stem for s in sources}))
    if failed:
        return 1
    if stale:
        print(f"specgen: error: {out} is stale; run `make generate`. Differing files:", file=sys.stderr)
        for name in stale:
            print(f"  {name}", file=sys.stderr)
        return 1
    print(f"specgen: {out} is up to date ({len(sources)} packages)")
    return 0


def _differences(out: Path, result: RenderResult) -> list[str]:
    """What generate would change in one package; user files it would keep are warned about."""
    package = out / result.stem
    stamp = Stamp.read(package)
    if not package.exists():
        return [f"{package} (missing)"]
    if stamp is None:
        return [f"{package} (not written by specgen: generate refuses to replace it without --overwrite)"]
    expected = {**result.files, PurePosixPath(result.stem) / HASH_FILE: Stamp.of(result, out).text()}
    differing = []
    for rel, text in sorted(expected.items()):
        target = out / rel
        try:
            if target.read_text(encoding="utf-8") != text:
                differing.append(str(target))
        except (OSError, UnicodeDecodeError):
            differing.append(f"{target} (missing)")
    new = {rel.relative_to(result.stem).as_posix() for rel in result.files}
    if stamp is not None:
        gone = sorted(set(stamp.files) - new)
        differing.extend(f"{package / name} (no longer generated)" for name in gone if (package / name).is_file())
    if package.is_dir():
        _warn_user_files(package, [f for f in _user_files(package, new) if f not in new])
    return differing
