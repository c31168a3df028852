"""The models module datamodel-code-generator wrote, split into a package of small modules.

A client imports only the models a call uses (`models/__init__.py` imports each module on first
use), so the split follows what each class needs at import time: classes that refer to each other
(a cycle) share a module, and a class only one module refers to (an inline `CustomerAddress`)
lives with it. Every other class gets its own module, which imports what it refers to. Modules
then form an acyclic graph, so importing one never meets a half-initialised other.

A cycle of at least LAZY_CYCLE classes (Stripe's expandable fields link 886) is cut further: each
class gets its own module (with the classes it needs at class creation and its single referrers),
and a field that names a class of the cycle defined in another module is annotated
`Annotated[T, _lazy.LAZY]`: the module binds those names to stand-ins (`_lazy.ref`, for type
checkers the real import), and the field's validator is built from the real classes at its first
use. A call then imports and validates with the models its answer holds, not the whole cycle.

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
from generator.ends import mapped
from generator.names import snake

LITERALS_MODULE = "_literals"
LAZY_CYCLE = 20
T = TypeVar("T")


@dataclass
class ModelModules:
    """{module name (no .py): source}, and which module defines each name."""

    sources: dict[str, str] = field(default_factory=dict)
    module_of: dict[str, str] = field(default_factory=dict)


@dataclass
class _Field:
    """A field's annotation in its statement's text: (line, column) of its start and end, and of
    the end of the first argument when it is `Annotated[...]`."""

    start: tuple[int, int]
    end: tuple[int, int]
    first_end: tuple[int, int] | None
    names: set[str]


@dataclass
class _Stmt:
    index: int
    text: str
    defines: list[str]
    uses: set[str]
    hard: set[str] = field(default_factory=set)  # needed at class creation: not field annotations
    # a class's fields as _read_chunk gives them, lines counted from `shift` lines above the text:
    # read as _Field only for the few classes whose fields are made lazy (GitHub has 48,000)
    placed: list[Any] = field(default_factory=list)
    shift: int = 0

    @property
    def fields(self) -> list[_Field]:
        shift = self.shift
        return [
            _Field((a + shift, b), (c + shift, d), None if f is None else (f[0] + shift, f[1]), set(n))
            for (a, b), (c, d), f, n in self.placed
        ]


def split_models(
    source: str, header: str = "", lazy_cycle: int = LAZY_CYCLE, cache: Path | None = None
) -> ModelModules:
    """Split `source` (one module: imports, then definitions) into modules; each starts with
    `header`, then `from __future__ import annotations` and the imports it uses. Cycles of at
    least `lazy_cycle` classes are cut by lazy fields (module docstring)."""
    # Lines as ast counts them: at "\n" (a raw "\r" is a line end to Python; str.splitlines also
    # splits at "\x0c", "\u2028" and the like, which may sit in a docstring).
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    store = TextCache(cache, code_salt(__file__)) if cache is not None else None
    imports, stmts = chunked(lambda chunk: _statements(source, chunk, store))
    owner = {name: s.index for s in stmts for name in s.defines}
    literal = {s.index for s in stmts if _is_literal_alias(s, owner)}
    groups, scc_of = _groups(stmts, owner, literal, lazy_cycle)

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
        body = _creation_order(members[module])
        mine = {n for s in body for n in s.defines}
        used = set().union(*(s.uses for s in body))
        # a name of the same cycle defined in another module: a lazy field's stand-in
        lazy = {
            n
            for s in body
            for n in s.uses - mine
            if n in owner and scc_of.get(owner[n]) == scc_of.get(s.index) is not None
        }
        texts = [_lazy_fields(s, lazy) if lazy else s.text for s in body]
        foreign: dict[str, set[str]] = {}
        for name in used - mine:
            if name in result.module_of:
                foreign.setdefault(result.module_of[name], set()).add(name)
        head = [header, "from __future__ import annotations\n\n"]
        head.extend(_imports(imports, used | ({"Annotated"} if lazy else set())))
        if lazy:
            has_annotated = any(a.name == "Annotated" and not a.asname for n in imports for a in n.names)
            head.append(f"from typing import TYPE_CHECKING{'' if has_annotated else ', Annotated'}\n")
        eager = {m: names - lazy for m, names in foreign.items() if names - lazy}
        head.extend(f"from .{m} import {', '.join(sorted(eager[m]))}\n" for m in sorted(eager))
        if lazy:
            later = {m: sorted(names & lazy) for m, names in foreign.items() if names & lazy}
            head.append("from .. import _lazy\n\nif TYPE_CHECKING:\n")
            head.extend(f"    from .{m} import {', '.join(later[m])}\n" for m in sorted(later))
            head.append("else:\n")
            head.extend(
                f'    {n} = _lazy.ref(__package__, ".{m}", "{n}")\n' for m in sorted(later) for n in later[m]
            )
        code = next((line for line in body[0].text.split("\n") if not line.startswith("#")), "")
        # black: two blank lines after the imports before a class, one before other code
        gap = "\n\n" if code.startswith(("class ", "def ", "@")) else "\n"
        result.sources[module] = "".join(head) + gap + "\n\n\n".join(texts) + "\n"
    return result


def _creation_order(body: list[_Stmt]) -> list[_Stmt]:
    """`body` in source order, except that a statement comes after those of `body` that define
    what it needs at class creation (a `RootModel[A | B]` base): a single referrer's classes join
    its module, and after the merge of runs (modelgen) they can stand below it."""
    here = {name: s for s in body for name in s.defines}

    def needs(stmt: _Stmt) -> Iterator[tuple[int, _Stmt]]:
        return iter(sorted({here[n].index: here[n] for n in stmt.hard if n in here}.items()))

    out: list[_Stmt] = []
    seen: set[int] = set()  # placed or on the path (a cycle, which no order can mend)
    for top in body:
        if top.index in seen:
            continue
        seen.add(top.index)
        work = [(top, needs(top))]
        while work:
            stmt, pending = work[-1]
            for _, dep in pending:
                if dep.index not in seen:
                    seen.add(dep.index)
                    work.append((dep, needs(dep)))
                    break
            else:
                work.pop()
                out.append(stmt)
    return out


def _lazy_fields(stmt: _Stmt, lazy: set[str]) -> str:
    """`stmt`'s text with each field annotation that names a `lazy` class marked `_lazy.LAZY`,
    first after the type (before any `Field(...)`: its constraints then apply as before)."""
    lines = stmt.text.split("\n")
    inserts: list[tuple[tuple[int, int], str]] = []
    for f in stmt.fields:
        if f.names & lazy:
            if f.first_end is not None:
                inserts.append((f.first_end, ", _lazy.LAZY"))
            else:
                inserts.extend([(f.start, "Annotated["), (f.end, ", _lazy.LAZY]")])
    for (line, col), text in sorted(inserts, reverse=True):
        lines[line] = lines[line][:col] + text + lines[line][col:]
    return "\n".join(lines)


CHUNK_LINES = 2000


def chunked(parse: Callable[[int | None], T]) -> T:
    """`parse(CHUNK_LINES)`, or `parse(None)` (the module whole) when a cut fell inside a statement
    (a string, brackets, a continuation), which generated code is not expected to have."""
    try:
        return parse(CHUNK_LINES)
    except SyntaxError:
        return parse(None)


def _statements(
    source: str, chunk: int | None, store: TextCache | None = None
) -> tuple[list[ast.Import | ast.ImportFrom], list[_Stmt]]:
    """The module's imports, and its other top-level statements with their text and names. With
    `store`, what a chunk holds is kept by its text (`_read_chunk`): after a one-schema change to
    GitHub's spec only the chunk around it is parsed again (~0.7 s)."""
    lines = [line + "\n" for line in source.split("\n")]
    imports: list[ast.Import | ast.ImportFrom] = []
    stmts: list[_Stmt] = []
    start = 0  # a statement's text starts after the previous one: the comments above it go with it
    for offset, records in read_chunks(source, chunk, _read_chunk, list, store):
        for kind, first, end, edits, text, defines, uses, hard, fields in records:
            first, end = first + offset, end + offset
            for line, col, insert in edits:  # defer_build, placed in the class's own lines
                lines[line + offset] = lines[line + offset][:col] + insert + lines[line + offset][col:]
            if kind == "import":
                imports.append(ast.parse(text).body[0])
            elif kind == "stmt":
                begin = _first_content(lines, start, first)
                text = "".join(lines[begin:end]).strip("\n")
                stmts.append(_Stmt(len(stmts), text, defines, set(uses), set(hard), fields, first - begin))
            start = end
    return imports, stmts


