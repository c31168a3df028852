"""How datamodel-code-generator is driven (generator/modelgen.py): one run per group of schemas
linked by $refs, the groups' modules merged into one, each group's output cached."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from generator import modelgen, workers
from generator.schemas import ModelSet


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


STR = {"type": "string"}

# Three linked groups and a standalone schema:
#   Order -> LineItem -> Money;  Pet --oneOf/discriminator--> Cat, Dog;  Note alone;
#   Foo and FooBar, unlinked, whose inline models are both named FooBarBaz;
#   Shop's inline `owner` model is named like the unlinked PetOwner schema.
SCHEMAS: dict[str, Any] = {
    "Order": _obj(id=STR, items={"type": "array", "items": _ref("LineItem")}),
    "LineItem": _obj(price=_ref("Money"), sku=STR),
    "Money": _obj(amount={"type": "integer"}, currency=STR),
    "Pet": {
        "oneOf": [_ref("Cat"), _ref("Dog")],
        "discriminator": {"propertyName": "kind", "mapping": {"cat": "#/components/schemas/Cat"}},
    },
    "Cat": _obj(kind=STR, meows={"type": "boolean"}),
    "Dog": _obj(kind=STR, barks={"type": "boolean"}),
    "Note": _obj(text=STR),
    "Foo": _obj(bar_baz=_obj(left=STR)),
    "FooBar": _obj(baz=_obj(right={"type": "integer"})),
    "Shop": _obj(owner=_obj(name=STR)),
    "ShopOwner": _obj(email=STR, since={"type": "integer"}),
}


def _models(schemas: dict[str, Any] = SCHEMAS) -> ModelSet:
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    return ModelSet(json.loads(json.dumps(doc)), "pkg")


def _module(source: str) -> types.ModuleType:
    module = types.ModuleType("models_under_test")
    sys.modules[module.__name__] = module  # pydantic resolves the annotations in it
    try:
        exec(compile(source, "models.py", "exec"), module.__dict__)  # noqa: S102 - our own generated code
        for value in list(vars(module).values()):  # a class may refer to one defined after it
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                value.model_rebuild()
    finally:
        del sys.modules[module.__name__]
    return module


def _classes(source: str) -> list[str]:
    return [n.name for n in ast.parse(source).body if isinstance(n, ast.ClassDef)]


# -- grouping --------------------------------------------------------------------------------


def test_groups_are_the_schemas_linked_by_refs_and_discriminator_mappings():
    models = _models()
    groups = modelgen.linked_groups(models.schemas)
    as_sets = [set(g) for g in groups]
    assert {"Order", "LineItem", "Money"} in as_sets
    assert {"Pet", "Cat", "Dog"} in as_sets
    assert {"Note"} in as_sets and {"Foo"} in as_sets and {"FooBar"} in as_sets
    assert sorted(n for g in groups for n in g) == sorted(models.schemas)  # each schema exactly once
    # each group in the schemas' order, the groups by their first schema
    order = list(models.schemas)
    assert all(g == sorted(g, key=order.index) for g in groups)
    assert [g[0] for g in groups] == sorted((g[0] for g in groups), key=order.index)


def test_a_discriminator_mapping_alone_links_its_target():
    schemas = {"A": {"type": "object", "discriminator": {"propertyName": "k", "mapping": {"b": "#/components/schemas/B"}}},
               "B": _obj(k=STR), "C": _obj(k=STR)}  # fmt: skip
    assert modelgen.linked_groups(schemas) == [["A", "B"], ["C"]]


# -- merging ---------------------------------------------------------------------------------


def test_the_merged_module_defines_every_schema_and_runs(tmp_path):
    source, _ = _models().generate("3.1.0", cache_dir=tmp_path)
    module = _module(source)
    for name in SCHEMAS:
        assert hasattr(module, name), name
    order = module.Order.model_validate({"id": "o1", "items": [{"sku": "x", "price": {"amount": 3, "currency": "EUR"}}]})
    assert order.items[0].price.amount == 3
    assert source.count("from __future__ import annotations") == 1


def test_inline_classes_named_alike_in_two_groups_are_told_apart(tmp_path):
    source, _ = _models().generate("3.1.0", cache_dir=tmp_path)
    module = _module(source)
    classes = _classes(source)
    assert len(classes) == len(set(classes))  # no class defined twice
    foo_inline = module.Foo.model_fields["bar_baz"].annotation
    foobar_inline = module.FooBar.model_fields["baz"].annotation
    # each schema's field keeps its own inline model, though both were generated as FooBarBaz
    assert foo_inline is not foobar_inline
    assert set(_args(foo_inline)[0].model_fields) == {"left"}
    assert set(_args(foobar_inline)[0].model_fields) == {"right"}


def test_an_inline_class_named_like_another_groups_schema_is_renamed(tmp_path):
    source, _ = _models().generate("3.1.0", cache_dir=tmp_path)
    module = _module(source)
    assert set(module.ShopOwner.model_fields) == {"email", "since"}  # the schema keeps its name
    inline = _args(module.Shop.model_fields["owner"].annotation)[0]
    assert inline.__name__ == "ShopOwnerInline" and set(inline.model_fields) == {"name"}


def test_a_model_inside_a_components_schema_is_not_named_after_its_marked_input_key():
    # the generator names an anyOf option or an array's items by its full path, input key and all:
    # `CreatedSpecgenComponentCreated` (Stripe's `created`), `MatchesSpecgenComponentMatch` (GitHub)
    schemas = {
        "Created": {"anyOf": [_obj(gt={"type": "integer"}), {"type": "integer"}]},
        "Matches": {"type": "array", "items": _obj(fragment=STR)},
        "Extra": {"additionalProperties": STR, "anyOf": [_ref("Air"), _ref("Car")]},
        "Air": _obj(seat=STR),
        "Car": _obj(plate=STR),
        "Listing": _obj(created=_ref("Created"), matches=_ref("Matches"), extra=_ref("Extra")),
    }
    source, _ = _models(schemas).generate("3.1.0")
    assert "Specgen" not in source
    assert _classes(source) == ["Air", "Car", "CreatedInline", "ExtraInline", "Extra1", "Match", "Listing"]
    listing = _module(source).Listing.model_validate(
        {"created": {"gt": 1}, "matches": [{"fragment": "x"}], "extra": {"seat": "2A", "note": "y"}}
    )
    assert type(listing.created).__name__ == "CreatedInline" and listing.created.gt == 1
    assert type(listing.matches[0]).__name__ == "Match"
    assert listing.extra.model_dump() == {"seat": "2A", "note": "y"}


def _args(annotation: Any) -> list[Any]:
    """The classes of an `X | None` annotation."""
    return [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]


def test_a_name_imported_by_one_group_and_defined_by_another_is_aliased():
    enum_group = modelgen.Module.of("from enum import Enum\n\n\nclass Color(Enum):\n    red = 'red'\n", [])
    # a group whose schema is named like an import of the other group
    other = modelgen.Module.of("from pydantic import BaseModel\n\n\nclass Enum(BaseModel):\n    x: int\n", [])
    merged = modelgen.merge_modules([enum_group, other], [("Color",), ("Enum",)], ())
    module = _module(merged)
    assert issubclass(module.Color, __import__("enum").Enum)
    assert set(module.Enum.model_fields) == {"x"}


# -- the cache -------------------------------------------------------------------------------


class _Counting:
    """run_group, counting the groups it generates."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.groups: list[tuple[str, ...]] = []
        real = modelgen.run_group

        def run(document: str, components: tuple[str, ...]) -> Any:
            self.groups.append(components)
            return real(document, components)

        monkeypatch.setattr(modelgen, "run_group", run)


