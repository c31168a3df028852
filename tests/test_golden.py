"""Golden files: the package rendered from tests/fixtures/petstore.yaml must match tests/golden/petstore/
byte for byte. After an intended change to the generator or the templates, run `make golden` and
review the diff of tests/golden/ like any other change.

The verbatim runtime copies (templates/runtime/*.py), the generated tests/ folder and the
`.specgen-hash` stamp (a digest of the generator's own sources) are not part of the golden set.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path, PurePosixPath

from generator.pipeline import HASH_FILE, render_spec
from generator.render import RUNTIME
from tests.conftest import FIXTURES

PETSTORE = FIXTURES / "petstore.yaml"
GOLDEN = Path(__file__).resolve().parent / "golden" / "petstore"
UPDATE = os.environ.get("SPECGEN_UPDATE_GOLDEN") == "1"


def _in_golden_set(rel: PurePosixPath) -> bool:
    runtime_names = {f.name for f in RUNTIME.glob("*.py")}
    if rel.name == HASH_FILE or (rel.parts and rel.parts[0] == "tests"):
        return False
    # A runtime copy sits directly in the import package: <stem>_client/_base_client.py.
    return not (len(rel.parts) == 2 and rel.name in runtime_names)


def _rendered() -> dict[str, str]:
    result = render_spec(PETSTORE, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    files: dict[str, str] = {}
    for path, text in result.files.items():
        rel = path.relative_to(result.stem)  # petstore/README.md -> README.md
        if _in_golden_set(rel):
            files[rel.as_posix()] = text
    return files


def _golden() -> dict[str, str]:
    if not GOLDEN.is_dir():
        return {}
    return {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        # Tools drop caches here (ruff: .ruff_cache beside the package's pyproject.toml).
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(GOLDEN).parts)
    }


def _rewrite(files: dict[str, str]) -> None:
    for stale in set(_golden()) - set(files):
        (GOLDEN / stale).unlink()
    for rel, text in files.items():
        target = GOLDEN / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    for folder in sorted((p for p in GOLDEN.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        if not any(folder.iterdir()) and not folder.name.startswith("."):
            folder.rmdir()


def test_golden_set_is_the_hand_reviewable_part() -> None:
    names = set(_rendered())
    assert {"README.md", "pyproject.toml", "petstore_client/__init__.py", "petstore_client/_client.py",
            "petstore_client/models/__init__.py", "petstore_client/resources/__init__.py",
            "petstore_client/resources/pets.py"} <= names
    assert not any(n.startswith("tests/") or n.endswith(HASH_FILE) for n in names)
    assert "petstore_client/_base_client.py" not in names


def test_petstore_matches_golden_files() -> None:
    rendered = _rendered()
    if UPDATE:
        _rewrite(rendered)
    golden = _golden()
    hint = "run `make golden` to accept an intended change, then review the diff of tests/golden/"
    missing, stale = sorted(set(rendered) - set(golden)), sorted(set(golden) - set(rendered))
    assert not missing and not stale, f"golden files missing: {missing}, stale: {stale}; {hint}"
    for rel in sorted(rendered):
        if rendered[rel] != golden[rel]:
            diff = "".join(
                difflib.unified_diff(
                    golden[rel].splitlines(keepends=True),
                    rendered[rel].splitlines(keepends=True),
                    fromfile=f"tests/golden/petstore/{rel}",
                    tofile=f"rendered/{rel}",
                )
            )
            raise AssertionError(f"{rel} differs from its golden file; {hint}\n{diff}")