def _read_chunk(text: str) -> list[Any]:
    """What _statements needs of a chunk's top-level statements, as JSON: (kind, first line, end
    line, defer_build edits, an import's text, defined names, used names, names needed at class
    creation, fields placed from the first line), lines counted in the chunk from 0."""
    lines = [line + "\n" for line in text.split("\n")]
    records: list[Any] = []
    for node in ast.parse(text).body:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1
        end = node.end_lineno or node.lineno
        edits: list[tuple[int, int, str]] = []
        if isinstance(node, ast.ClassDef):
            edits = _defer_build(node, lines)
        if _is_rebuild(node):  # pydantic completes a model on first use; an eager rebuild builds its validator now
            records.append(["rebuild", first, end, edits, "", [], [], [], []])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            if not (isinstance(node, ast.ImportFrom) and node.module == "__future__"):
                records.append(["import", first, end, edits, ast.unparse(node), [], [], [], []])
            else:
                records.append(["future", first, end, edits, "", [], [], [], []])
        else:
            if isinstance(node, ast.ClassDef):
                placed = _fields(node, lines, 0, first)
                hard = _used_outside_fields(node)
                uses = hard.union(*(f.names for f in placed))  # all it names, without walking it again
                fields = [[f.start, f.end, f.first_end, sorted(f.names)] for f in placed]
            else:
                uses = hard = _used(node)
                fields = []
            records.append(["stmt", first, end, edits, "", _defined(node), sorted(uses), sorted(hard), fields])
    return records


