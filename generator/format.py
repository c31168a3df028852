"""black, in-process and pinned: formatting is part of the output, so it decides determinism too.

black is most of the cost of a cold run (profiled: ~70 % of `make generate`), so files are
formatted in parallel when there is enough of them, and files copied verbatim from sources that
are kept black-clean (the runtime; see tests/runtime/test_static.py) are not formatted again.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import PurePosixPath

import black
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=100)

# Below this much Python a worker pool costs more than it saves.
_PARALLEL_BYTES = 400_000
_parallel_allowed = True


def disallow_parallel() -> None:
    """Called in worker processes, which must not start pools of their own."""
    global _parallel_allowed
    _parallel_allowed = False


def workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _format_one(text: str) -> tuple[str, str | None]:
    try:
        return black.format_str(text, mode=MODE), None
    except InvalidInput as exc:
        return text, str(exc).splitlines()[0][:200]


def format_files(
    files: dict[PurePosixPath, str], verbatim: Collection[PurePosixPath] = ()
) -> tuple[dict[PurePosixPath, str], list[tuple[str, str]]]:
    todo = [p for p, text in files.items() if p.suffix == ".py" and p not in verbatim and text.strip()]
    size = sum(len(files[p]) for p in todo)
    if _parallel_allowed and workers() > 1 and size >= _PARALLEL_BYTES:
        # Largest first, so the long files do not end up last on one worker.
        order = sorted(todo, key=lambda p: -len(files[p]))
        with ProcessPoolExecutor(workers(), mp_context=get_context("fork")) as pool:
            outcomes = dict(zip(order, pool.map(_format_one, [files[p] for p in order]), strict=True))
    else:
        outcomes = {p: _format_one(files[p]) for p in todo}
    formatted = dict(files)
    errors: list[tuple[str, str]] = []
    for path in todo:
        text, error = outcomes[path]
        formatted[path] = text
        if error is not None:
            errors.append((str(path), error))
    return formatted, errors
