"""Formatting of the generated Python: ruff's formatter in black's style; black is the style of record.

Formatting is part of the output, so it decides determinism too; both formatters are pinned.
ruff formats GitHub's 8.8 MB of output in under a second where black takes minutes, and its style
is black's except for a few documented deviations (https://docs.astral.sh/ruff/formatter/black/).
The ones generated code runs into are all statements split inside a type annotation, a return
annotation or an assert with a message; the smallest piece that holds such a split (a parameter,
a signature, a method, a statement), and only that, goes through black afterwards, so
`black --check` finds nothing to change (tests/test_format.py).
`formatter="black"` (`specgen generate --formatter black`) formats everything with black itself.

Files copied verbatim from sources kept black-clean (the runtime; tests/runtime/test_static.py)
are not formatted again.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import json
import os
import re
import subprocess
import sys
import sysconfig
from bisect import bisect_left, bisect_right
from collections.abc import Collection
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from generator.atomic import TextCache
from generator.ends import Helper, read, scratch, spawn, stop, taken
from generator.workers import disallow_parallel, jobs, workers

if TYPE_CHECKING:
    from black.mode import Mode

FORMATTERS = ("ruff", "black")
LINE_LENGTH = 100  # the project's black configuration (and each package's pyproject.toml)
# black's style spelled out for ruff; --isolated so no pyproject.toml near the output changes it.
RUFF_OPTIONS = (
    "--isolated", "--no-cache", f"--line-length={LINE_LENGTH}", "--target-version=py311",
    "--config=format.quote-style='double'", "--config=format.indent-style='space'",
    "--config=format.skip-magic-trailing-comma=false", "--config=format.line-ending='lf'",
)  # fmt: skip

# Below this much Python a worker pool costs more than it saves (black only).
_PARALLEL_BYTES = 400_000


@functools.cache
def black_mode(line_length: int = LINE_LENGTH) -> Mode:
    """The project's black style at a line length. black is imported here, on first use: most
    runs never call it (a small spec's output rarely has a statement where ruff and black part)."""
    from black.mode import Mode, TargetVersion

    return Mode(target_versions={TargetVersion.PY311}, line_length=line_length)


def _black_format(text: str, mode: Mode) -> tuple[str, str | None]:
    """black's formatting of text, or text and the first line of black's message when it does not
    parse."""
    import black
    from black.parsing import InvalidInput

    try:
        return black.format_str(text, mode=mode), None
    except InvalidInput as exc:
        return text, str(exc).splitlines()[0][:200]


def ruff_binary() -> Path:
    """The pinned ruff of this environment, never one found on PATH."""
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / ("ruff.exe" if os.name == "nt" else "ruff")
        if candidate.is_file():
            return candidate
    raise RuntimeError(f"ruff is not installed next to {sys.executable}; reinstall specgen")


def format_files(
    files: dict[PurePosixPath, str],
    verbatim: Collection[PurePosixPath] = (),
    formatter: str = "ruff",
    cache: Path | None = None,
) -> tuple[dict[PurePosixPath, str], list[tuple[str, str]]]:
    """Formats the Python among `files`; returns them and (file, message) for code that does not parse.

    With `cache` (a folder), a text formatted before is read back instead of formatted again: after
    a one-schema change to a large spec, only the few modules it touched are formatted."""
    return Formatting(files, verbatim, formatter, cache).result()


# Above this much to format, Formatting(background=True) starts a process of its own for it.
BACKGROUND_BYTES = 2_000_000


class Formatting:
    """format_files of `files`, done by result(); with `background`, and much to format, done by a
    process of its own started now (`python -m generator.format`, the files and what each becomes
    in a scratch folder) while this one goes on: rendering GitHub's test modules takes as long as
    formatting everything else. Called before that process is done, result() takes fix-ups from
    the end of its list (_help)."""

    def __init__(
        self,
        files: dict[PurePosixPath, str],
        verbatim: Collection[PurePosixPath] = (),
        formatter: str = "ruff",
        cache: Path | None = None,
        background: bool = False,
    ) -> None:
        self.files, self.formatter = files, formatter
        self.todo = [p for p, text in files.items() if p.suffix == ".py" and p not in verbatim and text.strip()]
        self.store = FormatCache(cache, formatter) if cache is not None else None
        self.outcomes: dict[PurePosixPath, tuple[str, str | None]] = {}
        if self.store is not None:
            for path in self.todo:
                hit = self.store.get(files[path])
                if hit is not None:
                    self.outcomes[path] = (hit, None)
        self.missing = {p: files[p] for p in self.todo if p not in self.outcomes}
        self._job: tuple[contextlib.ExitStack, Path, subprocess.Popen[bytes]] | None = None
        self.order: list[PurePosixPath] = []  # the files given to the process, by their number
        size = sum(map(len, self.missing.values()))
        if background and jobs() > 1 and size >= BACKGROUND_BYTES:
            self.order = sorted(self.missing, key=lambda p: -len(self.missing[p]))  # the largest first
            with contextlib.ExitStack() as stack:
                folder = stack.enter_context(scratch(size))
                for i, path in enumerate(self.order):
                    (folder / f"{i}.py").write_text(self.missing[path], encoding="utf-8")
                proc = spawn("generator.format", str(folder), formatter, str(len(self.missing)))
                self._job = (stack.pop_all(), folder, proc)
        # else ruff starts now, in its own process, while the caller goes on (renders the tests)
        self._ruff = _Ruff(self.missing) if self._job is None and formatter == "ruff" and self.missing else None

    @property
    def apart(self) -> bool:
        """Whether a process of its own formats it all (then the caller had best work meanwhile)."""
        return self._job is not None

    def result(self) -> tuple[dict[PurePosixPath, str], list[tuple[str, str]]]:
        fresh = self._fresh()
        self.outcomes.update(fresh)
        formatted = dict(self.files)
        errors: list[tuple[str, str]] = []
        for path in self.todo:
            text, error = self.outcomes[path]
            formatted[path] = text
            if error is not None:
                errors.append((str(path), error))
            elif self.store is not None and path in fresh:
                self.store.put(self.files[path], text)
        return formatted, errors

    def _fresh(self) -> dict[PurePosixPath, tuple[str, str | None]]:
        if self._job is not None:
            _, folder, proc = self._job
            paths = [folder / f"{i}.py" for i in range(len(self.order))]
            mine = _help(paths, folder / _RUFF_DONE) if proc.poll() is None else {}
            ok = proc.wait() == 0
            answer = [mine.get(i) or (_read_out(path) if ok else None) for i, path in enumerate(paths)]
            self.close()
            if all(a is not None for a in answer):  # else (not expected) it is formatted here
                return {path: a for path, a in zip(self.order, answer, strict=True) if a is not None}
        if self.formatter == "black":
            return _black_all(self.missing)
        ruff, self._ruff = self._ruff, None
        return ruff.finish() if ruff is not None else _ruff_all(self.missing)

    def close(self) -> None:
        """End the processes in the background, if any, and remove their folders (result() does)."""
        if self._ruff is not None:
            self._ruff.close()
            self._ruff = None
        if self._job is not None:
            stack, _, proc = self._job
            self._job = None
            stop(proc)
            stack.close()


# Written by a Formatting's process once ruff is done: the files ruff could not parse (JSON list).
_RUFF_DONE = "ruff.json"


def _help(paths: list[Path], done: Path) -> dict[int, tuple[str, str | None]]:
    """The fix-ups of a Formatting's files that this process takes from the end of the list while
    its process takes them from the front (generator.ends.taken), once ruff is done with them."""
    try:
        failed = set(json.loads(done.read_bytes()))
    except (OSError, ValueError):
        return {}  # ruff is still at work: its process does it all
    order = [i for i in reversed(range(len(paths))) if paths[i].name not in failed]
    return {i: (text, None) for i, text in taken(paths, order, black_compatible)}


def _read_out(path: Path) -> tuple[str, str | None] | None:
    try:
        text, error = json.loads(Path(f"{path}.out").read_bytes())
        return str(text), None if error is None else str(error)
    except (OSError, ValueError, TypeError):
        return None


def _serve(folder: Path, formatter: str, count: int) -> None:
    """The process of a Formatting in the background: files 0.py... of `folder` in, what each
    becomes in <file>.out (JSON [text, error]). With ruff, the fix-ups are shared (_help)."""
    disallow_parallel()  # the process that started it goes on working
    paths = [folder / f"{i}.py" for i in range(count)]
    sources = {path.name: read(path) for path in paths}
    if formatter == "black":
        for path in paths:
            _write_out(path, _black_one(sources[path.name]))
        return
    failed = _run_ruff(paths)
    for path in paths:
        if path.name in failed:
            _write_out(path, _black_one(sources[path.name]))
    (folder / "ruff.tmp").write_text(json.dumps(sorted(failed)), encoding="utf-8")
    (folder / "ruff.tmp").replace(folder / _RUFF_DONE)
    for i, text in taken(paths, [i for i, path in enumerate(paths) if path.name not in failed], black_compatible):
        _write_out(paths[i], (text, None))


def _write_out(path: Path, outcome: tuple[str, str | None]) -> None:
    Path(f"{path}.out").write_text(json.dumps(outcome), encoding="ascii")


class FormatCache(TextCache):
    """Formatted texts by the digest of the unformatted text, the formatter, the pinned ruff and
    black and this module's own code."""

    def __init__(self, folder: Path, formatter: str) -> None:
        super().__init__(folder, _format_salt(formatter))


@functools.cache
def _format_salt(formatter: str) -> bytes:
    from importlib.metadata import version

    parts = [formatter, version("ruff"), version("black"), Path(__file__).read_text(encoding="utf-8")]
    return "\0".join(parts).encode()


# -- ruff ------------------------------------------------------------------------------------


def _ruff_all(sources: dict[PurePosixPath, str]) -> dict[PurePosixPath, tuple[str, str | None]]:
    """One ruff process over every file (written to a scratch folder), then the black fix-ups."""
    return _Ruff(sources).finish() if sources else {}


class _Ruff:
    """ruff's formatter over `sources`, written to a scratch folder (flat: no excluded folders),
    started now in its own process; finish() waits for it and makes the black fix-ups."""

    def __init__(self, sources: dict[PurePosixPath, str]) -> None:
        self.sources = sources
        size = sum(map(len, sources.values()))
        self.stack = contextlib.ExitStack()
        root = self.stack.enter_context(scratch(size))
        self.paths = {rel: root / f"{i}.py" for i, rel in enumerate(sources)}
        for rel, path in self.paths.items():
            path.write_text(sources[rel], encoding="utf-8")
        # the fix-ups' helper imports black while ruff runs
        self.helper = Helper(_FIX_UP) if jobs() > 1 and size >= PARALLEL_FIXUPS else None
        self.proc: subprocess.Popen[str] | None = subprocess.Popen(
            _ruff_command(list(self.paths.values())), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def finish(self) -> dict[PurePosixPath, tuple[str, str | None]]:
        proc, self.proc = self.proc, None
        try:
            if proc is None:
                raise RuntimeError("a ruff run finishes once")
            _, stderr = proc.communicate()
            failed = _ruff_failed(stderr, proc.returncode)
            sources, paths = self.sources, self.paths
            # a file ruff cannot parse is reported the way black would (and with its wording)
            outcomes = {rel: _black_one(sources[rel]) for rel, path in paths.items() if path.name in failed}
            by_ruff = [rel for rel in paths if rel not in outcomes]
            if self.helper is not None:  # the largest first, so the two meet among small files
                by_ruff.sort(key=lambda rel: -len(sources[rel]))
                fixed = self.helper.map([paths[rel] for rel in by_ruff])
            else:
                fixed = [black_compatible(read(paths[rel])) for rel in by_ruff]
        finally:
            self.close()
        outcomes.update((rel, (text, None)) for rel, text in zip(by_ruff, fixed, strict=True))
        return {rel: outcomes[rel] for rel in paths}

    def close(self) -> None:
        if self.proc is not None:  # not finished: not wanted
            self.proc.kill()
            self.proc.communicate()
            self.proc = None
        if self.helper is not None:
            self.helper.close()
            self.helper = None
        self.stack.close()


def _ruff_command(paths: list[Path]) -> list[str]:
    if not paths:  # ruff would format the working folder
        raise ValueError("no files to format")
    return [str(ruff_binary()), "format", *RUFF_OPTIONS, "--", *map(str, paths)]


def _run_ruff(paths: list[Path]) -> set[str]:
    """ruff's formatter over the files, in place; the names of those it could not parse."""
    done = subprocess.run(_ruff_command(paths), capture_output=True, text=True, check=False)
    return _ruff_failed(done.stderr, done.returncode)


def _ruff_failed(stderr: str, returncode: int) -> set[str]:
    failed = {name for line in stderr.splitlines() for name in [_failed_file(line)] if name}
    if returncode not in (0, 1) and not failed:
        raise RuntimeError(f"ruff format failed: {stderr.strip()[:500]}")
    return failed


# Above this much of ruff's output the black fix-ups (GitHub's 14 MB: ~3 s) are shared with a
# helper process (generator.ends), which takes the files from the end of the list.
PARALLEL_FIXUPS = 2_000_000
_FIX_UP = "generator.format:black_compatible"


def _failed_file(line: str) -> str | None:
    match = re.search(r"(\d+\.py)\b", line) if line.startswith("error") else None
    return match.group(1) if match else None


# Lines of ruff's output where its style and black's can part: an annotation, a return annotation
# or an assert split over several lines, and a union split at its `|`.
_DEVIATION = re.compile(
    r"^[ \t]*(?:async[ \t]+)?def[ \t].*->[^#\n]*[\[(]$"  # def f() -> X[  (black: -> (\n X[..]\n):)
    r"|(?P<union>^[ \t]+\|[ \t])"  # a union continued on a line of its own (black parenthesizes it)
    r"|^[ \t]*\][ \t]*=[ \t]*[\[({]"  # ] = [  (black: ...] = (\n [..]\n) when that fits)
    r"|(?P<assert>^[ \t]*assert[ \t].*[\[(]$)",  # ruff parenthesizes a long message, black splits the test
    re.MULTILINE,
)
# An over-long line both leave alone when it is one string (a description) or a comment; any other
# black may still wrap in parentheses where ruff only does when that makes it fit.
_UNSPLITTABLE = re.compile(r"[ \t]*(?:#|(?:\w+=)?[rbuf]*[\"']|[)\]](?![ \t]*=))")  # not `) = value`
# Over-long lines that are already as split as either can make them: a class line opening its bases,
# one member of a union split a member a line, a field annotated with a name alone.
_ATOMIC = re.compile(r"[ \t]*(?:class \w+\(|\|[ \t]+[\w.]+|\w+: [\w.]+)\n?")


_TRIPLE_QUOTED = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL)

# What makes a line risky: always, or only in the syntax around it (see _confirmed).
_ALWAYS, _UNION, _ASSERT, _NAME = "always", "union", "assert", "name"
_BARE_NAME = re.compile(r"[ \t]*[\w.]+(?: as \w+)?,?\n?")  # an over-long name alone on its line


def _risk(line: str) -> str | None:
    match = _DEVIATION.match(line)
    text = line.rstrip("\n")
    if len(text) <= LINE_LENGTH:
        long = False
    elif text.endswith('"""'):  # black moves the closing quotes of a long multi-line docstring
        long = text.count('"""') == 1
    else:
        long = not (_UNSPLITTABLE.match(text) or _ATOMIC.fullmatch(line))
    if long and _BARE_NAME.fullmatch(line):
        return _NAME
    if long or (match and not match.lastgroup):
        return _ALWAYS
    return match.lastgroup if match else None


# black puts exactly one blank line between the last top-level import and a statement that is not
# a def or class (ruff keeps two).
_AFTER_IMPORTS = re.compile(
    r"^((?:import [^\n]*|from [^\n(]*import (?:\([^)]*\)|[^\n]*))\n)\n\n(?=[^\s#@])(?!(?:def|class|async|import|from)\b)",
    re.MULTILINE,
)


def _risks(lines: list[str]) -> dict[int, str]:
    """Each risky line's number (from 1) and its risk. _risk is asked only of a line that is long,
    ends opening a bracket or starts with `|` or `]`: every shape it looks for is one of those
    (GitHub: 215,000 lines, one in twenty asked)."""
    return {
        i: risk
        for i, line in enumerate(lines, 1)
        if (len(line) > LINE_LENGTH or line.endswith(_OPENING) or line.lstrip(" \t")[:1] in _LEADING)
        and (risk := _risk(line))
    }


_OPENING = ("[\n", "(\n", "[", "(")
_LEADING = ("|", "]")


def black_compatible(text: str) -> str:
    """ruff's output with each statement where the styles can part reformatted by black.

    black formats a statement the same alone as within its module (the blank lines around it are
    kept as ruff wrote them, which is black's rule too), so only those statements pay for black,
    not the megabytes around them. A method is formatted dedented, at the line length left to it;
    a def whose signature alone holds them, as its signature over a `pass`."""
    text = _AFTER_IMPORTS.sub(r"\1\n", text)
    # Lines as ast counts them: at "\n" only (str.splitlines also splits at \x0c, \u2028, ...).
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    risks = _risks(lines)
    if not risks:
        return text
    strings = _inside_strings(text)
    # Prose inside a docstring is no code: only its closing line can move.
    risks = {i: risk for i, risk in risks.items() if i + 1 not in strings or _DEVIATION.match(lines[i - 1])}
    if not risks:
        return text
    spans: list[_Span] = []
    numbers = sorted(risks)
    for start, end, opening in _regions(lines, numbers, strings):
        part = lines[start - 1 : end]
        try:
            tree = ast.parse("".join(part)).body
        except SyntaxError:  # a line mistaken for a statement's first (not expected): parse it all
            start, end, part, tree, opening = 1, len(lines), lines, ast.parse(text).body, True
            spans.clear()
        offset = start - 1
        held = numbers[bisect_left(numbers, start) : bisect_right(numbers, end)]
        risky = _confirmed(tree, {i - offset: risks[i] for i in held})
        found: list[_Span] = []
        _find_spans(tree, risky, 0, part, found, tree[0] if opening and tree else None)
        spans += [(first + offset, last + offset, indent, wrap) for first, last, indent, wrap in found]
        if end == len(lines) and start == 1:
            break
    for first, last, indent, (head, tail) in reversed(spans):
        chunk = "".join(line[indent:] if line.strip() else line for line in lines[first - 1 : last])
        out, error = _black_format(head + chunk + tail, black_mode(LINE_LENGTH - indent))
        if error is not None:  # not expected; then the statement stays as ruff wrote it
            continue
        if not (out.startswith(head) and out.endswith(tail)):  # not expected either
            continue
        out = out[len(head) : len(out) - len(tail)]
        pieces = [piece + "\n" for piece in out.split("\n")[:-1]]  # black ends with "\n"
        lines[first - 1 : last] = [(" " * indent + piece) if piece.strip() else piece for piece in pieces]
    return "".join(lines)


# A span: (first line, last line, indent, (head, tail)). black formats head + the span's lines,
# dedented, + tail; head and tail give a piece of a statement the context it is formatted in.
_Span = tuple[int, int, int, tuple[str, str]]
_WHOLE = ("", "")
_SIGNATURE = ("", "    pass\n")  # a def's decorators and signature, over a body of its own
_PARAMETER = ("def f(\n", "):\n    pass\n")  # one parameter (ruff's output: one a line, each with its comma)


def _inside_strings(text: str) -> set[int]:
    """The lines that begin inside a triple-quoted string (its second line to its last)."""
    inside: set[int] = set()
    line, at = 1, 0
    for match in _TRIPLE_QUOTED.finditer(text):
        line += text.count("\n", at, match.start())
        at = match.start()
        inside.update(range(line + 1, line + 1 + match.group().count("\n")))
    return inside


# A line where ruff starts a top-level statement: code at column 0 that closes no bracket and
# continues no compound statement.
_CONTINUATION = re.compile(r"[\s)\]}#]|(?:else|elif|except|finally)\b")


def _regions(lines: list[str], risky: list[int], strings: set[int]) -> list[tuple[int, int, bool]]:
    """(first line, last line, whether it holds the module's first statement) of each run of
    top-level statements that holds a risky line: what is parsed, each run alone (a module can be
    megabytes, the statements black may have to see are not)."""
    starts, decorated = [], False
    for i, line in enumerate(lines, 1):
        if not line.strip() or i in strings or _CONTINUATION.match(line):
            continue
        if not decorated:
            starts.append(i)
        decorated = line.startswith("@") or (decorated and not line.startswith(("def ", "class ", "async ")))
    if not starts:
        return [(1, len(lines), True)]
    regions = []
    for index in sorted({max(0, bisect_right(starts, line) - 1) for line in risky}):
        end = starts[index + 1] - 1 if index + 1 < len(starts) else len(lines)
        regions.append((starts[index], end, index == 0))
    return regions


def _confirmed(body: list[ast.stmt], risks: dict[int, str]) -> list[int]:
    """The risky lines, sorted, less those where both styles agree: a union outside an annotation
    or in a parenthesized one (inside brackets both split it alike; black parenthesizes a split
    annotation), an assert without a message and an over-long name in an import, alone in a
    subscript's brackets or in a parenthesized annotation."""
    risky = sorted(i for i, risk in risks.items() if risk == _ALWAYS)
    maybe = sorted(i for i, risk in risks.items() if risk != _ALWAYS)
    for node in body:
        at = bisect_left(maybe, node.lineno)
        hits = maybe[at : bisect_right(maybe, node.end_lineno or node.lineno)]
        if not hits:
            continue
        asserts: set[int] = set()
        annotations: list[tuple[int, int]] = []
        names_stay: list[tuple[int, int]] = []  # where an over-long name is left alone
        stack: list[ast.AST] = [node]
        while stack:  # only down to the nodes that hold a hit
            inner = stack.pop()
            if isinstance(inner, ast.Assert) and inner.msg is not None:
                asserts.add(inner.lineno)
            elif isinstance(inner, (ast.Import, ast.ImportFrom)):
                names_stay.append((inner.lineno, inner.end_lineno or inner.lineno))
            elif isinstance(inner, ast.AnnAssign) and inner.value is None and inner.annotation.lineno > inner.target.lineno:
                names_stay.append(_lines(inner.annotation))  # `x: (\n Name\n | Other\n)`, no value
            elif isinstance(inner, ast.Subscript) and inner.slice.lineno > inner.lineno:
                names_stay.append(_lines(inner.slice))  # `Annotated[\n Name,\n ...]`: a name there stays too
            elif isinstance(inner, ast.arg) and inner.annotation is not None and inner.annotation.lineno == inner.lineno:
                annotations.append(_lines(inner.annotation))  # not `x: (\n A\n | B\n)`, as render.param writes it
            elif isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)) and inner.returns is not None:
                annotations.append(_lines(inner.returns))
            elif isinstance(inner, ast.AnnAssign) and inner.annotation.lineno == inner.target.lineno and (
                isinstance(inner.annotation, ast.BinOp) or inner.value is not None
            ):  # a bare union, or one before a value (not `x: (\n A | B\n)`, `x: Annotated[\n A | B, ..]`)
                annotations.append(_lines(inner.annotation))
            for child in ast.iter_child_nodes(inner):
                first = getattr(child, "lineno", None)
                if first is None or bisect_left(hits, first) < bisect_right(hits, getattr(child, "end_lineno", None) or first):
                    stack.append(child)
        for line in hits:
            risk = risks[line]
            if (
                risk == _ASSERT and line in asserts
                or risk == _UNION and any(first <= line <= last for first, last in annotations)
                or risk == _NAME and not any(first <= line <= last for first, last in names_stay)
            ):  # fmt: skip
                risky.append(line)
    return sorted(risky)


