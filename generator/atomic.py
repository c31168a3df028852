"""Files written whole or not at all, for the caches: a concurrent reader never sees half an entry."""

from __future__ import annotations

import hashlib
import os
import sys
import tempfile
from functools import cache
from pathlib import Path


def write_text(path: Path, text: str) -> bool:
    """`text` into `path` through a temporary file renamed into place (newlines as given). False
    when it cannot be written (a read-only or full disk): a cache is then only slower."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, scratch = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as file:
                file.write(text)
            os.replace(scratch, path)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
    except (OSError, UnicodeEncodeError):
        return False
    return True


class TextCache:
    """Texts by the digest of a key text and a salt (whatever else decides the value: the code
    that computes it, versions), one file each under `folder`, written atomically; an entry that
    cannot be read is a miss."""

    def __init__(self, folder: Path, salt: bytes) -> None:
        self.folder = folder
        self.salt = hashlib.sha256(salt).hexdigest().encode() + b"\0"

    def _path(self, key: str) -> Path:
        digest = hashlib.sha256(self.salt + key.encode("utf-8", "surrogatepass")).hexdigest()
        return self.folder / digest[:2] / digest

    def get(self, key: str) -> str | None:
        try:
            with self._path(key).open(encoding="utf-8", newline="") as file:
                return file.read()
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, value: str) -> None:
        write_text(self._path(key), value)


def code_salt(*files: str) -> bytes:
    """A TextCache salt for values that the code of `files` computes (with Python's own parser)."""
    return "\0".join([str(sys.version_info[:2]), *(Path(f).read_text(encoding="utf-8") for f in files)]).encode()


@cache
def generator_digest() -> str:
    """Hash of everything besides the spec that decides the output: generator code and templates."""
    return tree_digest(Path(__file__).resolve().parent.parent)


def tree_digest(root: Path) -> str:
    """generator_digest of the checkout at `root`: its code, its templates, and the pinned
    versions (datamodel-code-generator, ruff and exrex write part of the output)."""
    from generator import __version__

    digest = hashlib.sha256(__version__.encode())
    for folder in (root / "generator", root / "templates"):
        for file in sorted(folder.rglob("*")):
            if file.is_file() and file.suffix in (".py", ".j2") and "__pycache__" not in file.parts:
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(file.read_bytes())
    lock = root / "requirements.lock"
    if lock.is_file():
        digest.update(b"requirements.lock\0" + lock.read_bytes())
    return digest.hexdigest()
