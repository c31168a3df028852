"""black, in-process and pinned: formatting is part of the output, so it decides determinism too."""

from __future__ import annotations

from pathlib import PurePosixPath

import black

_MODE = black.Mode(target_versions={black.TargetVersion.PY311}, line_length=100)


def format_files(files: dict[PurePosixPath, str]) -> tuple[dict[PurePosixPath, str], list[tuple[str, str]]]:
    formatted: dict[PurePosixPath, str] = {}
    errors: list[tuple[str, str]] = []
    for path, text in files.items():
        if path.suffix == ".py" and text.strip():
            try:
                text = black.format_str(text, mode=_MODE)
            except black.InvalidInput as exc:
                errors.append((str(path), str(exc).splitlines()[0][:200]))
            except black.NothingChanged:  # pragma: no cover - format_str does not raise it
                pass
        formatted[path] = text
    return formatted, errors