def _find_spans(
    body: list[ast.stmt], risky: list[int], indent: int, lines: list[str], spans: list[_Span], first_statement: ast.stmt | None
) -> None:
    """The spans of the statements of `body` that hold a risky line: inside a class, its methods
    rather than the whole class when they alone hold them; of a def whose signature alone holds
    them, the parameters that hold them (each is formatted alone, as black's split of a signature
    formats each parameter alone), else the signature; likewise a class's signature."""
    for node in body:
        first = _first_line(node)
        last = node.end_lineno or node.lineno
        at = bisect_left(risky, first)
        hits = risky[at : bisect_right(risky, last)]
        if not hits or (_is_string(node) and node is not first_statement):
            continue  # a string statement after the first is no docstring: black leaves it alone
        if isinstance(node, ast.ClassDef) and node.body:
            inner = node.body[0]
            start = _first_line(inner)
            sub = inner.col_offset
            if (hits[0] >= start or _signature_ends(lines, start - 1)) and all(
                not line.strip() or line.startswith(" " * sub) for line in lines[start - 1 : last]
            ):
                if hits[0] < start:
                    spans.append((first, start - 1, indent, _SIGNATURE))
                if hits[-1] >= start:
                    _find_spans(node.body, risky, sub, lines, spans, node.body[0])
                continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            params = _parameters(node.args, lines)
            held = [next((p for p in params if p[0] <= hit <= p[1]), None) for hit in hits]
            if all(held):
                spans.extend((a, b, col - 4, _PARAMETER) for a, b, col in sorted({p for p in held if p}))
                continue
            end = _first_line(node.body[0]) - 1
            if hits[-1] <= end and _signature_ends(lines, end):
                spans.append((first, end, indent, _SIGNATURE))
                continue
        spans.append((first, last, indent, _WHOLE))


