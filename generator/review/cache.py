"""Renders and lint results, cached by content: specgen's code plus the spec's name and text.

Rendering is most of the cost of a review (seconds per spec) and full validation most of the
rest; the base revision's renders are the same on every push of a branch, and unchanged specs lint
the same, so both are kept between runs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path, PurePosixPath

from generator.atomic import generator_digest, write_text  # the digest of .specgen-hash

Files = dict[PurePosixPath, str]


def key(kind: str, name: str, text: str) -> str:
    return hashlib.sha256(f"{generator_digest()}\0{kind}\0{name}\0{text}".encode()).hexdigest()


def get(folder: Path, cache_key: str) -> object | None:
    try:
        value: object = json.loads((folder / f"{cache_key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value


def put(folder: Path, cache_key: str, value: object) -> None:
    """Written atomically; a cache that cannot be written is only slower, never an error."""
    write_text(folder / f"{cache_key}.json", json.dumps(value, sort_keys=True))


def files_from(value: object) -> Files | None:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        return None
    return {PurePosixPath(str(k)): v for k, v in value.items()}


def files_to(files: Files) -> dict[str, str]:
    return {str(k): v for k, v in files.items()}