def test_a_cached_group_is_not_generated_again(tmp_path, monkeypatch):
    cold = _models().generate("3.1.0", cache_dir=tmp_path)
    counting = _Counting(monkeypatch)
    warm = _models().generate("3.1.0", cache_dir=tmp_path)
    assert warm == cold
    assert counting.groups == []


def test_a_changed_schema_regenerates_its_group_only(tmp_path, monkeypatch):
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 0)  # a run per group
    _models().generate("3.1.0", cache_dir=tmp_path)
    counting = _Counting(monkeypatch)
    changed = json.loads(json.dumps(SCHEMAS))
    changed["Money"]["properties"]["cents"] = {"type": "integer"}
    source, _ = _models(changed).generate("3.1.0", cache_dir=tmp_path)
    assert counting.groups == [("Order", "LineItem", "Money")] or [set(g) for g in counting.groups] == [
        {"Order", "LineItem", "Money"}
    ]
    assert "cents" in _module(source).Money.model_fields
    assert source == _models(changed).generate("3.1.0")[0]  # the same as without a cache


def test_a_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path, monkeypatch):
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 0)
    expected = _models().generate("3.1.0", cache_dir=tmp_path)
    entries = sorted(tmp_path.rglob("*.json"))
    assert entries and not list(tmp_path.rglob(".tmp-*"))  # atomic writes leave no scratch files
    entries[0].write_text('{"key": "trunc', encoding="utf-8")
    entries[1].write_text(json.dumps({"key": entries[1].stem, "source": 3}), encoding="utf-8")
    counting = _Counting(monkeypatch)
    assert _models().generate("3.1.0", cache_dir=tmp_path) == expected
    assert len(counting.groups) == 2
    assert all(json.loads(e.read_text())["key"] == e.stem for e in entries[:2])


