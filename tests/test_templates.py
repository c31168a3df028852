"""The compiled templates kept in templates/__pycache__ (generator.render._CompiledTemplates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from generator.render import _CompiledTemplates

TEMPLATE = "{% if true %}\n  x\n{% endif %}\n"


def _render(folder: Path, cache: Path, **options: Any) -> str:
    """A template rendered by a fresh environment, as a new process would."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        bytecode_cache=_CompiledTemplates(options, cache),
        **options,
    )
    return env.get_template("t.j2").render()


def test_a_kept_template_is_reused_until_its_source_changes(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("one {{ 1 + 1 }}\n", encoding="utf-8")
    cache = tmp_path / "__pycache__"
    assert _render(tmp_path, cache) == "one 2"
    assert len(list(cache.iterdir())) == 1
    (tmp_path / "t.j2").write_text("two {{ 2 + 2 }}\n", encoding="utf-8")
    assert _render(tmp_path, cache) == "two 4"


def test_environments_whose_options_compile_differently_do_not_share_entries(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text(TEMPLATE, encoding="utf-8")
    cache = tmp_path / "__pycache__"
    assert _render(tmp_path, cache, trim_blocks=True) == "  x\n"
    assert _render(tmp_path, cache) == "\n  x\n"
    assert len(list(cache.iterdir())) == 2


def test_a_cache_that_cannot_be_written_only_compiles_again(tmp_path: Path) -> None:
    (tmp_path / "t.j2").write_text("ok\n", encoding="utf-8")
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    assert _render(tmp_path, blocked / "__pycache__") == "ok"
