"""What rendering keeps between runs (split/, shapes/ and tests/ of the cache): the same
answers as without a cache, only the changed part parsed again, and an entry that is damaged or
from other code a miss."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import generator.split as split_module
from generator import render_tests
from generator.atomic import TextCache, code_salt
from generator.schemas import class_shapes, root_annotations
from generator.split import split_models

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


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Chunks of a few lines (the module has many), and the texts of the chunks parsed."""
    monkeypatch.setattr(split_module, "CHUNK_LINES", 100)
    parsed: list[str] = []
    real = split_module._read_facts
    monkeypatch.setattr(split_module, "_read_facts", lambda text: parsed.append(text) or real(text))
    return parsed


def test_the_split_reads_back_what_it_parsed_and_parses_only_a_changed_chunk(
    tmp_path: Path, small_chunks: list[str]
) -> None:
    source = _source(100)
    plain = split_models(source)
    chunks = len(small_chunks)
    assert chunks > 10
    small_chunks.clear()
    cold = split_models(source, cache=tmp_path)
    assert (cold.sources, cold.module_of) == (plain.sources, plain.module_of) and len(small_chunks) == chunks
    small_chunks.clear()
    warm = split_models(source, cache=tmp_path)
    assert (warm.sources, warm.module_of) == (plain.sources, plain.module_of) and small_chunks == []
    # more lines in one class near the top: the chunks after it are cut where they were
    edited = _source(100, edited=3, extra_lines=11)
    changed = split_models(edited, cache=tmp_path)
    assert 1 <= len(small_chunks) <= 2 and "more 9" in small_chunks[0]
    fresh = split_models(edited)
    assert (changed.sources, changed.module_of) == (fresh.sources, fresh.module_of)
    assert "more 9" in changed.sources[changed.module_of["C3"]]


def test_a_damaged_split_entry_is_parsed_again_and_replaced(tmp_path: Path, small_chunks: list[str]) -> None:
    source = _source(30)
    expected = split_models(source)
    split_models(source, cache=tmp_path)
    entries = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    entries[0].write_text("not json", encoding="utf-8")
    entries[1].write_text('[["code", "one", 2, null, [], [], null]]', encoding="utf-8")  # JSON, not facts
    entries[2].write_bytes(b"\xff\xfe")
    small_chunks.clear()
    again = split_models(source, cache=tmp_path)
    assert (again.sources, again.module_of) == (expected.sources, expected.module_of)
    assert len(small_chunks) == 3
    small_chunks.clear()
    split_models(source, cache=tmp_path)
    assert small_chunks == []  # replaced


def test_the_cache_is_keyed_by_the_code_that_fills_it(tmp_path: Path, small_chunks: list[str]) -> None:
    source = _source(5)
    split_models(source, cache=tmp_path)
    small_chunks.clear()
    texts = [text for _, text in split_module._chunk_texts(source, split_module.CHUNK_LINES)]
    assert all(TextCache(tmp_path, code_salt(split_module.__file__)).get(t) for t in texts)
    assert not any(TextCache(tmp_path, b"other code").get(t) for t in texts)


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
    pruned = render_tests._prune(MODULE)
    assert "    Customer,\n)" in pruned and "Invoice,\n" not in pruned and "import datetime" not in pruned
    assert render_tests._prune(MODULE, store) == pruned
    monkeypatch.setattr(ast, "parse", lambda *a, **k: pytest.fail("parsed again"))
    assert render_tests._prune(MODULE, store) == pruned
    monkeypatch.undo()
    (entry,) = (p for p in tmp_path.rglob("*") if p.is_file())
    entry.write_text("Customer\nNotImported", encoding="utf-8")  # names the module does not import: a miss
    assert render_tests._prune(MODULE, store) == pruned
    assert entry.read_text(encoding="utf-8") == "Customer"
