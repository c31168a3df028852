"""How datamodel-code-generator runs: over independent groups of schemas, batched or in parts,
cached, in parallel.

Schemas that do not reach each other through a $ref (the weakly connected components of the $ref
graph) never need to share a run: GitHub's 1,100 schemas are one linked group of ~500 and ~600
standalone ones. Small groups are batched into runs of up to BATCH_BYTES of input (a run costs
~12 ms however small); a group over PARTITION_BYTES runs in parts (`parts`), each owning some of its
schemas and seeing the rest as stubs, empty classes of the same name that the merge drops. (One run
of GitHub's 2.7 MB group took ~15 s on one core while the other idled, held ~500 MB, and re-ran
whole when any of its 496 schemas changed.) The runs share out over worker processes, and each
run's output is stored under a digest of everything it was made from, so a changed schema re-runs
only its own batch or part. The runs' modules are merged into one source, in group order, so the
output depends neither on the number of workers nor on what the cache held.

One run dedupes the names of the inline models it makes; across runs the merge does it: an inline
class whose name another run already uses (a schema's class, or an earlier run's inline class)
is renamed, with every reference to it in its run.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import hashlib
import json
import os
import re
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from generator import workers
from generator.atomic import write_text
from generator.names import dedupe
from generator.split import chunked, named_nodes, top_level

# Bump when what is stored, or how a group's input is made, changes.
_CACHE_FORMAT = "2"
_SCHEMA_PREFIX = "#/components/schemas/"
# Below this much uncached input (JSON bytes) a worker process costs more than it saves.
PARALLEL_BYTES = 300_000
# A linked group above this much input runs in parts. A run's time is about linear in its input, so
# parts cost little more in all; they spread over the workers and are cached one by one (adyen's
# 199 KB group: its models came 2.3-2.6 s after the start in one run, 2.2 s in six runs over two
# workers). A spec file of this size has its workers started ahead (generator.workers.SHARE_BYTES).
PARTITION_BYTES = 150_000
# About one schema in this many ends a part, chosen by a digest of its name, so that an edit or an
# insertion moves no other part's boundaries and the other parts stay cached; so does this much input,
# which bounds a worker's memory (the edit then moves boundaries up to the next digest's cut).
PART_SCHEMAS = 16
PART_BYTES = 200_000
# Small groups share a run up to this much input, or about this many groups; in a spec of less than
# four times that, up to a quarter of its input but at least BATCH_FLOOR, so that its runs share out
# over the workers (qualpay's 85 KB: ~4 runs, not one). How groups are batched never changes the
# output (the merge), only which runs a change re-runs.
BATCH_BYTES = 100_000
BATCH_FLOOR = 20_000
BATCH_GROUPS = 64


class ModelGenerationError(RuntimeError):
    """datamodel-code-generator failed on a group; the message is its own (it names the schema)."""


@dataclass(frozen=True)
class Group:
    """One run's input: an OpenAPI document of some schemas and the class names they own."""

    components: tuple[str, ...]  # the class names it owns, in input order
    document: str  # JSON text
    key: str  # digest of the document, the namer's names, the options and the generator versions
    names: tuple[str, ...] = ()  # the schema names its inline models must not take (default: components)

    @property
    def taken(self) -> tuple[str, ...]:
        return self.names or self.components


def linked_groups(schemas: dict[str, Any]) -> list[list[str]]:
    """The schemas' names split into groups that no $ref (or discriminator mapping) crosses; each
    group in the schemas' order, the groups in the order of their first schema."""
    index = {name: i for i, name in enumerate(schemas)}
    parent = list(range(len(index)))  # union-find; a root is its group's first schema

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for name, schema in schemas.items():
        for target in _targets(schema):
            if target in index:
                a, b = root(index[name]), root(index[target])
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[str]] = {}
    for name, i in index.items():
        groups.setdefault(root(i), []).append(name)
    return list(groups.values())


def _targets(node: Any) -> Iterable[str]:
    """Class names a rewritten schema refers to."""
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref" and isinstance(value, str) and value.startswith(_SCHEMA_PREFIX):
                    yield value.removeprefix(_SCHEMA_PREFIX)
                elif key == "mapping" and isinstance(value, dict):
                    yield from (
                        str(v).removeprefix(_SCHEMA_PREFIX)
                        for v in value.values()
                        if str(v).startswith(_SCHEMA_PREFIX)
                    )
                if isinstance(value, (dict, list)):
                    stack.append(value)


