"""What rendering keeps between runs (shapes/ and tests/ of the cache): the same
answers as without a cache, only the changed part parsed again, and an entry that is damaged or
from other code a miss."""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import generator.split as split_module
from generator import ends, render, render_tests
from generator.atomic import TextCache
from generator.pipeline import render_spec
from generator.schemas import class_shapes, root_annotations

HEADER = "from __future__ import annotations\n\nfrom pydantic import BaseModel, ConfigDict, RootModel\n"


def _source(classes: int, edited: int | None = None, extra_lines: int = 0) -> str:
    """A models module of `classes` classes of different lengths, each referring to the one before;
    class `edited` with `extra_lines` more lines of docstring."""
    parts = [HEADER]
    for i in range(classes):
        lines = i % 5 + (extra_lines if i == edited else 0)
        doc = "\n".join([f'    """Class {i}.'] + [f"    more {n}" for n in range(lines)])
        refers = f"    previous: C{i - 1} | None = None\n" if i else ""
        parts.append(
            f"\n\nclass C{i}(BaseModel):\n{doc}\n    \"\"\"\n\n    model_config = ConfigDict(\n        extra='allow',\n    )\n"
            f"    value: int\n{refers}"
        )
    parts.append("\n\nclass Ids(RootModel[list[C0]]):\n    root: list[C0]\n")
    return "".join(parts)


def test_chunks_are_cut_where_the_text_says_so_an_edit_changes_only_its_own() -> None:
    def texts(source: str) -> list[str]:
        return [text for _, text in split_module._chunk_texts(source, 100)]

    before = texts(_source(100))
    assert len(before) > 10 and "".join(before) == _source(100) + "\n"
    after = texts(_source(100, edited=3, extra_lines=11))  # a count from the top would move every cut
    assert len([t for t in after if t not in before]) == 1


def test_the_resolver_reads_back_what_it_parsed_and_parses_only_a_changed_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split_module, "CHUNK_LINES", 100)
    parsed: list[str] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    source = _source(100)
    plain = class_shapes(source)
    chunks = len(parsed)
    assert class_shapes(source, tmp_path) == plain and len(parsed) == 2 * chunks
    parsed.clear()
    assert class_shapes(source, tmp_path) == plain and parsed == []
    edited = _source(100, edited=3, extra_lines=11)
    assert class_shapes(edited, tmp_path) == class_shapes(edited) and "more 9" in parsed[0]
    assert len(parsed) == 1 + chunks  # the changed chunk, then the whole without a cache


def test_class_shapes_read_back_give_the_same_shapes_and_root_annotations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split_module, "CHUNK_LINES", 20)
    source = _source(40) + "\n\nclass Pair(RootModel[list[C1 | Literal['a', 'b']]]):\n    root: list[C1 | Literal['a', 'b']]\n"
    plain = class_shapes(source)
    assert plain["Pair"].wrapped == "list[C1 | Literal['a', 'b']]" and plain["C3"].fields == 2
    assert class_shapes(source, tmp_path) == plain
    parsed: list[str] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    assert class_shapes(source, tmp_path) == plain and parsed == []
    for entry in tmp_path.rglob("*"):
        if entry.is_file():
            entry.write_text('[["C0", true]]', encoding="utf-8")  # JSON of the wrong shape: a miss
    assert class_shapes(source, tmp_path) == plain and parsed
    public = set(plain)
    assert root_annotations(plain, public) == {"Ids": "list[C0]", "Pair": "list[C1 | _t.Literal['a', 'b']]"}


MODULE = """from __future__ import annotations

import datetime as _dt
from example_client.models import (
    Customer,
    Invoice,
)


def test_one() -> None:
    value = Customer(name="Invoice")  # Invoice only in a string and a comment
"""


def test_the_model_imports_a_test_module_uses_are_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TextCache(tmp_path, b"salt")
    pruned = render_tests._pruned([MODULE])[0]
    assert "    Customer,\n)" in pruned and "Invoice,\n" not in pruned and "import datetime" not in pruned
    assert render_tests._pruned([MODULE], store)[0] == pruned
    monkeypatch.setattr(ast, "parse", lambda *a, **k: pytest.fail("parsed again"))
    assert render_tests._pruned([MODULE], store)[0] == pruned
    monkeypatch.undo()
    (entry,) = (p for p in tmp_path.rglob("*") if p.is_file())
    entry.write_text("Customer\nNotImported", encoding="utf-8")  # names the module does not import: a miss
    assert render_tests._pruned([MODULE], store)[0] == pruned
    assert entry.read_text(encoding="utf-8") == "Customer"



DATA_MODULE = """from __future__ import annotations

from example_client.models import (
    Customer,
    Invoice,
)

CREATE_REQUEST: _t.Any = {"kind": "Invoice", "total": 1}
CREATE_ITEMS: _t.Any = 2 * [{"id": "Customer"}]


def test_one() -> None:
    assert Customer.model_validate(CREATE_REQUEST)
"""