def test_the_key_covers_input_order_and_content():
    a = json.dumps({"x": {"type": "string"}, "y": {"type": "integer"}})
    b = json.dumps({"y": {"type": "integer"}, "x": {"type": "string"}})
    assert len({modelgen.group_key(a), modelgen.group_key(b), modelgen.group_key(a.replace("string", "number"))}) == 3
    assert modelgen.group_key(a) == modelgen.group_key(a)


def test_small_groups_share_a_run_and_give_the_classes_of_a_run_each(monkeypatch):
    counting = _Counting(monkeypatch)
    batched, _ = _models().generate("3.1.0")
    assert len(counting.groups) < len(modelgen.linked_groups(_models().schemas))
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 0)
    apart, _ = _models().generate("3.1.0")
    # the same classes; inline ones named alike are numbered by the generator instead of the merge
    assert len(_classes(batched)) == len(_classes(apart)) and set(SCHEMAS) <= set(_classes(batched))
    module = _module(batched)
    foo, foobar = module.Foo.model_fields["bar_baz"].annotation, module.FooBar.model_fields["baz"].annotation
    assert set(_args(foo)[0].model_fields) == {"left"} and set(_args(foobar)[0].model_fields) == {"right"}
    assert set(_args(module.Shop.model_fields["owner"].annotation)[0].model_fields) == {"name"}
    assert set(module.ShopOwner.model_fields) == {"email", "since"}


def test_a_batch_ends_at_its_size_and_where_a_digest_says(monkeypatch):
    schemas = {f"S{i}": _obj(text=STR) for i in range(300)}
    groups = modelgen.linked_groups(schemas)
    runs = modelgen.batches(groups, modelgen.sizes(schemas))
    assert [g for run in runs for g in run] == groups  # every group once, in order
    assert 1 < len(runs) < len(groups)
    cut_after = [run[-1][0] for run in runs[:-1]]
    assert all(modelgen._cut(name, modelgen.BATCH_GROUPS) for name in cut_after)
    # removing one schema moves no other batch's boundary
    fewer = {k: v for k, v in schemas.items() if k != "S5"}
    assert [run[-1][0] for run in modelgen.batches(modelgen.linked_groups(fewer), modelgen.sizes(fewer))[:-1]] == cut_after
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 10 * len(json.dumps(_obj(text=STR))))
    assert all(len(run) <= 10 for run in modelgen.batches(groups, modelgen.sizes(schemas)))


def test_a_small_spec_s_groups_are_batched_in_runs_of_a_quarter_of_its_input_to_share_out():
    schemas = {f"S{i}": _obj(**{f"p{j}": STR for j in range(60)}) for i in range(60)}
    sizes = modelgen.sizes(schemas)
    total, groups = sum(sizes.values()), modelgen.linked_groups(schemas)
    assert modelgen.BATCH_FLOOR * 4 < total < modelgen.BATCH_BYTES * 4  # qualpay's case
    runs = modelgen.batches(groups, sizes)
    assert [g for run in runs for g in run] == groups and len(runs) >= 4
    for run in runs[:-1]:  # each ends at a quarter of the input, or where a digest says
        size = sum(sizes[name] for group in run for name in group)
        assert size >= total // 4 or modelgen._cut(run[-1][0], modelgen.BATCH_GROUPS)
        assert size - sizes[run[-1][0]] < total // 4
    tiny = {f"S{i}": _obj(text=STR) for i in range(5)}  # under BATCH_FLOOR: one run, as before
    assert modelgen.BATCH_FLOOR > sum(modelgen.sizes(tiny).values())
    assert len(modelgen.batches(modelgen.linked_groups(tiny), modelgen.sizes(tiny))) == 1


