"""The processes a generate may use besides its own: how many, and the model generator's workers
(`python -m generator.modelgen`, see generator.modelgen._serve) started ahead of their tasks.

A worker warms up (imports datamodel-code-generator and builds its classes, ~0.8 s) before it
reads a task, so one started as early as possible has that done by the time the spec is loaded,
validated and built. This module imports nothing of specgen's, so that an entry point can start
one before importing the rest (`specgen generate` of one spec file, the corpus worker).
"""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from pathlib import Path

# A spec file this large is a large spec (GitHub 5.6 MB, Stripe 2.4 MB): its models split and its
# tests render in processes of their own (generator.pipeline).
PRESTART_BYTES = 1_000_000
# A spec file this large may have models enough to share out (adyen's 242 KB: one 199 KB group, in
# parts; velopayments' 521 KB: 149 KB in two runs): all its workers start ahead, and the second
# one's warm-up runs on a core this process leaves idle while it waits for the models (adyen
# 3.98 -> 3.45 s, median of 10). It is generator.modelgen.PARTITION_BYTES, so that a group run in
# parts always has them. Any other spec gets one, if it is the first spec of this process:
# running the generator here would pay its warm-up after loading, validating and building instead
# of during them. A later spec runs it here, already imported.
SHARE_BYTES = 150_000

# A worker runs at this much lower a priority than the process that started it: its warm-up is
# spent ahead, on a chance, and should not slow the loading and building this process does
# meanwhile (a one-schema change to GitHub needs one worker for one small run, not two warm-ups).
NICE = 5

_parallel_allowed = True
_first_spec = True
_started: list[subprocess.Popen[bytes]] = []  # started ahead, waiting for their tasks


def disallow_parallel() -> None:
    """Called in worker processes (several specs at once), which must not start processes of their own."""
    global _parallel_allowed
    _parallel_allowed = False


def workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def jobs() -> int:
    """Processes a step of this process may use: 1 in a worker (disallow_parallel)."""
    return workers() if _parallel_allowed else 1


def prestart_for(path: Path) -> None:
    """Start the model workers the spec at `path` is worth, if this process may (see SHARE_BYTES).
    Called again for the same spec, it starts no more."""
    global _first_spec
    first, _first_spec = _first_spec, False
    try:
        shared = path.stat().st_size >= SHARE_BYTES
    except OSError:
        return
    if jobs() > 1 and (shared or first):
        prestart(jobs() if shared else 1)


def is_large(path: Path) -> bool:
    """Whether the spec file at `path` is PRESTART_BYTES or more (raises OSError when unreadable)."""
    return path.stat().st_size >= PRESTART_BYTES


def prestart(count: int) -> None:
    """Have `count` workers started ahead; generator.modelgen takes them for its next runs, even for
    one small task (the generator is then never imported here). Those it does not take are released
    when it ends, or at exit."""
    if not _started:
        atexit.register(release)  # once per batch of workers: release() empties the list
    while len(_started) < count:
        _started.append(spawn())


def spawn() -> subprocess.Popen[bytes]:
    return start("generator.modelgen")


def start(module: str, *args: str, quiet: bool = False) -> subprocess.Popen[bytes]:
    """`python -m module *args`, a fresh interpreter of this environment (a fork would count this
    process's pages as its own memory), reading a pipe; what it prints comes back by a pipe, or with
    `quiet` is dropped (stderr too)."""
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], stdin=subprocess.PIPE, stdout=out,
        stderr=subprocess.DEVNULL if quiet else None, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip


def take() -> subprocess.Popen[bytes]:
    """A worker: one started ahead, else a new one."""
    return _started.pop(0) if _started else spawn()


def waiting() -> int:
    """How many workers started ahead wait for tasks."""
    return len(_started)


def release() -> None:
    """End the workers started ahead and not taken; they may still be warming up, which is not
    worth waiting for."""
    while _started:
        proc = _started.pop()
        proc.kill()
        proc.communicate()
