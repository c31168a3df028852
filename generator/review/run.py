"""Review every spec of a folder between a git revision and the working tree."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from generator.diagnostics import Diagnostic, SpecError, pointer
from generator.diagnostics import Level as DiagLevel
from generator.lint import lint_document
from generator.load import Document, load, spec_files
from generator.names import package_stem
from generator.review import cache, git
from generator.review.api import ApiChange, diff_surfaces, is_api_file, surface
from generator.review.curation import CurationChange, count_entries, diff_curation
from generator.review.diff import Change, diff_documents, operations
from generator.review.rules import Level, rule

Files = dict[PurePosixPath, str]
Renderer = Callable[[Path], Files]
"""Renders a spec file to its client package sources; raises Unavailable with a reason."""


Linter = Callable[[Document], list[Diagnostic]]


class Unavailable(Exception):
    pass


@dataclass(frozen=True)
class Ack:
    rule: str
    location: str
    reason: str

    def matches(self, change: Change | ApiChange) -> bool:
        if isinstance(change, ApiChange):
            return self.rule == change.rule and self.location == change.subject
        # a shared-schema change is acknowledged on the schema or on any operation it reaches;
        # an ack on a schema pointer covers that rule everywhere inside the schema
        places = (change.location, change.where, change.pointer, *change.reaches)
        if self.rule != change.rule:
            return False
        if self.location.startswith("#/components/schemas/"):
            inside = self.location + "/"
            return any(p == self.location or p.startswith(inside) for p in places if p)
        return self.location in places


@dataclass(frozen=True)
class LintFinding:
    level: str  # "error" or "warning"
    pointer: str
    message: str
    line: int | None = None


@dataclass
class ClientImpact:
    available: bool
    reason: str = ""
    changes: list[ApiChange] = field(default_factory=list)


@dataclass
class SpecReview:
    name: str
    status: str  # unchanged, modified, added, removed, unparseable
    errors: list[str] = field(default_factory=list)  # "base: ..." / "working tree: ..."
    operations: tuple[int | None, int | None] = (None, None)
    schemas: tuple[int | None, int | None] = (None, None)
    curation_entries: tuple[int | None, int | None] = (None, None)
    lint: str = "n/a"
    lint_findings: list[LintFinding] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    acks: dict[Change | ApiChange, Ack] = field(default_factory=dict)
    # a client change caused by a breaking spec change follows that change's acknowledgement
    explained: dict[ApiChange, Change] = field(default_factory=dict)
    unused_acks: list[Ack] = field(default_factory=list)
    client: ClientImpact = field(default_factory=lambda: ClientImpact(True))
    curation: list[CurationChange] = field(default_factory=list)
    file: str = ""  # the spec's path from the repository's top, for annotations
    doc: Document | None = field(default=None, repr=False)  # the working-tree document
    ack_entries: list[Ack] = field(default_factory=list)  # x-breaking-change-ack, working tree
    earlier_acks: list[Ack] = field(default_factory=list)  # the same at the base

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.level is Level.BREAKING]

    @property
    def client_breaking(self) -> list[ApiChange]:
        return [c for c in self.client.changes if c.level is Level.BREAKING]

    @property
    def unacknowledged(self) -> list[Change]:
        return [c for c in self.breaking if c not in self.acks]

    @property
    def client_unacknowledged(self) -> list[ApiChange]:
        """Breaking client changes neither acknowledged nor explained by a spec change (those
        are counted once, through the spec change)."""
        return [c for c in self.client_breaking if c not in self.acks and c not in self.explained]

    def line_of(self, ptr: str) -> int | None:
        return self.doc.line_of(ptr) if self.doc is not None and ptr else None

    def client_line(self, api: ApiChange) -> int | None:
        """The spec line behind a client change: its cause's, else the schema of its model."""
        cause = self.explained.get(api)
        if cause is not None:
            return self.line_of(cause.pointer)
        if self.doc is None or not api.subject.startswith("models."):
            return None
        model = _norm(api.subject.split(".")[1])
        comps = self.doc.data.get("components") if isinstance(self.doc.data, dict) else None
        names = comps.get("schemas") if isinstance(comps, dict) else None
        for name in names if isinstance(names, dict) else ():
            if _norm(str(name)) == model:
                return self.line_of(pointer("components", "schemas", str(name)))
        return None

    @property
    def lint_errors(self) -> list[LintFinding]:
        return [f for f in self.lint_findings if f.level == "error"]

    @property
    def unparseable(self) -> bool:
        # an unreadable working-tree spec cannot be shown free of breaking changes
        return self.status == "unparseable" and any(
            e.startswith("working tree") for e in self.errors
        )

    @property
    def failed(self) -> bool:
        return (
            bool(self.unacknowledged or self.client_unacknowledged or self.lint_errors)
            or self.unparseable
        )


