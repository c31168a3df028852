"""Spec files -> client packages: load, validate, build, models, render, format, write.

Data flows one way. `render_spec` returns {relative path: text} and writes nothing;
`write_packages` is the only step that touches the output folder, and it swaps whole packages in
only after every spec has rendered, so a failed run leaves the output as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from multiprocessing import get_context
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator import __version__
from generator.diagnostics import Diagnostic, Level, SpecError, escape_token, print_diagnostics
from generator.load import Document, load, spec_files
from generator.names import package_stem

if TYPE_CHECKING:  # imported lazily at run time: the CLI starts without the heavy modules
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

    @property
    def ok(self) -> bool:
        return bool(self.files) and not any(d.level is Level.ERROR for d in self.diagnostics)


def is_curated(path: Path) -> bool:
    return path.resolve().parent.name == "specs"


@dataclass(frozen=True)
class _Source:
    path: Path
    stem: str
    digest: str
    size: int = 0


@cache
def generator_digest() -> str:
    """Hash of everything besides the spec that decides the output: generator code and templates."""
    digest = hashlib.sha256(__version__.encode())
    for folder in (ROOT / "generator", ROOT / "templates"):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and file.suffix in (".py", ".j2") and "__pycache__" not in file.parts:
                digest.update(file.relative_to(ROOT).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


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
    formatter: str = "ruff",
) -> RenderResult:
    """Everything but writing, for one spec. Never raises for a bad spec: see .diagnostics.

    `format=False` skips formatting, for callers that only parse the code (the review's API diff).
    """
    stem = package_stem(path.stem)
    result = RenderResult(stem=stem)
    try:
        doc = load(path)
    except SpecError as exc:
        result.diagnostics = exc.diagnostics
        return result
    curated = is_curated(path) if strict is None else strict
    result.diagnostics.extend(_validate(doc, curated))
    if any(d.level is Level.ERROR for d in result.diagnostics):
        return result
    try:
        _render_valid(doc, stem, result, format, curated, formatter)
    except SpecError as exc:
        result.diagnostics.extend(exc.diagnostics)
        result.files = {}
    if curated and result.diagnostics:
        # Our own specs are held to a higher bar: any warning is an error.
        result.diagnostics = [
            Diagnostic(d.file, d.pointer, d.message, Level.ERROR, d.rule, d.line) for d in result.diagnostics
        ]
        result.files = {}
    if result.files:
        result.files[PurePosixPath(stem) / HASH_FILE] = (digest or _source(path, generator_digest()).digest) + "\n"
    return result


def _validate(doc: Document, curated: bool) -> list[Diagnostic]:
    if curated:
        from generator.lint import lint_document

        return lint_document(doc)
    from generator.validate import degrade, validate_document

    return degrade(doc, validate_document(doc, full=False))


def _render_valid(
    doc: Document, stem: str, result: RenderResult, format: bool, curated: bool = True, formatter: str = "ruff"
) -> None:
    from generator.build import build_api
    from generator.format import format_files
    from generator.render import custom_files, render_package, runtime_copies
    from generator.resolve import resolve_types

    api, models, diagnostics = build_api(doc, stem)
    result.diagnostics.extend(diagnostics)
    api.spec_name = doc.path.name
    api.models_source, notes = _generate_models(doc, models, result, curated)
    for note in notes:
        result.diagnostics.append(doc.diagnostic("#/components/schemas", f"models: {note}", level=Level.WARNING))
    for name, actual in resolve_types(api, models).items():
        result.diagnostics.append(
            doc.diagnostic(
                models.pointer_of(name),
                f"the model generator gave class {name} to another schema"
                + (f" and named this schema's class {actual}; typed with {actual}" if actual else "; untyped (Any)"),
                level=Level.WARNING, rule=RULE_DEGRADED,
            )
        )
    result.diagnostics.extend(_untyped_responses(doc, api))
    result.operations = sum(len(r.operations) for r in api.resources)
    result.typed_operations = sum(
        1 for r in api.resources for op in r.operations if op.pagination or any(s.kind != "empty" for s in op.success)
        and "_t.Any" not in op.return_annotation
    )
    files = render_package(api)
    if not format:
        result.files, result.custom = files, custom_files(api)
        return
    result.files, format_errors = format_files(files, verbatim=runtime_copies(api), formatter=formatter)
    for file, message in format_errors:
        result.diagnostics.append(Diagnostic(doc.display, "#", f"generated {file} does not parse ({message}); a specgen bug"))
    result.custom = custom_files(api)


# datamodel-code-generator names the schema it rejects: "Error at schema path '#/components/schemas/X'".
_REJECTED = re.compile(r"#/components/schemas/SpecgenComponent__([^'\"/\s]+)")
_MAX_REJECTED = 20
RULE_DEGRADED = "degraded"  # generator.validate.RULE_DEGRADED, without importing it here


def _generate_models(doc: Document, models: ModelSet, result: RenderResult, curated: bool) -> tuple[str, list[str]]:
    """The models module. Outside specs/, a schema the model generator rejects is left untyped
    (Any) with a located warning, and the rest is generated; in a curated spec it is an error."""
    version = str(doc.data.get("openapi", "3.1.0"))
    for _ in range(_MAX_REJECTED + 1):
        try:
            return models.generate(version)
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


# -- writing ---------------------------------------------------------------------------------


def write_packages(out: Path, results: list[RenderResult]) -> None:
    """Stage every package next to `out`, then swap each in with renames. Files in `custom` are
    created when absent and carried over from the old package otherwise."""
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".specgen-staging-", dir=out))
    try:
        for result in results:
            package = staging / result.stem
            for rel, text in {**result.custom, **result.files}.items():
                target = _inside(staging, rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            for rel in result.custom:
                existing = out / rel
                if existing.is_file():
                    shutil.copy2(existing, _inside(staging, rel))
            old = out / result.stem
            if old.is_dir():
                for keep in _custom_tree(old, result):
                    dest = package / keep.relative_to(old)
                    if not dest.exists():
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(keep, dest)
        for result in results:
            old = out / result.stem
            trash = staging / f".old-{result.stem}"
            if old.exists():
                os.replace(old, trash)
            os.replace(staging / result.stem, old)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _custom_tree(old: Path, result: RenderResult) -> list[Path]:
    """Hand-written files in an existing package: everything under custom/ and tests/test_custom.py."""
    keep = [p for p in old.rglob("*") if p.is_file() and "custom" in p.relative_to(old).parts[:-1]]
    keep += [p for p in old.glob("tests/test_custom*.py")]
    return [p for p in keep if "__pycache__" not in p.parts]


def _inside(root: Path, rel: PurePosixPath) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()) or ".." in rel.parts or rel.is_absolute():
        raise SpecError([Diagnostic(str(rel), "#", "refusing to write outside the output folder")])
    return target


# -- commands --------------------------------------------------------------------------------


def _print(diagnostics: list[Diagnostic]) -> None:
    print_diagnostics(sorted(diagnostics, key=lambda d: (d.file, d.line or 0, d.pointer)))


def generate_command(
    paths: list[Path], out: Path, *, force: bool = False, strict: bool | None = None, formatter: str = "ruff"
) -> int:
    started = time.perf_counter()
    files = spec_files(paths)
    if not files:
        print(f"specgen: no spec files (.yaml, .yml, .json) in {' '.join(map(str, paths))}", file=sys.stderr)
        return 1
    stems = [package_stem(p.stem) for p in files]
    duplicates = sorted({s for s in stems if stems.count(s) > 1})
    if duplicates:
        print(f"specgen: several specs map to the package name(s) {', '.join(duplicates)}", file=sys.stderr)
        return 1
    # The formatter decides the output too: switching it is not a no-op.
    gen_digest = generator_digest() + ("" if formatter == "ruff" else "+" + formatter)
    sources = [_source(p, gen_digest) for p in files]
    todo = [s for s in sources if force or not _up_to_date(out, s)]
    results = _render_all(todo, strict, formatter)
    diagnostics = [d for r in results for d in r.diagnostics]
    _print(diagnostics)
    if any(not r.ok for r in results):
        failed = ", ".join(str(s.path) for s, r in zip(todo, results, strict=True) if not r.ok)
        print(f"specgen: generation failed for {failed}; {out} is unchanged", file=sys.stderr)
        return 1
    try:
        if results:  # all up to date: nothing to stage
            write_packages(out, results)
    except (OSError, SpecError) as exc:
        print(f"specgen: cannot write {out}: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - started
    for source, result in zip(todo, results, strict=True):
        print(f"{source.path}: {out / result.stem} ({result.operations} operations)")
    skipped = len(sources) - len(todo)
    print(f"specgen: {len(todo)} generated, {skipped} up to date, in {elapsed:.2f}s")
    return 0


def _render_one(source: _Source, strict: bool | None, formatter: str = "ruff") -> RenderResult:
    return render_spec(source.path, strict=strict, digest=source.digest, formatter=formatter)


def _render_all(sources: list[_Source], strict: bool | None, formatter: str = "ruff") -> list[RenderResult]:
    """Specs render independently, so several of them share out over the cores (results keep
    their order, so the output does not depend on scheduling)."""
    if len(sources) < 2:  # before importing black: a no-op run renders nothing at all
        return [_render_one(s, strict, formatter) for s in sources]
    from generator.format import disallow_parallel, workers

    if workers() < 2:
        return [_render_one(s, strict, formatter) for s in sources]
    # Biggest first, so that a large spec does not start last.
    order = sorted(range(len(sources)), key=lambda i: -sources[i].size)
    with ProcessPoolExecutor(
        min(workers(), len(sources)), mp_context=get_context("fork"), initializer=disallow_parallel
    ) as pool:
        done = dict(zip(order, pool.map(_render_one, [sources[i] for i in order], [strict] * len(order), [formatter] * len(order)), strict=True))
    return [done[i] for i in range(len(sources))]


def _up_to_date(out: Path, source: _Source) -> bool:
    try:
        return (out / source.stem / HASH_FILE).read_text(encoding="utf-8").strip() == source.digest
    except OSError:
        return False


def check_command(paths: list[Path], out: Path) -> int:
    files = spec_files(paths)
    gen_digest = generator_digest()
    stale: list[str] = []
    failed = False
    sources = [_source(path, gen_digest) for path in files]
    for result in _render_all(sources, None):
        if not result.ok:
            _print(result.diagnostics)
            failed = True
            continue
        stale.extend(_differences(out, result))
    if failed:
        return 1
    if stale:
        print("specgen: generated/ is stale; run `make generate`. Differing files:", file=sys.stderr)
        for name in stale:
            print(f"  {name}", file=sys.stderr)
        return 1
    print(f"specgen: {out} is up to date ({len(files)} packages)")
    return 0


def _differences(out: Path, result: RenderResult) -> list[str]:
    differing = []
    for rel, text in sorted(result.files.items()):
        target = out / rel
        try:
            if target.read_text(encoding="utf-8") != text:
                differing.append(str(target))
        except OSError:
            differing.append(f"{target} (missing)")
    package = out / result.stem
    expected = {out / rel for rel in result.files} | {out / rel for rel in result.custom}
    if package.is_dir():
        custom = set(_custom_tree(package, result))
        for file in sorted(package.rglob("*")):
            if file in expected or file in custom or not file.is_file():
                continue
            if "__pycache__" not in file.parts and not any(p.endswith(".egg-info") for p in file.parts):
                differing.append(f"{file} (not generated)")
    return differing
