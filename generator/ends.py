"""Work shared with a second process: a list of files, from its two ends (Helper, mapped); one call
(Call).

This process takes files from the front and a helper (`python -m generator.ends`) from the back;
a file is taken by creating `<file>.claim` exclusively, so the two meet wherever their speeds put
them and no file is done twice. The helper writes each result to `<file>.out`, read here once it
has ended. Nothing crosses a pipe but the list of files: a thread feeding or reading a pipe while
this one computes waits for the GIL at every 64 KB (GitHub's black fix-ups: 4 MB each way made two
processes slower than one).

A helper is a fresh interpreter, as the model workers are: a fork would count this process's pages
as its own memory.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from generator.workers import FORK, disallow_parallel, fork, jobs, start

# A folder in memory (Linux), for scratch files: on a disk, a file truncated and rewritten gets new
# blocks (ext4), and deleting 240 of them took 0.3-0.8 s on a disk mounted with `discard`.
_MEMORY = Path("/dev/shm")


@contextlib.contextmanager
def scratch(size: int) -> Iterator[Path]:
    """A temporary folder for `size` bytes of files: in memory when there is room."""
    folder = _MEMORY if _room_in_memory(4 * size) else None
    try:
        context = tempfile.TemporaryDirectory(prefix="specgen-", dir=folder)
    except OSError:  # not expected (it had room): the system's temporary folder then
        context = tempfile.TemporaryDirectory(prefix="specgen-")
    with context as name:
        yield Path(name)


def _room_in_memory(size: int) -> bool:
    try:
        stat = os.statvfs(_MEMORY)
    except (OSError, AttributeError):  # no such folder; no statvfs (Windows)
        return False
    return os.access(_MEMORY, os.W_OK | os.X_OK) and stat.f_bavail * stat.f_frsize > size


def mapped(function: Callable[[str], Any], texts: list[str], parallel_bytes: int) -> list[Any]:
    """function(text) of each text (a JSON value), shared with a helper when there are
    `parallel_bytes` of text or more and this process may start one (generator.workers.jobs)."""
    size = sum(map(len, texts))
    if size < parallel_bytes or jobs() < 2:
        return [function(text) for text in texts]
    with scratch(size) as folder:
        paths = [folder / f"{i}.txt" for i in range(len(texts))]
        for path, text in zip(paths, texts, strict=True):
            path.write_text(text, encoding="utf-8", newline="")
        helper = Helper(f"{function.__module__}:{function.__name__}")
        try:
            return helper.map(paths)
        finally:
            helper.close()


def _function(target: str) -> Callable[[str], Any]:
    module, name = target.split(":")
    function: Callable[[str], Any] = getattr(importlib.import_module(module), name)
    return function


def read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as file:  # no newline translation
        return file.read()


def claim(path: Path) -> bool:
    """Whether this process has taken `path` (no other had): `<path>.claim` created exclusively."""
    try:
        os.close(os.open(f"{path}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def taken(paths: list[Path], order: Iterable[int], function: Callable[[str], Any]) -> Iterator[tuple[int, Any]]:
    """(i, function(text of paths[i])) for each i of `order` that this process takes (claim); it
    stops at the first file the other process took."""
    for i in order:
        if not claim(paths[i]):
            return
        yield i, function(read(paths[i]))


class Helper:
    """A helper process for `target` ("module:function", a function of one text to a JSON value),
    started now so that its imports are done by the time `map` gives it files."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.proc = spawn("generator.ends", target)

    def map(self, paths: list[Path]) -> list[Any]:
        """target(text of each file), the files shared with the helper (see the module docstring).
        Every file is done, whatever became of the helper."""
        function = _function(self.target)
        _tell(self.proc, json.dumps([str(p) for p in paths]).encode())  # if it died, this process does it all
        mine = dict(taken(paths, range(len(paths)), function))
        helped = self.proc.wait() == 0  # else a file it wrote may be cut short
        results = []
        for i, path in enumerate(paths):
            if i in mine:
                results.append(mine[i])
                continue
            out = Path(f"{path}.out")
            done = helped and out.is_file()
            results.append(json.loads(out.read_bytes()) if done else function(read(path)))
        return results

    def close(self) -> None:
        """End a helper `map` was not called for."""
        stop(self.proc)