@dataclass
class ReviewResult:
    base_label: str
    base_commit: str
    specs: list[SpecReview]

    @property
    def exit_status(self) -> int:
        return 1 if any(s.failed for s in self.specs) else 0


def review_command(base: str | None, fmt: str, specs_dir: Path) -> int:
    from generator.review.report import to_github, to_json, to_markdown

    try:
        result = review_git(base, specs_dir)
    except git.GitError as exc:
        import sys

        print(f"specgen review: {exc}", file=sys.stderr)
        return 1
    render = {"json": to_json, "github": to_github}.get(fmt, to_markdown)
    print(render(result), end="")
    return result.exit_status


def rules_command(out: Path | None) -> int:
    """The rule table as Markdown: to stdout, or written to `out` (docs/review-rules.md)."""
    from generator.review.rules import rules_markdown

    text = rules_markdown()
    if out is None:
        print(text, end="")
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    return 0


def review_git(
    base: str | None,
    specs_dir: Path,
    renderer: Renderer | None = None,
    cache_dir: Path | None = None,
) -> ReviewResult:
    """cache_dir: where rendered sources are kept between runs (default: .cache/review at the top)."""
    top = git.toplevel(specs_dir if specs_dir.is_dir() else Path.cwd())
    label, commit = git.resolve_base(base, top)
    try:
        specs_rel = PurePosixPath(specs_dir.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        raise git.GitError(f"{specs_dir} is not inside the git repository {top}") from None
    old = {p.name: git.read_at(commit, p, top) for p in git.spec_paths_at(commit, specs_rel, top)}
    new = {
        p.name: p.read_text(encoding="utf-8") for p in spec_files([specs_dir]) if specs_dir.is_dir()
    }
    cache_dir = cache_dir if cache_dir is not None else top / ".cache" / "review"
    base_files = (
        {name: _committed_package(commit, name, top) for name in old} if renderer is None else {}
    )
    reviews = review_texts(
        old, new, renderer, cache_dir, base_files={k: v for k, v in base_files.items() if v}
    )
    for review in reviews:
        review.file = str(specs_rel / review.name)
    return ReviewResult(label, commit, reviews)


def _committed_package(commit: str, spec_name: str, top: Path) -> Files:
    """The client package generated/<stem>/ as committed at the base, API files only. `make check`
    keeps it equal to what the generator makes of that revision's spec, so reading it is the base
    render without the cost of rendering."""
    folder = PurePosixPath("generated") / package_stem(Path(spec_name).stem)
    wanted = [p for p in git.list_files_at(commit, folder, top) if is_api_file(p)]
    return {
        p.relative_to("generated"): text
        for p, text in git.read_many_at(commit, wanted, top).items()
    }


def review_texts(
    old: Mapping[str, str],
    new: Mapping[str, str],
    renderer: Renderer | None = None,
    cache_dir: Path | None = None,
    linter: Linter = lint_document,
    base_files: Mapping[str, Files] | None = None,
) -> list[SpecReview]:
    """One review per spec file name present on either side, sorted by name. base_files: client
    sources already known for a spec at the base (by spec file name), used instead of rendering.
    """
    known = base_files or {}
    with tempfile.TemporaryDirectory(prefix="specgen-review-") as tmp:
        root = Path(tmp)
        (root / "base").mkdir()
        (root / "head").mkdir()
        reviews: list[SpecReview] = []
        pending: list[tuple[SpecReview, Path | None, Path | None]] = []
        for name in sorted(old.keys() | new.keys()):
            review, old_path, new_path = _review_one(
                name, old.get(name), new.get(name), root, cache_dir, linter
            )
            reviews.append(review)
            if review.status in ("added", "removed", "modified"):
                pending.append((review, old_path, new_path))
        paths = [p for _, a, b in pending for p in (a, b) if p is not None and not _known(p, known)]
        rendered: dict[Path, Files | str] = render_all(paths, renderer, cache_dir)
        for _, old_path, _ in pending:
            if old_path is not None and _known(old_path, known):
                rendered[old_path] = dict(known[old_path.name])
        for review, old_path, new_path in pending:
            review.client = _client_impact(old_path, new_path, rendered)
        for review in reviews:
            _settle(review)
        return reviews


def _known(path: Path, known: Mapping[str, Files]) -> bool:
    return path.parent.name == "base" and path.name in known


def _load_text(
    text: str | None, folder: Path, name: str
) -> tuple[Path | None, Document | None, list[str]]:
    if text is None:
        return None, None, []
    path = folder / name
    path.write_text(text, encoding="utf-8")
    try:
        return path, load(path), []
    except SpecError as exc:
        return (
            path,
            None,
            [d.message + (f" (line {d.line})" if d.line else "") for d in exc.diagnostics],
        )


def _review_one(
    name: str,
    old_text: str | None,
    new_text: str | None,
    root: Path,
    cache_dir: Path | None,
    linter: Linter,
) -> tuple[SpecReview, Path | None, Path | None]:
    """The review without its client impact, and the spec files to render for it."""
    old_path, old_doc, old_err = _load_text(old_text, root / "base", name)
    new_path, new_doc, new_err = _load_text(new_text, root / "head", name)
    review = SpecReview(name, "modified", file=name, doc=new_doc)
    review.errors = [f"base: {e}" for e in old_err] + [f"working tree: {e}" for e in new_err]
    review.operations = (_count_ops(old_doc), _count_ops(new_doc))
    review.schemas = (_count_schemas(old_doc), _count_schemas(new_doc))
    review.curation_entries = (
        count_entries(old_doc.data) if old_doc else None,
        count_entries(new_doc.data) if new_doc else None,
    )
    if new_doc is not None and new_text is not None:
        review.lint, review.lint_findings = _lint(new_doc, new_text, cache_dir, linter)
    if review.errors:
        review.status = "unparseable"
        review.client = ClientImpact(False, "a revision of the spec does not parse")
        return review, None, None
    if old_text is None:
        review.status = "added"
        review.changes = [
            Change(
                "spec-added",
                rule("spec-added").level,
                name,
                "",
                "new spec: a new client package",
            )
        ]
    elif new_text is None:
        review.status = "removed"
        review.changes = [
            Change(
                "spec-removed",
                rule("spec-removed").level,
                name,
                "",
                "spec removed: its client package goes away",
            )
        ]
    elif old_text == new_text:
        review.status = "unchanged"
        return review, None, None
    else:
        assert old_doc is not None and new_doc is not None
        review.changes = diff_documents(old_doc.data, new_doc.data)
    review.curation = diff_curation(
        old_doc.data if old_doc else {}, new_doc.data if new_doc else {}
    )
    if new_doc is not None:
        review.ack_entries = _acks(new_doc.data)
        review.earlier_acks = _acks(old_doc.data) if old_doc else []
    return review, old_path, new_path


def _count_ops(doc: Document | None) -> int | None:
    return None if doc is None else sum(1 for _ in operations(doc.data))


def _count_schemas(doc: Document | None) -> int | None:
    if doc is None:
        return None
    comps = doc.data.get("components")
    schemas = comps.get("schemas") if isinstance(comps, dict) else None
    return len(schemas) if isinstance(schemas, dict) else 0


def _lint(
    doc: Document, text: str, cache_dir: Path | None, linter: Linter
) -> tuple[str, list[LintFinding]]:
    cache_key = cache.key("lint", doc.path.name, text)
    hit = cache.get(cache_dir, cache_key) if cache_dir is not None else None
    if isinstance(hit, list):
        try:
            findings = [LintFinding(**f) for f in hit]
        except TypeError:
            findings = None
    else:
        findings = None
    if findings is None:
        findings = [
            LintFinding(
                "error" if d.level is DiagLevel.ERROR else "warning", d.pointer, d.message, d.line
            )
            for d in linter(doc)
        ]
        if cache_dir is not None:
            cache.put(cache_dir, cache_key, [f.__dict__ for f in findings])
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    status = ", ".join(
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((errors, "error"), (warnings, "warning"))
        if n
    )
    return status or "ok", findings


def _acks(data: Any) -> list[Ack]:
    raw = data.get("x-breaking-change-ack") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return []
    return [
        Ack(str(a.get("rule", "")), str(a.get("location", "")), str(a.get("reason", "")))
        for a in raw
        if isinstance(a, dict)
    ]


_MOVES = ("client-method-renamed", "client-method-removed", "client-method-added")
# spec changes that matter only through the method they name: quiet when the client shows none
_CLIENT_ONLY = ("api-resource-changed", "api-operation-id-changed")


def _settle(review: SpecReview) -> None:
    """Quiet what the client shows to be harmless, explain client changes by the spec change that
    causes them, and match the acknowledgements to both."""
    if review.client.available and review.status == "modified":
        moved = {c.anchor for c in review.client.changes if c.rule in _MOVES}
        review.changes = [
            (
                Change(
                    c.rule,
                    Level.INFO,
                    c.location,
                    c.detail,
                    c.message + " (the generated method keeps its name and resource)",
                )
                if c.rule in _CLIENT_ONLY and c.location not in moved
                else c
            )
            for c in review.changes
        ]
    found: list[Change | ApiChange] = [*review.changes, *review.client.changes]
    for change in found:
        for ack in review.ack_entries:
            if ack.matches(change):
                review.acks[change] = ack
                break
    whole = [c for c in review.changes if c.rule in ("spec-removed", "spec-added")]
    for api in review.client_breaking:
        if api not in review.acks:
            # a removed spec takes its whole package with it: one cause, reported once
            cause = whole[0] if whole else _cause(api, review.breaking)
            if cause is not None:
                review.explained[api] = cause
    used = set(review.acks.values())
    earlier = set(review.earlier_acks)
    # an ack added by this change that matches nothing is most likely a typo in rule or location
    review.unused_acks = [a for a in review.ack_entries if a not in used and a not in earlier]


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _cause(api: ApiChange, spec_breaking: list[Change]) -> Change | None:
    """The breaking spec change a client change follows from: the same operation (a method's
    docstring names it), the same schema (a model), or the same JSON property (a field; of the
    model's own schema first, as property names repeat across schemas)."""
    for change in spec_breaking:
        if api.anchor and api.anchor == change.location:
            return change
    if not api.subject.startswith("models."):
        return None
    parts = api.subject.split(".")
    model = _norm(parts[1])

    def schema_of(change: Change) -> str:
        for place in (change.location, change.pointer):
            if place.startswith("#/components/schemas/"):
                return _norm(place.split("/")[3])
        return ""

    if len(parts) == 2:  # the model itself: its schema renamed or removed
        for change in spec_breaking:
            if change.location.count("/") == 3 and schema_of(change) == model:
                return change
    if len(parts) < 3 or not api.anchor:
        return None
    fields = [c for c in spec_breaking if api.anchor in _last_tokens(c)]
    own = [c for c in fields if schema_of(c) == model]
    found = own or fields
    return found[0] if found else None


def _last_tokens(change: Change) -> list[str]:
    places = [p for p in (change.detail, change.pointer) if "#/" in p]
    return [p.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~") for p in places]


def _client_impact(
    old_path: Path | None, new_path: Path | None, rendered: Mapping[Path, Files | str]
) -> ClientImpact:
    sides = [rendered[p] if p is not None else {} for p in (old_path, new_path)]
    for side in sides:
        if isinstance(side, str):
            return ClientImpact(False, side)
    old_files, new_files = (s for s in sides if not isinstance(s, str))
    return ClientImpact(True, changes=diff_surfaces(surface(old_files), surface(new_files)))


def render_all(
    paths: list[Path], renderer: Renderer | None, cache_dir: Path | None
) -> dict[Path, Files | str]:
    """Each spec file's rendered sources, or why there are none. The generator's renders are
    cached by content and, when several are missing, run in parallel processes."""
    results: dict[Path, Files | str] = {}
    if renderer is not None:
        for path in paths:
            results[path] = _render_safely(path, renderer)
        return results
    keys = {p: cache.key("render", p.name, p.read_text(encoding="utf-8")) for p in paths}
    todo: list[Path] = []
    for path in paths:
        hit = cache.files_from(cache.get(cache_dir, keys[path])) if cache_dir is not None else None
        if hit is None:
            todo.append(path)
        else:
            results[path] = hit
    workers = min(len(todo), os.cpu_count() or 1)
    if workers > 1:
        import generator.pipeline  # noqa: F401 - imported once here, inherited by forked workers

        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_render_safely, todo))
    else:
        outcomes = [_render_safely(p) for p in todo]
    for path, outcome in zip(todo, outcomes, strict=True):
        results[path] = outcome
        if cache_dir is not None and not isinstance(outcome, str):
            cache.put(cache_dir, keys[path], cache.files_to(outcome))
    return results


def _render_safely(path: Path, renderer: Renderer | None = None) -> Files | str:
    try:
        return (renderer or render_with_generator)(path)
    except Unavailable as exc:
        return str(exc)


def render_with_generator(path: Path) -> Files:
    """The generator, rendering in memory (nothing written)."""
    from generator.pipeline import render_spec

    side = "base" if path.parent.name == "base" else "working tree"
    # a fixed digest: the package hash file is not part of the API, so no need to hash the generator
    # unformatted: the API diff parses the code, and black is most of the rendering time
    result = render_spec(path, digest="review", format=False)
    errors = [d for d in result.diagnostics if d.level is DiagLevel.ERROR]
    if errors or not result.files:
        first = errors[0].message if errors else "no files rendered"
        raise Unavailable(
            f"the generator rejects the spec at {side} ({len(errors)} error(s)), first: {first}"
        )
    return dict(result.files)
