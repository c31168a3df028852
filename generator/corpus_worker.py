"""One spec of `specgen corpus` (generator.corpus) in a process of its own: `python -m
generator.corpus_worker SPEC OUT` renders it, writes it and prints one JSON line of what came of it.

This module imports nothing else of specgen's before it has started the spec's model worker
(generator.workers): the model generator's warm-up is the longest wait of a small spec's run, so
it starts before the ~50 ms of imports that the corpus report itself needs (generator.corpus). The
spec's own operations are counted by the parent, outside the time this process is measured by.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator import workers


def main(spec: Path, out: Path) -> int:
    """Render and write one spec; print one JSON line. Raises only on a specgen bug (a crash)."""
    import json
    import time

    from generator.diagnostics import Level
    from generator.pipeline import StepTimes, render_spec, write_packages

    started = time.perf_counter()
    steps = StepTimes()
    result = render_spec(spec, strict=False, progress=steps)
    steps("", "done")
    if result.ok:
        write_packages(out, [result])
    seconds = time.perf_counter() - started
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    report = {
        "stem": result.stem,
        "generated": result.ok,
        "operations": result.operations if result.ok else 0,
        "typed_operations": result.typed_operations if result.ok else 0,
        "warnings": sum(1 for d in result.diagnostics if d.level is Level.WARNING),
        "degraded": sum(1 for d in result.diagnostics if d.rule == "degraded"),
        "seconds": seconds,
        "steps": steps.seconds,  # per step of render_spec ("models": datamodel-code-generator)
        "error": one_line(errors[0].format()) if errors else None,
    }
    print(json.dumps(report))
    return 0


def one_line(text: str, limit: int = 300) -> str:
    """`text` on one line, cut to `limit` characters: a cell of the corpus report."""
    return " ".join(text.split())[:limit]


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: python -m generator.corpus_worker SPEC OUT (use `specgen corpus` instead)", file=sys.stderr)
        raise SystemExit(2)
    workers.prestart_for(Path(sys.argv[1]), early=True)  # before the rest of specgen is imported
    from generator.cli import leave

    leave(main(Path(sys.argv[1]), Path(sys.argv[2])))