def read_chunks(
    source: str, chunk: int | None, read: Callable[[str], Any], load: Callable[[Any], T], store: TextCache | None
) -> list[tuple[int, T]]:
    """(lines before it, load(read(its text))) for each chunk of `source`. With `store`, what `read`
    makes of a chunk (JSON) is kept by the chunk's text: after a one-schema change only the chunk
    around it is parsed again. An entry that `load` refuses is read again, and replaced."""
    chunks = list(_chunk_texts(source, chunk))
    found = [_loaded(store.get(text), load) if store is not None else None for _, text in chunks]
    missing = [i for i, hit in enumerate(found) if hit is None]
    for i, data in zip(missing, mapped(read, [chunks[i][1] for i in missing], PARALLEL_READ_BYTES), strict=True):
        if store is not None:
            store.put(chunks[i][1], json.dumps(data))
        found[i] = load(data)
    return [(offset, hit) for (offset, _), hit in zip(chunks, found, strict=True) if hit is not None]


# Above this much text, the chunks are read with a helper process too (generator.ends): GitHub's
# models module is 3 MB, which the split and the class shapes each parse (~1.4 s and ~0.6 s).
PARALLEL_READ_BYTES = 1_000_000


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


def _defer_build(node: ast.ClassDef, lines: list[str], offset: int = 0) -> list[tuple[int, int, str]]:
    """`model_config = ConfigDict(defer_build=True, ...)`: a model's validator is built when it is
    first used, not when its module is imported (Stripe: 886 classes in one cycle, 1.6 s -> 0.4 s).
    Made in `lines`, and returned as (line index, column, text inserted)."""
    edits = []
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
            index = func.lineno - 1 + offset
            line = lines[index]
            at = len(line.encode()[: func.end_col_offset].decode()) + 1  # past "ConfigDict("
            lines[index] = line[:at] + "defer_build=True, " + line[at:]
            edits.append((index - offset, at, "defer_build=True, "))
    return edits


def _fields(node: ast.ClassDef, lines: list[str], offset: int, begin: int) -> list[_Field]:
    """The class's field annotations, placed in its text (which starts at line `begin` of `lines`;
    the node's line numbers are `offset` lines short)."""

    def at(line: int, col: int | None) -> tuple[int, int]:  # ast columns count UTF-8 bytes
        index = line - 1 + offset
        return index - begin, len(lines[index].encode()[: col or 0].decode())

    found = []
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            ann = stmt.annotation
            first = None
            if (
                isinstance(ann, ast.Subscript)
                and isinstance(ann.value, ast.Name)
                and ann.value.id == "Annotated"
                and isinstance(ann.slice, ast.Tuple)
            ):
                arg = ann.slice.elts[0]
                first = at(arg.end_lineno or arg.lineno, arg.end_col_offset)
            found.append(
                _Field(
                    at(ann.lineno, ann.col_offset),
                    at(ann.end_lineno or ann.lineno, ann.end_col_offset),
                    first,
                    name_ids(ann),
                )
            )
    return found


def _used_outside_fields(node: ast.ClassDef) -> set[str]:
    """The names a class uses (its bases, decorators, defaults, methods...) but its fields' types."""
    used: set[str] = set()
    for part in (*node.bases, *node.keywords, *node.decorator_list, *getattr(node, "type_params", ())):
        used |= name_ids(part)
    for stmt in node.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            used.add(stmt.target.id)
            if stmt.value is not None:
                used |= name_ids(stmt.value)
        else:
            used |= name_ids(stmt)
    return used


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
    """The names a statement that is not a class refers to, less those it defines."""
    return name_ids(node) - set(_defined(node))


