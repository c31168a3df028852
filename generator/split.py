"""The models module datamodel-code-generator wrote, split into a package of small modules.

A client imports only the models a call uses (`models/__init__.py` imports each module on first
use), so the split follows what each class needs at import time: classes that refer to each other
(a cycle) share a module, and a class only one module refers to (an inline `CustomerAddress`)
lives with it. Every other class gets its own module, which imports what it refers to. Modules
then form an acyclic graph, so importing one never meets a half-initialised other.

The string-enum aliases the resource signatures use (`CountryLiteral`) have no dependencies and
are only read by type checkers: they share one module.
"""

from __future__ import annotations

import ast
import json
import re
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from generator.atomic import TextCache, code_salt
from generator.names import snake

LITERALS_MODULE = "_literals"
T = TypeVar("T")


@dataclass
class ModelModules:
    """{module name (no .py): source}, and which module defines each name."""

    sources: dict[str, str] = field(default_factory=dict)
    module_of: dict[str, str] = field(default_factory=dict)


@dataclass
class _Stmt:
    index: int
    text: str
    defines: list[str]
    uses: set[str]


def split_models(source: str, header: str = "", cache: Path | None = None) -> ModelModules:
    """Split `source` (one module: imports, then definitions) into modules; each starts with
    `header`, then `from __future__ import annotations` and the imports it uses.

    With `cache` (a folder), what a chunk of the module holds is read back by the digest of its
    text instead of parsed: after a one-schema change only the chunk around it is parsed again."""
    # Lines as ast counts them: at "\n" (a raw "\r" is a line end to Python; str.splitlines also
    # splits at "\x0c", "\u2028" and the like, which may sit in a docstring).
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    store = TextCache(cache, code_salt(__file__)) if cache is not None else None
    imports, stmts = chunked(lambda chunk: _statements(source, chunk, store))
    owner = {name: s.index for s in stmts for name in s.defines}
    literal = {s.index for s in stmts if _is_literal_alias(s, owner)}
    groups = _groups(stmts, owner, literal)

    result = ModelModules()
    taken: set[str] = {LITERALS_MODULE, "__init__"}
    group_names: dict[int, str] = {}
    for root in sorted(set(groups.values())):
        if root in literal:
            continue
        stmt = stmts[root]
        # a file name, so bounded: a class name can be as long as a spec's text
        base = "_" + snake(stmt.defines[0] if stmt.defines else "models", fallback="models")[:60].rstrip("_")
        name, n = base, 1
        while name.lower() in taken:  # case-insensitive file systems
            n += 1
            name = f"{base}{n}"
        taken.add(name.lower())
        group_names[root] = name
    members: dict[str, list[_Stmt]] = {}
    for s in stmts:
        module = LITERALS_MODULE if s.index in literal else group_names[groups[s.index]]
        members.setdefault(module, []).append(s)
        for name in s.defines:
            result.module_of[name] = module
    for module in sorted(members):
        body = members[module]
        mine = {n for s in body for n in s.defines}
        used = set().union(*(s.uses for s in body))
        foreign: dict[str, set[str]] = {}
        for name in used - mine:
            if name in result.module_of:
                foreign.setdefault(result.module_of[name], set()).add(name)
        head = [header, "from __future__ import annotations\n\n"]
        head.extend(_imports(imports, used))
        head.extend(f"from .{m} import {', '.join(sorted(foreign[m]))}\n" for m in sorted(foreign))
        code = next((line for line in body[0].text.split("\n") if not line.startswith("#")), "")
        # black: two blank lines after the imports before a class, one before other code
        gap = "\n\n" if code.startswith(("class ", "def ", "@")) else "\n"
        result.sources[module] = "".join(head) + gap + "\n\n\n".join(s.text for s in body) + "\n"
    return result


CHUNK_LINES = 2000


def chunked(parse: Callable[[int | None], T]) -> T:
    """`parse(CHUNK_LINES)`, or `parse(None)` (the module whole) when a cut fell inside a statement
    (a string, brackets, a continuation), which generated code is not expected to have."""
    try:
        return parse(CHUNK_LINES)
    except SyntaxError:
        return parse(None)


@dataclass(frozen=True)
class _Import:
    module: str | None  # None for `import x`
    level: int
    names: tuple[tuple[str, str | None], ...]  # (name, alias)


@dataclass(frozen=True)
class _Facts:
    """What the split needs of one top-level statement, in the lines of its chunk."""

    kind: str  # "import", "rebuild" or "code"
    first: int  # its first line (0-based; a decorator's, when it has one)
    end: int  # past its last line
    defer: tuple[int, int] | None = None  # (line, column) where `defer_build=True, ` goes
    defines: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    imported: _Import | None = None  # None for `from __future__ import ...`