def test_a_data_constant_is_not_parsed_for_names_and_a_changed_sample_is_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    real = ast.parse
    monkeypatch.setattr(ast, "parse", lambda text, *a, **k: parsed.append(text) or real(text, *a, **k))
    store = TextCache(tmp_path, b"salt")
    pruned = render_tests._pruned([DATA_MODULE], store)[0]
    assert "    Customer,\n)" in pruned and "Invoice,\n" not in pruned
    assert len(parsed) == 1 and "CREATE_REQUEST: _t.Any" not in parsed[0] and "def test_one" in parsed[0]
    edited = DATA_MODULE.replace('"total": 1', '"total": 2')  # a sample changed, no code
    assert render_tests._pruned([edited], store)[0] == pruned.replace('"total": 1', '"total": 2')
    assert len(parsed) == 1  # read back: the sample is not part of what decides the imports


def test_a_constant_over_several_lines_keeps_every_import() -> None:
    module = DATA_MODULE.replace('CREATE_ITEMS: _t.Any = 2 * [{"id": "Customer"}]', "CREATE_ITEMS: _t.Any = [\n    Invoice,\n]")
    assert "    Customer,\n    Invoice,\n)" in render_tests._pruned([module])[0]  # not understood: nothing pruned

NOVICAP = Path(__file__).resolve().parent.parent / "specs" / "novicap.yaml"


def _spec(tmp_path: Path, name: str, edit: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """Novicap's spec, with its Supplier schema edited, as a public spec (not curated: no lint)."""
    data = yaml.safe_load(NOVICAP.read_text(encoding="utf-8"))
    if edit is not None:
        edit(data["components"]["schemas"]["Supplier"])
    path = tmp_path / name / "novicap.json"
    path.parent.mkdir()
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _described(schema: dict[str, Any]) -> None:
    schema["description"] = "A supplier (edited)."


def _extended(schema: dict[str, Any]) -> None:
    schema["properties"]["nickname"] = {"type": "string", "example": "Nick"}
    schema["required"] = [*schema.get("required", []), "nickname"]


def test_resource_and_test_modules_are_read_back_and_an_edit_renders_again_only_what_it_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ends, "FORK", False)  # the tests render here, where what renders is counted
    cache = tmp_path / "cache"
    first = render_spec(_spec(tmp_path, "first"), strict=False, cache_dir=cache)
    resources = {
        p.name.removeprefix("test_novicap_").removesuffix(".py")
        for p in first.files
        if p.parent.name == "tests" and p.name.startswith("test_novicap_") and p.name != "test_novicap_client.py"
    }
    tested: list[str] = []  # resources whose test module was rendered, not read back
    coded: list[str] = []  # resources whose module was rendered
    real_tests, real_imports = render_tests._resource_module, render.model_imports
    monkeypatch.setattr(
        render_tests, "_resource_module", lambda api, env, ctx, res, *a: tested.append(res.attr) or real_tests(api, env, ctx, res, *a)
    )
    monkeypatch.setattr(render, "model_imports", lambda res, names: coded.append(res.attr) or real_imports(res, names))
    again = render_spec(_spec(tmp_path, "again"), strict=False, cache_dir=cache)
    assert again.files == first.files and tested == [] and coded == []

    for name, edit in (("described", _described), ("extended", _extended)):
        tested.clear()
        edited = render_spec(_spec(tmp_path, name, edit), strict=False, cache_dir=cache)
        if edit is _described:
            assert tested == []  # the tests never print a schema's prose
        else:
            assert "dynamic_discounting_suppliers" in tested and set(tested) < resources
        cold = render_spec(_spec(tmp_path, name + "-cold", edit), strict=False, cache_dir=tmp_path / f"{name}-cache")
        assert edited.ok and edited.files == cold.files != first.files


def test_a_damaged_test_module_entry_is_a_miss(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = render_spec(_spec(tmp_path, "first"), strict=False, cache_dir=cache)
    entries = [p for p in (cache / "tests" / "modules").rglob("*") if p.is_file()]
    assert entries
    for entry in entries:
        entry.write_text('["only one"]', encoding="utf-8")
    assert render_spec(_spec(tmp_path, "again"), strict=False, cache_dir=cache).files == first.files


def test_what_the_tests_reach_is_read_without_prose_but_with_all_data() -> None:
    node = {
        "description": "dropped", "title": "dropped", "type": "object",
        "properties": {"title": {"type": "string", "description": "dropped"}},  # a property named title
        "example": {"title": "kept"}, "x-wire": {"description": "kept"}, "value": {"summary": "kept"},
        "allOf": [{"$comment": "dropped", "required": ["title"]}],
    }  # fmt: skip
    assert render_tests._without_prose(node) == {
        "type": "object",
        "properties": {"title": {"type": "string"}},
        "example": {"title": "kept"},
        "x-wire": {"description": "kept"},
        "value": {"summary": "kept"},
        "allOf": [{"required": ["title"]}],
    }


def test_the_generator_digest_follows_the_pinned_versions(tmp_path) -> None:
    """A new pin of datamodel-code-generator, ruff or exrex can change the output: the stamps
    must move with it, or `make check` would call stale output up to date."""
    import shutil

    from generator.atomic import generator_digest, tree_digest

    root = Path(__file__).resolve().parent.parent
    assert tree_digest(root) == generator_digest()
    for name in ("generator", "templates"):
        shutil.copytree(root / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(root / "requirements.lock", tmp_path / "requirements.lock")
    before = tree_digest(tmp_path)
    assert before == generator_digest()
    lock = tmp_path / "requirements.lock"
    lock.write_text(lock.read_text(encoding="utf-8").replace("exrex==0.12.0", "exrex==0.12.1"), encoding="utf-8")
    assert tree_digest(tmp_path) != before
