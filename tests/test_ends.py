"""generator.ends: a list of files shared with a helper process, from the two ends."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from generator import ends

ROOT = Path(__file__).resolve().parent.parent


def _files(folder: Path, count: int) -> list[Path]:
    paths = [folder / f"{i}.txt" for i in range(count)]
    for i, path in enumerate(paths):
        path.write_text(json.dumps({"n": i}), encoding="utf-8")
    return paths


def test_the_helper_takes_files_from_the_end_and_writes_what_it_made(tmp_path: Path) -> None:
    paths = _files(tmp_path, 5)
    (tmp_path / "1.txt.claim").touch()  # this process has taken 0 and 1
    (tmp_path / "0.txt.claim").touch()
    done = subprocess.run(
        [sys.executable, "-m", "generator.ends", "json:loads"],
        input=json.dumps([str(p) for p in paths]).encode(), cwd=ROOT, check=True,
    )  # fmt: skip
    assert done.returncode == 0
    made = sorted(p.name for p in tmp_path.glob("*.out"))
    assert made == ["2.txt.out", "3.txt.out", "4.txt.out"]  # it stopped at the first file taken
    assert json.loads((tmp_path / "3.txt.out").read_text(encoding="ascii")) == {"n": 3}


def test_both_processes_work_and_every_result_is_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _files(tmp_path, 60)

    def slow(target: str) -> Any:  # this process only: the helper resolves its own
        def load(text: str) -> Any:
            time.sleep(0.02)
            return json.loads(text)

        return load

    helper = ends.Helper("json:loads")
    monkeypatch.setattr(ends, "_function", slow)
    results = helper.map(paths)
    helper.close()
    assert results == [{"n": i} for i in range(60)]
    helped = {int(p.name.split(".")[0]) for p in tmp_path.glob("*.out")}
    assert helped and 0 not in helped and max(helped) == 59  # it took some, from the end


def test_a_helper_that_died_leaves_all_the_work_here(tmp_path: Path) -> None:
    paths = _files(tmp_path, 4)
    helper = ends.Helper("json:loads")
    helper.proc.kill()
    helper.proc.wait()
    assert helper.map(paths) == [{"n": i} for i in range(4)]
    assert not list(tmp_path.glob("*.out"))


def test_mapped_gives_what_one_process_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [json.dumps([i, "x" * i]) for i in range(40)]
    alone = ends.mapped(json.loads, texts, parallel_bytes=10**9)
    monkeypatch.setattr(ends, "jobs", lambda: 2)
    assert ends.mapped(json.loads, texts, parallel_bytes=0) == alone == [json.loads(t) for t in texts]
    raw = [f"line {i}\r\nnext\rlast é\n" for i in range(40)]  # read and written as they are
    assert ends.mapped(str, raw, parallel_bytes=0) == raw


def test_a_call_runs_in_its_own_process_and_a_failed_one_says_none() -> None:
    call = ends.Call("json:dumps")
    call.give({"b": [1, "é"]})
    assert call.result() == json.dumps({"b": [1, "é"]})
    assert not call.folder.exists()  # its scratch folder is gone
    failed = ends.Call("json:loads")
    failed.give("not json")
    assert failed.result() is None  # the caller then does the work itself
    unused = ends.Call("json:dumps")
    unused.close()  # never given its arguments: ended
    assert unused.proc.returncode is not None


def _pid_and(value: Any) -> tuple[int, Any]:
    import os

    return os.getpid(), value


def _fails() -> None:
    raise ValueError("no")


@pytest.mark.skipif(not ends.FORK, reason="processes fork on Linux only")
def test_a_fork_runs_in_a_child_that_has_what_this_process_has_and_a_failed_one_says_none() -> None:
    import os
    import threading

    if threading.active_count() > 1:
        pytest.skip("an earlier test left a thread running in this process")
    state = {"built": list(range(3))}  # not passed: the child has it already
    fork = ends.Fork(lambda: _pid_and(state["built"]))
    assert fork.started
    pid, value = fork.result()
    assert pid != os.getpid() and value == [0, 1, 2]
    assert ends.Fork(_fails).result() is None  # the caller then does the work itself
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread might hold a lock the child would need: no fork then
        assert not ends.Fork(_pid_and, 1).started
    finally:
        stop.set()
        other.join()


def test_where_processes_do_not_fork_a_fork_is_not_started(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ends, "FORK", False)
    fork = ends.Fork(_pid_and, 1)
    assert not fork.started and fork.result() is None