def _read_facts(text: str) -> list[list[Any]]:
    """The _Facts of a chunk's statements, as JSON."""
    lines = text.split("\n")
    rows: list[list[Any]] = []
    for node in ast.parse(text).body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        end = node.end_lineno or node.lineno
        if _is_rebuild(node):
            rows.append(["rebuild", first, end, None, [], [], None])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [[a.name, a.asname] for a in node.names]
            if isinstance(node, ast.Import):
                rows.append(["import", first, end, None, [], [], [None, 0, names]])
            else:
                imported = None if node.module == "__future__" else [node.module or "", node.level, names]
                rows.append(["import", first, end, None, [], [], imported])
        else:
            defer = _defer_at(node, lines) if isinstance(node, ast.ClassDef) else None
            rows.append(["code", first, end, defer, _defined(node), sorted(_used(node)), None])
    return rows


def _load_facts(rows: list[list[Any]]) -> list[_Facts]:
    facts = []
    for kind, first, end, defer, defines, uses, imported in rows:
        if kind not in ("import", "rebuild", "code") or not isinstance(first, int) or not isinstance(end, int):
            raise ValueError(kind)
        facts.append(
            _Facts(
                kind, first, end, None if defer is None else (int(defer[0]), int(defer[1])),
                tuple(map(str, defines)), tuple(map(str, uses)),
                None if imported is None
                else _Import(imported[0], int(imported[1]), tuple((str(n), a) for n, a in imported[2])),
            )
        )  # fmt: skip
    return facts


def _statements(source: str, chunk: int | None, store: TextCache | None = None) -> tuple[list[_Import], list[_Stmt]]:
    """The module's imports, and its other top-level statements with their text and names."""
    lines = [line + "\n" for line in source.split("\n")]
    imports: list[_Import] = []
    stmts: list[_Stmt] = []
    start = 0  # a statement's text starts after the previous one: the comments above it go with it
    for offset, chunk_facts in read_chunks(source, chunk, _read_facts, _load_facts, store):
        for facts in chunk_facts:
            first, end = facts.first + offset, facts.end + offset
            if facts.defer is not None:
                row, column = facts.defer[0] + offset, facts.defer[1]
                lines[row] = lines[row][:column] + "defer_build=True, " + lines[row][column:]
            if facts.kind == "import":
                if facts.imported is not None:
                    imports.append(facts.imported)
            elif facts.kind == "code":
                text = "".join(lines[_first_content(lines, start, first) : end]).strip("\n")
                stmts.append(_Stmt(len(stmts), text, list(facts.defines), set(facts.uses)))
            start = end  # after a rebuild too: pydantic completes a model on first use
    return imports, stmts


def read_chunks(
    source: str, chunk: int | None, read: Callable[[str], Any], load: Callable[[Any], T], store: TextCache | None
) -> Iterator[tuple[int, T]]:
    """(lines before it, load(read(its text))) for each chunk of `source`. With `store`, what `read`
    makes of a chunk (JSON) is kept by the chunk's text: after a one-schema change only the chunk
    around it is parsed again. An entry that `load` refuses is read again, and replaced."""
    for offset, text in _chunk_texts(source, chunk):
        loaded = _loaded(store.get(text), load) if store is not None else None
        if loaded is None:
            data = read(text)
            if store is not None:
                store.put(text, json.dumps(data))
            loaded = load(data)
        yield offset, loaded


def _loaded(hit: str | None, load: Callable[[Any], T]) -> T | None:
    if hit is None:
        return None
    try:
        return load(json.loads(hit))
    except (ValueError, TypeError, KeyError, IndexError):
        return None


def top_level(
    source: str, chunk: int | None = CHUNK_LINES, mentioning: Collection[str] = ()
) -> Iterator[tuple[ast.stmt, int]]:
    """The top-level statements of a module with the number of lines before their chunk (add it to
    their line numbers), parsed `chunk` lines at a time as split_models does, so that no AST of the
    whole module is held (one AST of GitHub's 3 MB of models takes 225 MB); with `mentioning`, only
    chunks whose text has one of those words. A cut inside a statement raises SyntaxError (see
    chunked)."""
    words = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(mentioning))) + r")\b") if mentioning else None
    for offset, text in _chunk_texts(source, chunk):
        if words is None or words.search(text):
            for node in ast.parse(text).body:
                yield node, offset


def _chunk_texts(source: str, chunk: int | None) -> Iterator[tuple[int, str]]:
    """(lines before it, text) of each chunk of `source`."""
    lines = [line + "\n" for line in source.split("\n")]
    for a, b in _chunks(lines, chunk):
        yield a, "".join(lines[a:b])