# -- workers ---------------------------------------------------------------------------------


def test_the_output_does_not_depend_on_the_number_of_workers(monkeypatch):
    monkeypatch.setattr(modelgen, "PARALLEL_BYTES", 0)  # worker processes even for this small input
    one = _models().generate("3.1.0", jobs=1)
    two = _models().generate("3.1.0", jobs=2)
    three = _models().generate("3.1.0", jobs=3)
    assert one == two == three


def test_a_failure_in_a_worker_names_the_schema_and_the_other_groups_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(modelgen, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 0)
    # `type` must be a string or a list: the model generator fails on this schema
    schemas = {**SCHEMAS, "Broken": _obj(kind={"type": {"type": "string"}})}
    with pytest.raises(modelgen.ModelGenerationError, match="SpecgenComponent__Broken"):
        _models(schemas).generate("3.1.0", jobs=2, cache_dir=tmp_path)
    counting = _Counting(monkeypatch)
    monkeypatch.setattr(modelgen, "PARALLEL_BYTES", 10**9)  # in-process, so the counting sees it
    with pytest.raises(modelgen.ModelGenerationError):
        _models(schemas).generate("3.1.0", jobs=2, cache_dir=tmp_path)
    assert counting.groups == [("Broken",)]  # the retry re-runs only the failed group


def test_the_worker_entry_point_answers_json(tmp_path: Path):
    document = json.dumps({"openapi": "3.1.0", "info": {"title": "m", "version": "0"}, "paths": {},
                           "components": {"schemas": {"SpecgenComponent__Note": _obj(text=STR)}}})  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "generator.modelgen"], input=json.dumps([document, ["Note"]]) + "\n" + json.dumps([document, ["Note"]]) + "\n",
        capture_output=True, text=True, check=True, cwd=Path(modelgen.__file__).parent.parent,
    )  # fmt: skip
    first, second = map(json.loads, done.stdout.splitlines())  # a line per task
    assert modelgen.Module.from_json(first) is not None and "class Note(BaseModel)" in first["source"]
    assert second == first