class Call:
    """target(*args) in a fresh interpreter started now, so that its imports are done while this
    process goes on: `give` hands it the arguments (pickled, in a scratch file), `result` waits for
    what it returned, or None when it failed (the caller then does the work itself). It may start
    no processes of its own (generator.workers.disallow_parallel): this one is busy too."""

    def __init__(self, target: str, warm: tuple[str, ...] = ()) -> None:
        """`warm`: modules the call imports on its way (the child imports them ahead too)."""
        self._stack = contextlib.ExitStack()
        self.folder = self._stack.enter_context(scratch(0))
        self.proc = spawn("generator.ends", target, str(self.folder), *warm)

    def give(self, *args: Any) -> None:
        (self.folder / "args.pickle").write_bytes(pickle.dumps(args, protocol=pickle.HIGHEST_PROTOCOL))
        _tell(self.proc, b"go")  # if it died, result() says so

    def result(self) -> Any:
        try:
            if self.proc.wait() == 0:
                return pickle.loads((self.folder / "result.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            pass
        finally:
            self.close()
        return None

    def close(self) -> None:
        stop(self.proc)
        self._stack.close()


class Fork:
    """function(*args) in a child forked from this process now, so it has everything it needs already
    imported and built, and only its result crosses over (pickled, by a pipe): a spec's tests render
    and format there while this process renders and formats its code. `result` waits for it, or is
    None when the child failed; `started` is False where processes do not fork (generator.workers.FORK),
    this process may start none or has other threads: the caller then does the work itself. The
    child starts no workers of its own (this process is busy too) and leaves by os._exit, so nothing
    of this process (its atexit handlers, its buffers) runs twice.
    """

    def __init__(self, function: Callable[..., Any], *args: Any) -> None:
        self.pid: int | None = None
        self.pipe: IO[bytes] | None = None
        # not where this process may use no other (a worker), nor beside another thread of its: a
        # lock that one holds would be the child's forever
        if not FORK or jobs() < 2 or threading.active_count() > 1:
            return
        read_end, write_end = os.pipe()
        pid = fork()
        if pid == 0:  # pragma: no cover - the child (tests/test_ends.py sees what it sends)
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C: quietly; this process says it
                os.close(read_end)
                disallow_parallel()
                data = pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL)
                with open(write_end, "wb") as out:
                    out.write(data)
                code = 0
            except BaseException:  # noqa: BLE001, S110 - the caller does the work again, and fails as it should
                pass
            finally:
                os._exit(code)
        os.close(write_end)
        self.pid, self.pipe = pid, open(read_end, "rb")  # noqa: SIM115 - closed by result() or close()

    @property
    def started(self) -> bool:
        return self.pid is not None

    def result(self) -> Any:
        if self.pid is None or self.pipe is None:
            return None
        try:
            data = self.pipe.read()
            ok = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1]) == 0
            self.pid = None
            return pickle.loads(data) if ok else None
        except (OSError, pickle.UnpicklingError, EOFError):
            return None
        finally:
            self.close()

    def close(self) -> None:
        """End the child, done or not."""
        if self.pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = None
        if self.pipe is not None:
            self.pipe.close()
            self.pipe = None


def spawn(module: str, *args: str) -> subprocess.Popen[bytes]:
    """`python -m module *args`, a helper. What it prints or raises is not shown: what it fails on
    is done here again, and fails here as it should (split.chunked expects a SyntaxError from a
    chunk cut mid-statement)."""
    return start(module, *args, quiet=True)


def _tell(proc: subprocess.Popen[bytes], data: bytes) -> None:
    if proc.stdin is not None:
        with contextlib.suppress(OSError):  # it died
            proc.stdin.write(data)
            proc.stdin.close()


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop a helper, running or not."""
    if proc.poll() is None:
        proc.kill()
    with contextlib.suppress(OSError):
        if proc.stdin is not None:
            proc.stdin.close()
    proc.wait()


def _call(target: str, folder: Path, warm: list[str]) -> None:
    from generator.workers import disallow_parallel

    disallow_parallel()
    function = _function(target)
    for module in warm:
        importlib.import_module(module)
    if sys.stdin.buffer.read() != b"go":
        return
    args = pickle.loads((folder / "args.pickle").read_bytes())
    (folder / "result.pickle").write_bytes(pickle.dumps(function(*args), protocol=pickle.HIGHEST_PROTOCOL))


def _serve(target: str) -> None:
    function = _function(target)
    data = sys.stdin.buffer.read()
    if not data:
        return
    paths = [Path(name) for name in json.loads(data)]
    for i, value in taken(paths, reversed(range(len(paths))), function):
        Path(f"{paths[i]}.out").write_text(json.dumps(value), encoding="ascii")


if __name__ == "__main__":
    from generator.cli import leave

    if len(sys.argv) > 2:
        _call(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])
    else:
        _serve(sys.argv[1])
    leave(0)