def sizes(schemas: dict[str, Any]) -> dict[str, int]:
    """Each schema's input size (JSON bytes), measured once for batches, in_parts and parts."""
    return {name: len(json.dumps(schema, default=str)) for name, schema in schemas.items()}


def in_parts(names: list[str], sizes: dict[str, int]) -> bool:
    return _size(names, sizes) > PARTITION_BYTES


def _size(names: list[str], sizes: dict[str, int]) -> int:
    return sum(sizes[name] for name in names)


def batches(groups: list[list[str]], sizes: dict[str, int]) -> list[list[list[str]]]:
    """The groups as runs: consecutive small groups share one, up to BATCH_BYTES of input (a run has a
    fixed cost of ~12 ms: GitHub has 626 groups of one to 14 schemas), a group in parts runs alone.
    A batch also ends, as a part does, after a group whose first name's digest says so, so that an
    edit moves few boundaries."""
    limit = min(BATCH_BYTES, max(BATCH_FLOOR, sum(sizes.values()) // 4))
    runs: list[list[list[str]]] = []
    batch: list[list[str]] = []
    size = 0
    for group in groups:
        group_size = _size(group, sizes)
        if group_size > PARTITION_BYTES:
            runs += [batch, [group]] if batch else [[group]]
            batch, size = [], 0
            continue
        batch.append(group)
        size += group_size
        if size >= limit or _cut(group[0], BATCH_GROUPS):
            runs.append(batch)
            batch, size = [], 0
    return runs + [batch] if batch else runs


def _cut(name: str, every: int) -> bool:
    """Whether a part or a batch ends after the schema or group starting with `name`: about one in
    `every`, by a digest of the name, so that an edit elsewhere moves no boundary."""
    return int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) % every == 0


def parts(names: list[str], schemas: dict[str, Any], sizes: dict[str, int]) -> list[Part]:
    """A linked group as runs that each own some of its schemas, in group order.

    A run's input is its own schemas and, for each schema they reach, either
    - the schema whole, where the generator reads it at the referring site: an allOf parent (its
      fields are merged into the child), a discriminator's members (their tag fields become
      literals), and any schema that is not an object class (a root model is collapsed into its
      referrers, an enum default names its member); or
    - a stub, an empty object class of the same name, for any other object class.
    A schema that is not an object class and that another schema refers to is owned by no run: as in
    one run, it is generated (if at all) where it is used. Schemas joined by a discriminator share a
    run."""
    index = {name: i for i, name in enumerate(names)}
    uses = {name: _uses(schemas[name]) for name in names}
    referenced = {t for name in names for t in uses[name][0] if t != name}
    owned = [n for n in names if _is_class(schemas[n]) or n not in referenced]
    # schemas a discriminator joins: union-find, each unit keyed by its first schema
    unit = {name: name for name in names}

    def root(name: str) -> str:
        while unit[name] != name:
            unit[name] = name = unit[unit[name]]
        return name

    for name in names:
        for target in uses[name][2]:
            if target in index:
                a, b = sorted((root(name), root(target)), key=index.__getitem__)
                unit[b] = a
    units: dict[str, list[str]] = {}
    for name in names:
        units.setdefault(root(name), []).append(name)
    runs: list[list[str]] = [[]]
    size = 0
    for first, members in units.items():
        mine = [m for m in members if m in owned]
        runs[-1].extend(mine)
        size += _size(mine, sizes)
        if size >= PART_BYTES or _cut(first, PART_SCHEMAS):
            runs.append([])
            size = 0
    runs = [sorted(run, key=index.__getitem__) for run in runs if run]

    def part(run: list[str]) -> Part:
        given = _run_input(run, [n for r in run for n in units[root(r)]], schemas, uses)
        used = {t for n, schema in given.items() if schema is schemas[n] for t in uses[n][0] if t != n}
        # what the merge drops: stubs and copies of other runs' schemas, and an unowned schema this
        # run has only as a discriminator's member (its class, if any, comes from where it is used)
        drop = {n for n in given if n not in run and (n in owned or n not in used)}
        ordered = {n: given[n] for n in sorted(given, key=index.__getitem__)}
        return Part(tuple(run), ordered, frozenset(drop))

    parts = [part(run) for run in runs]
    # a schema no run reaches (referred to only by schemas no run owns) is owned by the last run
    stray = set(names).difference(*(p.given for p in parts))
    if stray:
        parts[-1] = part(sorted([*runs[-1], *stray], key=index.__getitem__))
    return parts


@dataclass(frozen=True)
class Part:
    owned: tuple[str, ...]  # the schemas whose classes it gives
    given: dict[str, Any]  # its input: its schemas, and whole copies or stubs of others
    drop: frozenset[str]  # the classes of its output that the merge drops


def _run_input(
    run: list[str],
    joined: list[str],
    schemas: dict[str, Any],
    uses: dict[str, tuple[set[str], set[str], set[str]]],
) -> dict[str, Any]:
    """A run's schemas: its own and those a discriminator joins to them, whole, then what they
    reach, whole or as stubs (see parts)."""
    given = {name: schemas[name] for name in (*run, *joined)}
    stubs: set[str] = set()
    stack = list(given)
    while stack:
        refs, whole, tagged = uses[stack.pop()]
        for target in refs:
            if target not in schemas or (target in given and target not in stubs):
                continue
            if target in whole or target in tagged or not _is_class(schemas[target]):
                given[target] = schemas[target]
                stubs.discard(target)
                stack.append(target)
            elif target not in given:
                given[target] = _stub(schemas[target])
                stubs.add(target)
    return given


def _is_class(schema: Any) -> bool:
    """An object with fields: the generator makes it a class, and a referrer names it."""
    if not isinstance(schema, dict) or "enum" in schema:
        return False
    kinds = schema.get("type")
    is_object = kinds == "object" or (isinstance(kinds, list) and "object" in kinds)
    return is_object and ("properties" in schema or "allOf" in schema)


def _stub(schema: dict[str, Any]) -> dict[str, Any]:
    """What a referrer reads of an object class: its type (null included) and nullability."""
    stub: dict[str, Any] = {"type": schema.get("type", "object"), "properties": {}}
    if "nullable" in schema:
        stub["nullable"] = schema["nullable"]
    return stub


def _uses(schema: Any) -> tuple[set[str], set[str], set[str]]:
    """What a schema refers to: every target; the allOf parents among them (wherever the allOf is);
    the targets a discriminator of it joins (its oneOf/anyOf members and mapping)."""
    refs: set[str] = set()
    whole: set[str] = set()
    joined: set[str] = set()
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
            refs.add(ref.removeprefix(_SCHEMA_PREFIX))
        all_of = node.get("allOf")
        for item in all_of if isinstance(all_of, list) else ():
            if isinstance(item, dict) and str(item.get("$ref", "")).startswith(_SCHEMA_PREFIX):
                whole.add(str(item["$ref"]).removeprefix(_SCHEMA_PREFIX))
        if isinstance(node.get("discriminator"), dict):
            joined.update(_targets({k: node[k] for k in ("oneOf", "anyOf", "discriminator") if k in node}))
        stack.extend(v for v in node.values() if isinstance(v, (dict, list)))
    refs |= joined  # a mapping target is referred to even where no $ref names it
    return refs, whole, joined


def group_key(document: str, names: tuple[str, ...] = ()) -> str:
    """What a run's output depends on: its input, the names its inline models must not take, this
    file and schemas.py (the options, the input's marks), the versions of datamodel-code-generator
    and of Python."""
    digest = hashlib.sha256()
    for part in (_code_digest(), document, "\0".join(names)):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


@cache
def _code_digest() -> str:
    """The cache format, the versions, this module and schemas.py (the options, the input's marks)."""
    from importlib.metadata import version

    digest = hashlib.sha256()
    for part in (_CACHE_FORMAT, version("datamodel-code-generator"), sys.version):
        digest.update(part.encode() + b"\0")
    for name in ("modelgen.py", "schemas.py"):
        digest.update((Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


# -- the cache -------------------------------------------------------------------------------


class Cache:
    """Generated modules by group key, one JSON file each. Writes are atomic (a temporary file
    renamed into place), so concurrent runs at worst write the same entry twice; an entry that does
    not read back as one is a miss."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Module | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Module.from_json(entry) if isinstance(entry, dict) and entry.get("key") == key else None

    def put(self, key: str, module: Module) -> None:
        write_text(self._path(key), json.dumps({"key": key, **module.to_json()}))


# -- running ---------------------------------------------------------------------------------


def run_group(document_json: str, components: tuple[str, ...]) -> dict[str, Any] | str:
    """One datamodel-code-generator run: its Module (as JSON), or the message it failed with.
    The input comes as JSON text so that a run in a worker reads exactly what one in-process does.
    """
    from datamodel_code_generator import generate

    from generator.schemas import dcg_options

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            source = generate(
                json.loads(document_json),
                custom_class_name_generator=class_namer(set(components)),
                **dcg_options(),
            )
        except Exception as exc:  # noqa: BLE001 - a third-party generator: its message is the diagnostic
            return str(exc) or type(exc).__name__
    source = _unmarked(str(source or ""), set(components))
    return Module.of(source, sorted({" ".join(str(w.message).split()) for w in caught})).to_json()


def _unmarked(source: str, components: set[str]) -> str:
    """`source` without a class named after a component's marked input key. The generator names a
    model inside a component's schema (an anyOf option, an array's items) by its full path, the
    input key included and so the mark: Stripe's `GetAccountsCreatedSpecgenComponentGetAccountsCreated`
    (the object option of `created`), adyen's `...AdditionalDataSpecgenComponent...AdditionalData12`.
    Such a class takes the name after the mark (its own, which restates the component's), with
    `Inline` when a class, a schema or a reserved name has that."""
    from generator.schemas import _MARK, _RESERVED_CLASSES

    word = _MARK.rstrip("_")  # the mark as the generator spells it in a class name
    if word not in source:
        return source
    classes = re.findall(r"^class (\w+)", source, re.MULTILINE)
    used = set(classes) | components | _RESERVED_CLASSES
    renames = {}
    for name in classes:
        head, found, tail = name.rpartition(word)
        if not found or not head:
            continue
        base = tail if tail[:1].isalpha() else head + tail
        renames[name] = dedupe(base + "Inline" if base in used else base, used)
    return _renamed(source, renames) if renames else source


def _serve(pipes: list[int]) -> int:
    """A worker (`python -m generator.modelgen [FD...]`): a task a line on stdin, a JSON list
    [document, components], and its outcome a line on stdout, until stdin ends. A first run of a
    one-field schema comes before any input is read: it imports the generator and builds its parser's
    classes (~0.8 s, more than most runs take), so that a worker started early (generator.workers)
    has that done when its tasks come. Then it forks a copy of itself for each pair of `pipes` (its
    input, its output: generator.workers.spawn_with), which serves them, and at its end waits for its
    copies; its exit status is 1 if one of them failed."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it quietly: its starter says it was interrupted
    if hasattr(os, "nice"):
        os.nice(workers.NICE)
    gc.disable()  # the warm-up makes thousands of classes and no garbage: collections are waste
    run_group(_WARM_UP, ())
    gc.freeze()  # nor need they be walked again by the runs' collections: nor copied, once forked
    gc.enable()
    copies: list[int] = []
    for read_in, write_out in zip(pipes[::2], pipes[1::2], strict=True):
        pid = os.fork()
        if pid == 0:  # a copy: its own pipes for stdin and stdout, and none of the others'
            os.dup2(read_in, 0)
            os.dup2(write_out, 1)
            for fd in pipes:
                os.close(fd)
            copies = []
            break
        os.close(read_in)
        os.close(write_out)
        copies.append(pid)
    answer, sys.stdout = sys.stdout.buffer, sys.stderr  # what the generator may print stays out of the answer
    for line in sys.stdin.buffer:
        document, components = json.loads(line)
        answer.write(json.dumps(run_group(document, tuple(components))).encode() + b"\n")
        answer.flush()
    failed = [pid for pid in copies if os.waitpid(pid, 0)[1] != 0]
    return 1 if failed else 0


_WARM_UP = json.dumps({
    "openapi": "3.1.0", "info": {"title": "warm-up", "version": "1"}, "paths": {},
    "components": {"schemas": {"Warm": {"type": "object", "properties": {"a": {"type": "string"}}}}},
})  # fmt: skip


def _run_workers(tasks: Iterator[tuple[int, Group]], jobs: int) -> dict[int, dict[str, Any] | str]:
    """The outcome of each (index, group) of `tasks`, run over up to `jobs` fresh interpreters. Each
    worker takes the next task when it is done with one (their run times are not their sizes'), and
    the next task is built then (`tasks` may be a generator: the building of a document overlaps the
    runs). A worker is started on its first task. Fresh rather than forked: a forked child counts
    every page of this process (the spec, the other steps' data) as its own memory."""
    lock = threading.Lock()
    outcomes: dict[int, dict[str, Any] | str] = {}
    procs: list[workers.Worker] = []

    def drive() -> None:
        proc = None
        while True:
            with lock:  # one thread at a time advances `tasks`
                item = next(tasks, None)
                if item is not None and proc is None:
                    proc = workers.take()
                    procs.append(proc)
            if item is None or proc is None or proc.stdin is None or proc.stdout is None:
                break
            index, group = item
            try:
                proc.stdin.write(json.dumps([group.document, group.taken]).encode() + b"\n")
                proc.stdin.flush()
                line = proc.stdout.readline()
            except OSError:  # it died before reading it all (a broken pipe)
                line = b""
            if not line:
                code = proc.wait()  # 0 from a forked worker, whose status its parent has
                raise RuntimeError("a model generator worker failed" + (f" (exit status {code})" if code else ""))
            outcomes[index] = json.loads(line)
        if proc is not None and proc.stdin is not None:
            proc.stdin.close()  # its end: it leaves once it reads that

    failed = True
    try:
        with ThreadPoolExecutor(jobs) as pool:
            for future in [pool.submit(drive) for _ in range(jobs)]:
                future.result()
        failed = False
    finally:
        workers.release()  # those not taken (a forked one, waiting for input, holds up its parent's end)
        for proc in procs:
            if failed:
                proc.kill()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    with contextlib.suppress(OSError):  # a worker that died leaves a broken pipe
                        pipe.close()
            proc.wait()
    bad = [proc.returncode for proc in procs if proc.returncode != 0]
    if bad:
        raise RuntimeError(f"a model generator worker failed (exit status {bad[0]})")
    return outcomes


def class_namer(components: set[str]) -> Callable[[str], str]:
    """A schema's input key is its class name behind _MARK; an inline model is named by
    datamodel-code-generator, plus `Inline` when a schema of the run or a reserved name has it.
    """
    from datamodel_code_generator.reference import ModelResolver

    from generator.schemas import _MARK, _RESERVED_CLASSES

    default = ModelResolver().default_class_name_generator

    def class_name(name: str) -> str:
        if name.startswith(_MARK):
            return name.removeprefix(_MARK)  # already a clean, unique class name
        candidate = default(name)
        taken = candidate in components or candidate in _RESERVED_CLASSES
        return candidate + "Inline" if taken else candidate

    return class_name


def generate_groups(groups: Iterable[Group], cache: Cache | None, jobs: int, size: int = 0) -> list[Module]:
    """Each group's module: from the cache, else generated (over `jobs` processes when the input,
    `size` bytes in all, is worth it) and stored. `groups` may be a generator, each group built when
    a worker is ready for it. Raises the first group's failure, in group order, after storing the
    others, so that a retry without the schema it names re-runs only that group."""
    modules: dict[int, Module] = {}
    seen: list[Group] = []

    def todo() -> Iterator[tuple[int, Group]]:
        for index, group in enumerate(groups):
            seen.append(group)
            hit = cache.get(group.key) if cache else None
            if hit is None:
                yield index, group
            else:
                modules[index] = hit

    parallel = jobs > 1 and size >= PARALLEL_BYTES
    if parallel or workers.waiting():
        outcomes = _run_workers(todo(), max(workers.waiting(), jobs if parallel else 1))
    else:
        outcomes = {index: run_group(group.document, group.taken) for index, group in todo()}
    failures = {}
    for i, outcome in sorted(outcomes.items()):
        module = None if isinstance(outcome, str) else Module.from_json(outcome)
        if module is None:
            failures[i] = str(outcome)
            continue
        modules[i] = module
        if cache is not None:
            cache.put(seen[i].key, module)
    if failures:
        raise ModelGenerationError(failures[min(failures)])
    return [modules[i] for i in range(len(seen))]


# -- merging ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    """A group's generated module and what the merge needs of it, found once (and cached)."""

    source: str
    messages: list[str]
    classes: list[str]  # top-level classes
    imports: list[tuple[str | None, str, str | None]]  # (module or None for `import x`, name, alias)
    body: int  # index of the first line after the imports (and the header comment)
    # each top-level statement after the imports: (the class it defines or rebuilds, else "", its
    # first line, the first line of the next one), lines counted from 0
    spans: list[tuple[str, int, int]]

    @classmethod
    def of(cls, source: str, messages: list[str]) -> Module:
        tree = ast.parse(source)
        imports = [
            (node.module if isinstance(node, ast.ImportFrom) else None, alias.name, alias.asname)
            for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names
        ]  # fmt: skip
        rest = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
        starts = [min([n.lineno, *(d.lineno for d in getattr(n, "decorator_list", []))]) - 1 for n in rest]
        ends = [*starts[1:], len(source.split("\n"))]
        spans = [(_defines(node), a, b) for node, a, b in zip(rest, starts, ends, strict=True)]
        classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
        return cls(source, messages, classes, imports, starts[0] if rest else len(source.split("\n")), spans)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "messages": self.messages, "classes": self.classes,
                "imports": self.imports, "body": self.body, "spans": self.spans}  # fmt: skip

    @classmethod
    def from_json(cls, entry: Any) -> Module | None:
        try:
            module = cls(
                entry["source"], list(entry["messages"]), list(entry["classes"]),
                [(m, n, a) for m, n, a in entry["imports"]], int(entry["body"]),
                [(str(n), int(a), int(b)) for n, a, b in entry["spans"]],
            )  # fmt: skip
        except (KeyError, TypeError, ValueError):
            return None
        texts = [module.source, *module.messages, *module.classes]
        return module if all(isinstance(t, str) for t in texts) else None

    def without(self, drop: set[str]) -> Module:
        """This module without the classes in `drop` (and their model_rebuild calls)."""
        lines = self.source.split("\n")
        gone = [(a, b) for name, a, b in self.spans if name in drop]
        if not gone:
            return self
        keep, spans, removed, at = [], [], 0, 0
        for name, a, b in self.spans:
            if name in drop:
                removed += b - a
            else:
                spans.append((name, a - removed, b - removed))
        for a, b in gone:
            keep.extend(lines[at:a])
            at = b
        keep.extend(lines[at:])
        classes = [c for c in self.classes if c not in drop]
        return Module("\n".join(keep), self.messages, classes, self.imports, self.body, spans)

    def texts(self) -> dict[str, str]:
        """Each class's definition, by name."""
        lines = self.source.split("\n")
        return {name: "\n".join(lines[a:b]).rstrip() for name, a, b in self.spans if name in set(self.classes)}


def _defines(node: ast.stmt) -> str:
    if isinstance(node, ast.ClassDef):
        return node.name
    call = node.value if isinstance(node, ast.Expr) else None
    if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
        return call.func.value.id if call.func.attr == "model_rebuild" else ""
    return ""


def without_copies(modules: list[Module], drops: list[frozenset[str]]) -> list[Module]:
    """The modules of one group's parts without what the merge drops (Part.drop) and without a class
    an earlier part defined alike (an enum several parts use, the inline models of a copied parent):
    the same text, referring to classes that are themselves alike (or dropped)."""
    seen: dict[str, str] = {}
    out = []
    for module, drop in zip(modules, drops, strict=True):
        texts = {name: text for name, text in module.texts().items() if name not in drop}
        alike = {name for name, text in texts.items() if seen.get(name) == text}
        changed = True
        while changed:  # a class referring to one of this part that differs stays, and so on up
            changed = False
            for name in list(alike):
                if any(word in texts and word not in alike for word in _WORD.findall(texts[name])):
                    alike.discard(name)
                    changed = True
        for name, text in texts.items():
            seen.setdefault(name, text)
        out.append(module.without(set(drop) | alike))
    return out


_WORD = re.compile(r"\b[A-Za-z_]\w*\b")


def merge_modules(modules: list[Module], components: list[tuple[str, ...]], taken: Iterable[str]) -> str:
    """One module from the groups' modules: their imports merged, their bodies in group order.

    A top-level class that is not one of its group's schemas is an inline model; when its name is
    taken (a schema's class anywhere, a name in `taken`, an earlier group's class) it is renamed,
    `Inline` added after a schema's or reserved name, else numbered. A name a group imports that
    another group defines as a class is imported under an alias in that group."""
    if len(modules) == 1:
        return modules[0].source
    schemas = {name for names in components for name in names}
    reserved = set(taken)
    used = schemas | reserved
    defined = {name for module in modules for name in module.classes}
    imports: dict[str | None, dict[str, str]] = {}  # module (None: `import x`) -> bound name -> name
    bodies: list[str] = []
    for module, names in zip(modules, components, strict=True):
        renames: dict[str, str] = {}
        for name in module.classes:
            if name not in names:
                if name in used:
                    base = name + "Inline" if name in schemas | reserved else name
                    renames[name] = dedupe(base, used | defined)
                used.add(renames.get(name, name))
        for origin, name, alias in module.imports:
            if origin == "__future__":
                continue
            bound = alias or name
            if bound in defined:  # the class of another group
                renames[bound] = bound = dedupe(f"{bound}_aliased", used | defined)
            imports.setdefault(origin, {})[bound] = name
        body = "".join(line + "\n" for line in module.source.split("\n")[module.body :])[:-1]
        if body.strip():
            bodies.append(_renamed(body, renames) if renames else body)
    lines = ["from __future__ import annotations"]
    for origin, names_of in imports.items():
        items = sorted(name if b == name else f"{name} as {b}" for b, name in names_of.items())
        lines += [f"from {origin} import {', '.join(items)}"] if origin else [f"import {i}" for i in items]
    head = "".join(line + "\n" for line in modules[0].source.splitlines()[:2] if line.startswith("#"))
    return (
        head
        + ("\n" if head else "")
        + "\n".join(lines)
        + "\n\n\n"
        + "\n\n\n".join(b.strip("\n") for b in bodies)
        + "\n"
    )


def _renamed(source: str, renames: dict[str, str]) -> str:
    """`source` with the classes in `renames` renamed: their definitions and every name that loads
    one; docstrings, strings and field names are left as they are."""
    # lines as ast counts them (str.splitlines also splits at "\x0c", "\u2028"... in a docstring)
    lines = [line + "\n" for line in source.split("\n")]
    lines[-1] = lines[-1][:-1]
    edits = chunked(lambda chunk: _edits(source, lines, renames, chunk))
    for lineno, begin, end, text in sorted(edits, reverse=True):
        raw = lines[lineno - 1].encode()  # ast's columns count UTF-8 bytes
        lines[lineno - 1] = (raw[:begin] + text.encode() + raw[end:]).decode()
    return "".join(lines)


def _edits(
    source: str, lines: list[str], renames: dict[str, str], chunk: int | None
) -> list[tuple[int, int, int, str]]:
    """(line, start col, end col, text) of each class definition and loaded name to rename, parsed
    a top-level statement at a time (one AST of GitHub's largest group takes hundreds of MB)."""
    edits = []
    for statement, offset in top_level(source, chunk, mentioning=renames):
        for node in named_nodes(statement):
            if isinstance(node, ast.ClassDef):
                if node.name in renames:
                    lineno = node.lineno + offset
                    col = len(lines[lineno - 1][: node.col_offset].encode()) + len("class ")
                    edits.append((lineno, col, col + len(node.name.encode()), renames[node.name]))
            elif isinstance(node.ctx, ast.Load) and node.id in renames:
                end = node.col_offset + len(node.id.encode())
                edits.append((node.lineno + offset, node.col_offset, end, renames[node.id]))
    return edits


if __name__ == "__main__":
    from generator.cli import leave

    leave(_serve([int(arg) for arg in sys.argv[1:]]))  # without the shutdown's collection of what the runs left alive