def test_concurrent_writers_of_one_entry_leave_a_whole_entry(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    cache = modelgen.Cache(tmp_path)
    module = modelgen.Module.of("from pydantic import BaseModel\n\n\nclass A(BaseModel):\n    x: int\n" * 200, ["w"])
    key = "ab" + "0" * 62

    def write_and_read(_: int) -> modelgen.Module | None:
        cache.put(key, module)
        return cache.get(key)

    with ThreadPoolExecutor(8) as pool:
        seen = list(pool.map(write_and_read, range(64)))
    assert all(s == module for s in seen)  # never a torn entry
    assert [p.name for p in (tmp_path / "ab").iterdir()] == [f"{key}.json"]  # no scratch file left


# -- a big group in parts --------------------------------------------------------------------

# Linked through every kind of reference a part must see whole or may see as a stub.
LINKED: dict[str, Any] = {
    **{k: SCHEMAS[k] for k in ("Order", "LineItem", "Money", "Pet", "Cat", "Dog")},
    "Color": {"type": "string", "enum": ["red", "green"]},
    "Tags": {"type": "array", "items": _ref("Money")},  # a root model: collapsed where it is used
    "Base": _obj(id=STR, color=_ref("Color")),
    "Derived": {"type": "object", "allOf": [_ref("Base"), _obj(extra=STR, tags=_ref("Tags"))], "required": ["id"]},
    "Box": _obj(
        order=_ref("Order"), pet=_ref("Pet"), derived=_ref("Derived"), color={**_ref("Color"), "default": "green"}
    ),
}


def _in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every group in parts, and a part ends after every schema (or discriminator's schemas)."""
    monkeypatch.setattr(modelgen, "PARTITION_BYTES", 0)
    monkeypatch.setattr(modelgen, "PART_SCHEMAS", 1)


def test_parts_own_each_schema_once_and_see_the_rest_whole_or_as_stubs(monkeypatch):
    _in_parts(monkeypatch)
    schemas = _models(LINKED).schemas
    [names] = modelgen.linked_groups(schemas)
    runs = modelgen.parts(names, schemas, modelgen.sizes(schemas))
    owned = [name for part in runs for name in part.owned]
    # a referenced schema that is no class (the enum, the root model) is owned by none
    assert sorted(owned) == sorted(set(LINKED) - {"Color", "Tags", "Pet"})
    assert len(owned) == len(set(owned))
    given = {name: part.given for part in runs for name in part.owned}
    # a discriminator's members share a run, which sees the union whole; so does a run using the union
    assert {"Cat", "Dog"} <= set(next(part.owned for part in runs if "Cat" in part.owned))
    assert given["Cat"]["Pet"] == schemas["Pet"]
    assert given["Box"]["Pet"] == schemas["Pet"] and given["Box"]["Cat"] == schemas["Cat"]
    assert given["Order"]["LineItem"] == {"type": "object", "properties": {}}  # an object class: a stub
    assert given["Derived"]["Base"] == schemas["Base"]  # an allOf parent: whole
    assert given["Derived"]["Tags"] == schemas["Tags"] and given["Derived"]["Money"]["properties"] == {}
    assert given["Box"]["Color"] == schemas["Color"]  # an enum: whole (the default names a member)


def test_a_group_in_parts_gives_the_classes_of_one_run(monkeypatch, tmp_path):
    whole, _ = _models(LINKED).generate("3.1.0")
    _in_parts(monkeypatch)
    in_parts, _ = _models(LINKED).generate("3.1.0", cache_dir=tmp_path)
    assert sorted(_classes(in_parts)) == sorted(_classes(whole))  # no stub or copy left, none lost
    module = _module(in_parts)
    box = module.Box.model_validate({"order": {"id": "o", "items": [{"sku": "s", "price": {"amount": 1}}]},
                                     "derived": {"id": "d", "tags": [{"amount": 2}]}, "pet": {"kind": "cat"}})  # fmt: skip
    assert box.order.items[0].price.amount == 1 and box.derived.tags[0].amount == 2
    assert box.color is module.Color.green  # the enum default, generated in Box's part
    assert issubclass(module.Derived, module.Base) and module.Derived.model_fields["id"].is_required()
    assert type(box.pet).__name__ == "Cat"  # the discriminator still picks the mapped model


def test_a_changed_schema_regenerates_its_part_only(monkeypatch, tmp_path):
    _in_parts(monkeypatch)
    _models(LINKED).generate("3.1.0", cache_dir=tmp_path)
    counting = _Counting(monkeypatch)
    changed = json.loads(json.dumps(LINKED))
    changed["Money"]["properties"]["cents"] = {"type": "integer"}
    source, _ = _models(changed).generate("3.1.0", cache_dir=tmp_path)
    # Money's own part only: Derived's sees the Tags root model whole, but Money in it as a stub
    assert len(counting.groups) == 1
    assert "cents" in _module(source).Money.model_fields


def test_a_part_drops_a_class_alike_only_when_what_it_refers_to_is_alike_too():
    head = "from pydantic import BaseModel\n\n\n"
    a = "class A(BaseModel):\n    b: B\n\n\n"
    first = modelgen.Module.of(head + a + "class B(BaseModel):\n    x: int\n", [])
    other_b = modelgen.Module.of(head + a + "class B(BaseModel):\n    y: str\n", [])
    same = modelgen.Module.of(head + a + "class B(BaseModel):\n    x: int\n\n\nclass C(BaseModel):\n    a: A\n", [])
    stub = modelgen.Module.of(head + "class Owned(BaseModel):\n    pass\n\n\n" + a + "class B(BaseModel):\n    x: int\n", [])
    kept = modelgen.without_copies([first, other_b, same, stub], [frozenset()] * 3 + [frozenset({"Owned"})])
    assert kept[0] == first
    # A reads the same but its B is another class: both stay (the merge renames them)
    assert kept[1].classes == ["A", "B"]
    assert kept[2].classes == ["C"] and "class A" not in kept[2].source and "class C" in kept[2].source
    assert kept[3].classes == [] and "class" not in kept[3].source.split("import BaseModel")[1]
    assert ast.parse(kept[2].source) and kept[2].spans == [("C", 3, len(kept[2].source.split("\n")))]


def _counting_starts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The interpreters workers.start starts from now on, in a list."""
    started: list[Any] = []
    real = workers.start

    def start(*args: Any, **kwargs: Any) -> Any:
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(workers, "start", start)
    return started


def test_workers_started_ahead_take_the_runs_and_the_unused_ones_end(monkeypatch, tmp_path):
    started = _counting_starts(monkeypatch)
    monkeypatch.setattr(workers, "FORK", False)
    expected = _models().generate("3.1.0")
    workers.prestart(2)
    assert len(started) == 2 and workers.waiting() == 2
    # one small batch: a worker started ahead takes it, though it is below PARALLEL_BYTES
    assert _models().generate("3.1.0", cache_dir=tmp_path) == expected
    assert len(started) == 2 and workers.waiting() == 0
    used, released = sorted(started, key=lambda proc: proc.wait(timeout=30) != 0)
    assert used.returncode == 0 and released.returncode < 0  # released: killed, not waited for


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not workers.FORK, reason="workers fork on Linux only")
def test_the_workers_after_the_first_are_forked_from_it_once_warm_and_share_the_runs(monkeypatch, tmp_path):
    """One interpreter is started and warms up; the others are its copies (no second warm-up on a
    core the runs need). A copy left without a task ends with its parent, which waits for it."""
    started = _counting_starts(monkeypatch)
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 0)  # a run per group: work for both
    expected = _models().generate("3.1.0")
    workers.prestart(2)
    assert len(started) == 1 and workers.waiting() == 2
    assert _models().generate("3.1.0", cache_dir=tmp_path / "both") == expected
    assert started[0].returncode == 0 and workers.waiting() == 0
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 10**9)
    expected = _models().generate("3.1.0")
    workers.prestart(2)  # one small batch: the first takes it; its copy, released, ends with it
    assert _models().generate("3.1.0", cache_dir=tmp_path / "one") == expected
    assert len(started) == 2 and started[1].returncode == 0 and workers.waiting() == 0


_EARLY = """
import atexit, json, os, sys
from pathlib import Path
from generator import workers
print("before")  # unflushed (stdout is a pipe): the fork must not write it twice
atexit.register(print, "atexit")  # this process's, run once: the worker leaves without running it
workers.prestart_for(Path(sys.argv[1]), early=True)
first, copy = workers._started
from generator import modelgen
for worker in (first, copy):
    worker.stdin.write(json.dumps([modelgen._WARM_UP, []]).encode() + b"\\n")
    worker.stdin.flush()
answers = [modelgen.Module.from_json(json.loads(w.stdout.readline())).classes for w in (first, copy)]
children = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children").read_text().split()
print(json.dumps([answers, first.pid, [int(c) for c in children], copy.pid]))
workers.release()
print(json.dumps([first.returncode, copy.returncode]))
"""


@pytest.mark.skipif(not workers.FORK, reason="workers fork on Linux only")
def test_an_entry_point_forks_its_first_worker_from_itself_and_that_one_its_copies(tmp_path):
    """`early` (the corpus worker, `specgen generate` of one spec): no interpreter is started at all.
    The first worker is this process's child; its copy is that worker's. Nothing buffered here is
    written twice, and this process's atexit handlers run once."""
    spec = tmp_path / "spec.json"
    spec.write_text(" " * workers.SHARE_BYTES)  # a size worth two workers
    done = subprocess.run(
        [sys.executable, "-c", _EARLY, str(spec)], capture_output=True, text=True, timeout=120, check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "before" and lines.count("before") == 1 and lines[-1] == "atexit" and lines.count("atexit") == 1
    answers, first_pid, children, copy_pid = json.loads(lines[1])
    assert answers == [["Warm"], ["Warm"]]
    assert children == [first_pid] and copy_pid is None  # the copy is the first worker's child
    assert json.loads(lines[2]) == [-9, -9]  # released: the first killed and waited for, the copy closed


@pytest.mark.skipif(not workers.FORK, reason="workers fork on Linux only")
def test_a_forked_worker_answers_on_its_own_pipes_and_its_failure_fails_its_parent():
    import os
    import signal

    first, (copy,) = workers.spawn_with(1)
    try:
        for worker in (copy, first):  # the copy's task is sent before it exists: the pipe holds it
            worker.stdin.write(json.dumps([modelgen._WARM_UP, []]).encode() + b"\n")
            worker.stdin.flush()
        for worker in (first, copy):
            assert modelgen.Module.from_json(json.loads(worker.stdout.readline())).classes == ["Warm"]
        (pid,) = _children(first.pid)
        os.kill(pid, signal.SIGKILL)
        assert copy.stdout.readline() == b""  # no answer: what modelgen._run_workers reports
        first.stdin.close()
        assert first.wait(timeout=60) == 1
    finally:
        copy.kill()
        first.kill()
        first.wait(timeout=60)
        for pipe in (first.stdin, first.stdout):
            pipe.close()


def test_a_spec_file_worth_sharing_out_starts_every_worker_ahead_and_a_small_one_only_its_first(
    monkeypatch, tmp_path
):
    asked: list[int] = []
    monkeypatch.setattr(workers, "prestart", lambda count, here=False: asked.append(count))
    monkeypatch.setattr(workers, "jobs", lambda: 2)
    small, big = tmp_path / "small.json", tmp_path / "big.json"
    small.write_text("{}")
    big.write_text(" " * workers.SHARE_BYTES)
    for first, path in [(True, small), (False, small), (True, big), (False, big)]:
        monkeypatch.setattr(workers, "_first_spec", first)
        workers.prestart_for(path)
    workers.prestart_for(tmp_path / "missing.json")  # unreadable: nothing started, no error
    assert asked == [1, 2, 2]
    monkeypatch.setattr(workers, "jobs", lambda: 1)  # one core (or a worker process): none ahead
    workers.prestart_for(big)
    assert asked == [1, 2, 2]
    # a group that runs in parts comes from a file at least that large: its workers are started
    assert workers.SHARE_BYTES <= modelgen.PARTITION_BYTES


def test_a_worker_warms_up_first_and_then_runs_what_it_is_given():
    import os

    proc = workers.spawn()
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(json.dumps([modelgen._WARM_UP, []]).encode() + b"\n")
    proc.stdin.flush()
    outcome = json.loads(proc.stdout.readline())
    assert modelgen.Module.from_json(outcome).classes == ["Warm"]
    # it yields to the process that started it (its warm-up is spent ahead, on a chance)
    assert os.getpriority(os.PRIO_PROCESS, proc.pid) == os.getpriority(os.PRIO_PROCESS, 0) + workers.NICE
    proc.stdin.close()
    assert proc.wait(timeout=60) == 0
    proc.stdout.close()
    released = workers.spawn()
    released.stdin.close()  # no tasks: it ends after its warm-up, quietly
    assert released.wait(timeout=60) == 0 and released.stdout.read() == b""
    released.stdout.close()


def test_tasks_are_built_as_workers_take_them_and_the_output_is_the_same(monkeypatch):
    """The runs' documents come from a generator, advanced when a worker is ready for the next task
    (so building a document overlaps the runs), one thread at a time."""
    monkeypatch.setattr(modelgen, "BATCH_BYTES", 0)  # a run per group
    expected = _models().generate("3.1.0")
    monkeypatch.setattr(modelgen, "PARALLEL_BYTES", 0)
    taken: list[int] = []
    original = modelgen._run_workers

    def spy(tasks, jobs):
        def counted():
            for index, group in tasks:
                taken.append(index)
                yield index, group

        return original(counted(), jobs)

    monkeypatch.setattr(modelgen, "_run_workers", spy)
    assert _models().generate("3.1.0", jobs=2) == expected
    assert taken == list(range(len(taken))) and len(taken) > 2  # each task once, in order


def test_a_worker_that_dies_is_one_clear_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(modelgen, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(
        workers, "spawn",
        lambda: subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], stdin=subprocess.PIPE, stdout=subprocess.PIPE),
    )  # fmt: skip
    with pytest.raises(RuntimeError, match=r"a model generator worker failed \(exit status 3\)"):
        _models().generate("3.1.0", jobs=2)