def name_ids(node: ast.AST) -> set[str]:
    """The ids of the ast.Name nodes in `node` (GitHub's models and tests: 0.5-1 s)."""
    return {n.id for n in named_nodes(node) if type(n) is ast.Name}


def named_nodes(node: ast.AST) -> Iterator[ast.Name | ast.ClassDef]:
    """The ast.Name and ast.ClassDef nodes in `node`, in no set order: what ast.walk finds of them in
    a third of its time, by reading each node class's fields once (less `ctx`, which holds no name)
    and not going into a Name."""
    stack = [node]
    fields = _FIELDS
    while stack:
        current = stack.pop()
        if isinstance(current, ast.Name):
            yield current
            continue
        if isinstance(current, ast.ClassDef):
            yield current
        kind = type(current)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = tuple(f for f in kind._fields if f != "ctx")
        for name in names:
            value = getattr(current, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        stack.append(item)
            elif isinstance(value, ast.AST):
                stack.append(value)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _is_literal_alias(stmt: _Stmt, owner: dict[str, int]) -> bool:
    """`XLiteral: _typing.TypeAlias = _typing.Literal[...]`: no model inside."""
    return (
        bool(stmt.defines)
        and "_typing" in stmt.uses
        and ": _typing.TypeAlias = _typing.Literal[" in stmt.text
        and not any(u in owner for u in stmt.uses)
    )


def _groups(
    stmts: list[_Stmt], owner: dict[str, int], literal: set[int], lazy_cycle: int
) -> tuple[dict[int, int], dict[int, int]]:
    """Statement -> the statement that names its module (cycles together, single referrers merged),
    and class -> its cycle where that is cut by lazy fields."""
    deps = {s.index: sorted({owner[u] for u in s.uses if u in owner} - {s.index}) for s in stmts}
    nodes = {s.index for s in stmts if s.defines and s.index not in literal}
    graph = {n: [t for t in deps[n] if t in nodes] for n in sorted(nodes)}
    sccs = _strongly_connected(list(graph), graph)  # referees before referrers
    scc_of = {node: i for i, scc in enumerate(sccs) for node in scc}
    # units of classes that share a module: a cycle, or in a cut cycle, the classes one needs at
    # class creation (a base class `RootModel[X]`), not in an annotation
    unit = {node: node for node in graph}

    def find(node: int) -> int:
        while unit[node] != node:
            unit[node] = node = unit[unit[node]]
        return node

    def join(a: int, b: int) -> None:
        a, b = find(a), find(b)
        unit[max(a, b)] = min(a, b)

    cut = {i for i, scc in enumerate(sccs) if len(scc) >= lazy_cycle}
    for i, scc in enumerate(sccs):
        for node in scc:
            if i not in cut:
                join(scc[0], node)
                continue
            for name in stmts[node].hard:
                if name in owner and scc_of.get(owner[name]) == i:
                    join(node, owner[name])
    referrers: dict[int, set[int]] = {find(n): set() for n in graph}
    for node, targets in graph.items():
        for target in targets:
            if find(target) != find(node):
                referrers[find(target)].add(find(node))
    group: dict[int, int] = {}  # unit -> unit that heads its module
    for scc in reversed(sccs):  # referrers first (in a cut cycle: when none is, one that will
        pending = sorted({find(n) for n in scc})  # head its module anyway, having two referrers)
        while pending:
            ready = next(
                (u for u in pending if referrers[u] <= group.keys()),
                next((u for u in pending if len(referrers[u]) != 1), pending[0]),
            )
            heads = {group.get(r, -1) for r in referrers[ready]}
            group[ready] = heads.pop() if len(heads) == 1 and -1 not in heads else ready
            pending.remove(ready)
    result = {node: group[find(node)] for node in graph}
    for s in stmts:
        if not s.defines:  # `X.model_rebuild()` goes with X
            result[s.index] = result[deps[s.index][0]] if deps[s.index] else min(result.values(), default=0)
    lazy_scc = {node: scc_of[node] for node in graph if scc_of[node] in cut}
    return result | {node: node for node in literal}, lazy_scc


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


def _imports(nodes: Iterable[ast.Import | ast.ImportFrom], used: set[str]) -> list[str]:
    """The header's import statements cut down to the names `used`, in the header's order."""
    out = []
    for node in nodes:
        kept = [a for a in node.names if (a.asname or a.name.split(".")[0]) in used]
        if not kept:
            continue
        names = ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in kept)
        if isinstance(node, ast.ImportFrom):
            out.append(f"from {'.' * node.level}{node.module or ''} import {names}\n")
        else:
            out.append(f"import {names}\n")
    return out
