"""Post-processing of datamodel-code-generator's output (generator/schemas.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

from generator.schemas import widen_literal_overrides

CHAIN = textwrap.dedent(
    """\
    from typing import Literal
    from pydantic import BaseModel, Field


    class Event(BaseModel):
        source_type: str


    class StatusChanged(Event):
        source_type: Literal["status_changed"] = Field(..., alias="sourceType")


    class Rejected(StatusChanged):
        source_type: Literal["rejected"] = Field(..., alias="sourceType")


    class Returned(Rejected):
        source_type: Literal["returned"]
        flag: Literal[True] = True
    """
)


def _literal(source: str, cls: str) -> str:
    tree = ast.parse(source)
    node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls)
    stmt = next(s for s in node.body if isinstance(s, ast.AnnAssign))
    return ast.unparse(stmt.annotation)


def test_base_literal_admits_every_subclass_value():
    out = widen_literal_overrides(CHAIN)
    assert _literal(out, "StatusChanged") == "Literal['status_changed', 'rejected', 'returned']"
    assert _literal(out, "Rejected") == "Literal['rejected', 'returned']"
    assert _literal(out, "Returned") == "Literal['returned']"
    assert _literal(out, "Event") == "str"  # not a Literal: a str already admits them


def test_the_widened_chain_passes_mypy_strict(tmp_path):
    (tmp_path / "before.py").write_text(CHAIN)
    (tmp_path / "after.py").write_text(widen_literal_overrides(CHAIN))
    cmd = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file="]
    before = subprocess.run([*cmd, "before.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    after = subprocess.run([*cmd, "after.py"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert before.returncode == 1 and "incompatible" in before.stdout.lower(), before.stdout
    assert after.returncode == 0, after.stdout


def test_source_without_overrides_is_untouched():
    plain = "from typing import Literal\n\n\nclass A:\n    kind: Literal['a']\n"
    assert widen_literal_overrides(plain) is plain
