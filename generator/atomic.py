"""Files written whole or not at all, for the caches: a concurrent reader never sees half an entry."""

from __future__ import annotations

import os
import tempfile
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