def _signature_ends(lines: list[str], line: int) -> bool:
    """Whether a def's or class's signature ends at `line`, its body starting on the next."""
    text = lines[line - 1]
    return text.rstrip().endswith(":") and not text.lstrip().startswith("#")


def _parameters(args: ast.arguments, lines: list[str]) -> list[tuple[int, int, int]]:
    """(first line, last line, column) of each plain parameter that has lines of its own, ending in
    its comma: how ruff writes the parameters of a signature it splits."""
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    found = []
    for arg, default in [*zip(positional, defaults), *zip(args.kwonlyargs, args.kw_defaults)]:
        end = max(arg.end_lineno or arg.lineno, default.end_lineno or default.lineno if default else 0)
        text = lines[arg.lineno - 1]
        if (
            text[: arg.col_offset].strip() == "" and text[arg.col_offset :].startswith(arg.arg)
            and arg.col_offset >= 4 and lines[end - 1].rstrip().endswith(",")
        ):  # fmt: skip
            found.append((arg.lineno, end, arg.col_offset))
    return found


def _lines(node: ast.expr) -> tuple[int, int]:
    return node.lineno, node.end_lineno or node.lineno


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _is_string(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


# -- black -----------------------------------------------------------------------------------


def _black_one(text: str) -> tuple[str, str | None]:
    return _black_format(text, black_mode())


def _black_all(sources: dict[PurePosixPath, str]) -> dict[PurePosixPath, tuple[str, str | None]]:
    size = sum(map(len, sources.values()))
    if jobs() > 1 and size >= _PARALLEL_BYTES:
        from concurrent.futures import ProcessPoolExecutor  # here: only --formatter black uses them
        from multiprocessing import get_context

        # Largest first, so the long files do not end up last on one worker.
        order = sorted(sources, key=lambda p: -len(sources[p]))
        with ProcessPoolExecutor(workers(), mp_context=get_context("fork")) as pool:
            return dict(zip(order, pool.map(_black_one, [sources[p] for p in order]), strict=True))
    return {p: _black_one(text) for p, text in sources.items()}


if __name__ == "__main__":
    from generator.cli import leave

    _serve(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
    leave(0)