def _chunks(lines: list[str], size: int | None) -> list[tuple[int, int]]:
    """Chunks of about `size` lines, cut before a line that starts at column 0 with a name or a
    decorator. A chunk of size/2 lines or more ends before the first such line whose checksum is a
    multiple of size/64 (one class in ~30: about 15 lines each in GitHub's models), or at 2*size
    before any: the cuts follow the text rather than a count from the top, so a change in one place
    leaves the chunks further on as they were (read_chunks' cache)."""
    if size is None:
        return [(0, len(lines))]
    chunks, begin = [], 0
    shortest, odds = max(1, size // 2), max(2, size // 64)
    for at in range(shortest, len(lines)):
        starts = lines[at][:1].isalpha() or lines[at][:1] in "_@"
        if starts and at - begin >= shortest and (at - begin >= 2 * size or _checksum(lines[at]) % odds == 0):
            chunks.append((begin, at))
            begin = at
    return [*chunks, (begin, len(lines))]


def _checksum(line: str) -> int:
    return zlib.crc32(line.encode("utf-8", "surrogatepass"))


def _defer_at(node: ast.ClassDef, lines: list[str]) -> tuple[int, int] | None:
    """Where `model_config = ConfigDict(` of a class ends, so that `defer_build=True, ` goes in: a
    model's validator is built when it is first used, not when its module is imported (Stripe: 886
    classes in one cycle, 1.6 s -> 0.4 s)."""
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and [t.id for t in stmt.targets if isinstance(t, ast.Name)] == ["model_config"]
            and isinstance(stmt.value, ast.Call)
            and isinstance(stmt.value.func, ast.Name)
            and stmt.value.func.id == "ConfigDict"
            and not any(k.arg == "defer_build" for k in stmt.value.keywords)
        ):
            func = stmt.value.func
            line = lines[func.lineno - 1]
            return func.lineno - 1, len(line.encode()[: func.end_col_offset].decode()) + 1  # past "ConfigDict("
    return None


def _is_rebuild(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and node.value.func.attr == "model_rebuild"
        and not node.value.args
        and not node.value.keywords
    )


def _first_content(lines: list[str], start: int, first: int) -> int:
    """Where a statement's text begins: its own first line, or a comment block right above it."""
    at = first
    while at > start and lines[at - 1].lstrip().startswith("#"):
        at -= 1
    return at


def _defined(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
        return [node.name]
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    return [t.id for t in targets if isinstance(t, ast.Name)]


def _used(node: ast.stmt) -> set[str]:
    names = name_ids(node)
    return names - set(_defined(node)) if not isinstance(node, ast.ClassDef) else names


def name_ids(node: ast.AST) -> set[str]:
    """The ids of the ast.Name nodes in `node`, as {n.id for n in ast.walk(node) if isinstance(n,
    ast.Name)} finds them in twice the time (GitHub's models and tests: 0.5-1 s)."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            names.add(current.id)
            continue
        for field_name in current._fields:
            value = getattr(current, field_name, None)
            if isinstance(value, list):
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)
    return names


def _is_literal_alias(stmt: _Stmt, owner: dict[str, int]) -> bool:
    """`XLiteral: _typing.TypeAlias = _typing.Literal[...]`: no model inside."""
    return (
        bool(stmt.defines)
        and "_typing" in stmt.uses
        and ": _typing.TypeAlias = _typing.Literal[" in stmt.text
        and not any(u in owner for u in stmt.uses)
    )


def _groups(stmts: list[_Stmt], owner: dict[str, int], literal: set[int]) -> dict[int, int]:
    """Statement -> the statement that names its module (cycles together, single referrers merged)."""
    deps = {s.index: sorted({owner[u] for u in s.uses if u in owner} - {s.index}) for s in stmts}
    nodes = {s.index for s in stmts if s.defines and s.index not in literal}
    graph = {n: [t for t in deps[n] if t in nodes] for n in sorted(nodes)}
    sccs = _strongly_connected(list(graph), graph)  # referees before referrers
    scc_of = {node: i for i, scc in enumerate(sccs) for node in scc}
    referrers: dict[int, set[int]] = {i: set() for i in range(len(sccs))}
    for node, targets in graph.items():
        for target in targets:
            if scc_of[target] != scc_of[node]:
                referrers[scc_of[target]].add(scc_of[node])
    group: dict[int, int] = {}  # scc -> scc that heads its module
    for i in reversed(range(len(sccs))):  # referrers first
        heads = {group[r] for r in referrers[i]}
        group[i] = heads.pop() if len(heads) == 1 else i
    result = {node: min(sccs[group[scc_of[node]]]) for node in graph}
    for s in stmts:
        if not s.defines:  # `X.model_rebuild()` goes with X
            result[s.index] = result[deps[s.index][0]] if deps[s.index] else min(result.values(), default=0)
    return result | {node: node for node in literal}


def _strongly_connected(nodes: list[int], deps: dict[int, list[int]]) -> list[list[int]]:
    """Tarjan's algorithm, iteratively (GitHub's models nest deeper than the recursion limit).
    Components come out dependencies first."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    stack: list[int] = []
    on_stack: set[int] = set()
    out: list[list[int]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(deps[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(deps[target])))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    out.append(sorted(component))
    return out


def _imports(nodes: Iterable[_Import], used: set[str]) -> list[str]:
    """The header's import statements cut down to the names `used`, in the header's order."""
    out = []
    for node in nodes:
        kept = [(name, alias) for name, alias in node.names if (alias or name.split(".")[0]) in used]
        if not kept:
            continue
        names = ", ".join(name + (f" as {alias}" if alias else "") for name, alias in kept)
        if node.module is not None:
            out.append(f"from {'.' * node.level}{node.module} import {names}\n")
        else:
            out.append(f"import {names}\n")
    return out
