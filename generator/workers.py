"""The processes a generate may use besides its own: how many, and the model generator's workers
(`python -m generator.modelgen`, see generator.modelgen._serve) started ahead of their tasks.

A worker warms up (imports datamodel-code-generator and builds its classes, ~0.8 s) before it
reads a task, so one started as early as possible has that done by the time the spec is loaded,
validated and built; where processes fork, the workers after the first are its copies, forked
once it is warm (Forked). This module imports nothing of specgen's, so that an entry point can
start one before importing the rest (`specgen generate` of one spec file, the corpus worker).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import IO

# A spec file this large is a large spec (GitHub 5.6 MB, Stripe 2.4 MB): its models split and its
# tests render in processes of their own (generator.pipeline).
PRESTART_BYTES = 1_000_000
# A spec file this large may have models enough to share out (adyen's 242 KB: one 199 KB group, in
# parts; velopayments' 521 KB: 149 KB in two runs; qualpay's 116 KB: 85 KB in four runs): all its
# workers start ahead (adyen 3.98 -> 3.45 s, median of 10, when each one warmed up; forked, 2.91 ->
# 2.59 s). It is at most generator.modelgen.PARTITION_BYTES, so that a group run in parts always
# has them. Any other spec gets one, if it is the first spec of this process: running the
# generator here would pay its warm-up after loading, validating and building instead of during
# them. A later spec runs it here, already imported.
SHARE_BYTES = 100_000

# A worker runs at this much lower a priority than the process that started it: its warm-up is
# spent ahead, on a chance, and should not slow the loading and building this process does
# meanwhile (a one-schema change to GitHub needs one worker for one small run, not two warm-ups).
NICE = 5

_parallel_allowed = True
_first_spec = True
_started: list[Worker] = []  # started ahead, waiting for their tasks


def disallow_parallel() -> None:
    """Called in worker processes (several specs at once), which must not start processes of their own."""
    global _parallel_allowed
    _parallel_allowed = False


def workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def jobs() -> int:
    """Processes a step of this process may use: 1 in a worker (disallow_parallel)."""
    return workers() if _parallel_allowed else 1


def prestart_for(path: Path, *, early: bool = False) -> None:
    """Start the model workers the spec at `path` is worth, if this process may (see SHARE_BYTES).
    Called again for the same spec, it starts no more. `early`: called by an entry point first thing,
    with one thread and little imported, so the first worker may be forked from this process."""
    global _first_spec
    first, _first_spec = _first_spec, False
    try:
        shared = path.stat().st_size >= SHARE_BYTES
    except OSError:
        return
    if jobs() > 1 and (shared or first):
        prestart(jobs() if shared else 1, here=early)


def is_large(path: Path) -> bool:
    """Whether the spec file at `path` is PRESTART_BYTES or more (raises OSError when unreadable)."""
    return path.stat().st_size >= PRESTART_BYTES


def prestart(count: int, *, here: bool = False) -> None:
    """Have `count` workers started ahead; generator.modelgen takes them for its next runs, even for
    one small task (the generator is then never imported here). Those it does not take are released
    when it ends, or at exit. Where processes fork (Linux), one is started and the others are forked
    from it once it is warm (Forked); with `here` (prestart_for's `early`), that first one is forked
    from this process too."""
    if not _started:
        atexit.register(release)  # once per batch of workers: release() empties the list
    while len(_started) < count:
        fork = FORK and not _started
        first, forked = spawn_with(count - len(_started) - 1 if fork else 0, here=here and fork)
        _started.append(first)
        _started.extend(forked)


# Whether a worker's copies are forked from it once it is warm, rather than each started afresh: a
# warm-up is ~1 s of a core (importing datamodel-code-generator and building its classes), and two
# at once take the cores the first runs need (adyen: its models came ~0.3 s later). Linux only: a
# fork of a process that has loaded system frameworks is unsafe on macOS, and Windows has none.
FORK = sys.platform.startswith("linux")


def spawn() -> subprocess.Popen[bytes]:
    return start("generator.modelgen")


def spawn_with(forks: int, *, here: bool = False) -> tuple[Worker, list[Forked]]:
    """A worker, and `forks` workers it forks once warm, each talking over pipes made here: their
    ends go to it by number (generator.modelgen._serve), and it hands them on to its copies. With
    `here`, the first is forked from this process rather than started (_fork_first)."""
    if forks <= 0 and not here:
        return spawn(), []
    pipes = [(os.pipe(), os.pipe()) for _ in range(forks)]  # (its input, its output) for each copy
    theirs = [fd for (read_in, _), (_, write_out) in pipes for fd in (read_in, write_out)]
    ours = [fd for (_, write_in), (read_out, _) in pipes for fd in (write_in, read_out)]
    try:
        first: Worker = (
            _fork_first(theirs, ours) if here else start("generator.modelgen", *map(str, theirs), pass_fds=theirs)
        )
    except BaseException:
        for fd in theirs + ours:
            os.close(fd)
        raise
    for fd in theirs:  # the copies hold them now (or, until it forks, the first worker)
        os.close(fd)
    return first, [Forked(write_in, read_out) for (_, write_in), (read_out, _) in pipes]


def fork() -> int:
    """os.fork(), with this process's buffered output written first: else parent and child would
    each write it."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    return os.fork()


def _fork_first(theirs: list[int], ours: list[int]) -> Forked:
    """The first worker, forked from this process while it has imported next to nothing (an entry
    point, first thing): no interpreter to start and no site to import (~50 ms of a small spec's
    wait for its models). It serves on pipes of its own, and leaves by os._exit, so that nothing of
    this process (its atexit handlers, its buffers) runs or is written twice."""
    (read_in, write_in), (read_out, write_out) = os.pipe(), os.pipe()
    pid = fork()
    if pid == 0:  # pragma: no cover - the child (its work is tested through the worker it becomes)
        code = 1
        try:
            os.dup2(read_in, 0)
            os.dup2(write_out, 1)
            for fd in (read_in, write_in, read_out, write_out, *ours):
                os.close(fd)
            # new streams over the new pipes, held here too: the worker takes sys.stdout's buffer for
            # its answers and points sys.stdout elsewhere, which would close an unheld one
            streams = open(0, closefd=False), open(1, "w", closefd=False)  # noqa: SIM115
            sys.stdin, sys.stdout = streams
            from generator.modelgen import _serve

            code = _serve(theirs)
        except BaseException:  # noqa: BLE001 - reported, and its exit status says so
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(read_in)
    os.close(write_out)
    return Forked(write_in, read_out, pid)


class Forked:
    """A forked worker, known by its pipes (what generator.modelgen._run_workers uses of a
    subprocess.Popen). One forked from the first worker once it is warm is that worker's child, not
    this process's: it ends when its input does, and the first worker waits for it and fails if it
    failed. One forked from this process (`pid`) is waited for here."""

    def __init__(self, stdin: int, stdout: int, pid: int | None = None) -> None:
        self.stdin: IO[bytes] | None = open(stdin, "wb")  # noqa: SIM115 - closed by wait() or kill()
        self.stdout: IO[bytes] | None = open(stdout, "rb")  # noqa: SIM115
        self.pid = pid
        self.returncode: int | None = None

    def kill(self) -> None:
        """Its end, unwaited: this process's child is killed; another, with its input closed, leaves
        once it has its next line to read."""
        if self.returncode is None:
            if self.pid is not None:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            else:
                self.returncode = -signal.SIGKILL
        self._close()

    def wait(self, timeout: float | None = None) -> int:
        """Its exit status, once its input is closed and it has left: this process's child's own;
        for another, 0 once its output ends (what went wrong in it shows as a missing answer here
        and in the first worker's exit status)."""
        if self.returncode is None:
            if self.stdin is not None:
                self.stdin.close()
            if self.pid is not None:
                self.returncode = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
            else:
                if self.stdout is not None and not self.stdout.closed:
                    self.stdout.read()
                self.returncode = 0
        self._close()
        return self.returncode

    def communicate(self) -> tuple[bytes, bytes]:
        self.wait()
        return b"", b""

    def _close(self) -> None:
        for pipe in (self.stdin, self.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()


Worker = subprocess.Popen[bytes] | Forked  # what take() gives: started afresh, or forked


def start(
    module: str, *args: str, quiet: bool = False, pass_fds: Sequence[int] = ()
) -> subprocess.Popen[bytes]:
    """`python -m module *args`, a fresh interpreter of this environment (a fork would count this
    process's pages as its own memory), reading a pipe; what it prints comes back by a pipe, or with
    `quiet` is dropped (stderr too)."""
    out = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", module, *args], stdin=subprocess.PIPE, stdout=out,
        stderr=subprocess.DEVNULL if quiet else None, cwd=Path(__file__).resolve().parent.parent,
        pass_fds=tuple(pass_fds),
    )  # fmt: skip


def take() -> Worker:
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
