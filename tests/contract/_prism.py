"""Prism mock servers for the contract tests: one `prism mock --errors` process per spec, started
in parallel on free loopback ports and stopped by PID."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRISM = ROOT / "node_modules" / ".bin" / "prism"
HOST = "127.0.0.1"
# A bound on a cold node start on a loaded machine; the failure message carries Prism's output.
STARTUP_LIMIT = 60.0
STOP_LIMIT = 10.0


class PrismUnavailable(RuntimeError):
    """node or the pinned Prism is not installed, or a Prism process did not come up."""


def check_installed() -> None:
    if shutil.which("node") is None:
        raise PrismUnavailable(
            "node is not on PATH: the contract tests need Node.js to run Prism "
            "(install Node.js 20+, then `make node_modules/.installed`)"
        )
    if not PRISM.exists():
        raise PrismUnavailable(
            f"{PRISM.relative_to(ROOT)} is missing: run `make node_modules/.installed` "
            "(npm ci of the pinned @stoplight/prism-cli in package-lock.json)"
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PrismServer:
    spec: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes]

    @property
    def base_url(self) -> str:
        # Prism routes paths relative to the spec's paths, ignoring the server URL's own path
        # (Notify's /v2): the base URL is the bare origin.
        return f"http://{HOST}:{self.port}"

    def output(self) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text[-4000:] or "(no output)"

    def accepts_connections(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.2):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_LIMIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_LIMIT)


def _launch(spec: Path, log_dir: Path) -> PrismServer:
    port = free_port()
    log = log_dir / f"prism-{spec.stem}.log"
    with log.open("wb") as sink:
        # Static examples (no -d); --errors answers a request violation with an error status
        # (the documented 400/422, else Prism's own 422) instead of a mocked success.
        process = subprocess.Popen(
            [str(PRISM), "mock", str(spec), "-h", HOST, "-p", str(port), "--errors"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return PrismServer(spec, port, log, process)


def start_all(specs: Iterable[Path], log_dir: Path) -> dict[str, PrismServer]:
    """Start one Prism per spec at once, then wait until every one accepts connections."""
    check_installed()
    servers = {spec.stem: _launch(spec, log_dir) for spec in specs}
    deadline = time.monotonic() + STARTUP_LIMIT
    pending = dict(servers)
    try:
        while pending:
            for stem, server in list(pending.items()):
                if server.accepts_connections():
                    del pending[stem]
                elif server.process.poll() is not None:
                    raise PrismUnavailable(
                        f"prism mock {server.spec.name} exited with status "
                        f"{server.process.returncode} before listening on port {server.port}:\n"
                        f"{server.output()}"
                    )
            if pending and time.monotonic() > deadline:
                stem, server = next(iter(pending.items()))
                raise PrismUnavailable(
                    f"prism mock {server.spec.name} did not accept connections on port "
                    f"{server.port} within {STARTUP_LIMIT:.0f} s:\n{server.output()}"
                )
            if pending:
                time.sleep(0.05)
    except BaseException:
        stop_all(servers.values())
        raise
    return servers


def stop_all(servers: Iterable[PrismServer]) -> None:
    for server in servers:
        server.stop()


class PrismPool:
    """Starts, on the first request, a Prism for every spec the selected tests use."""

    def __init__(self, wanted: set[str], log_dir: Path) -> None:
        self._wanted = wanted
        self._log_dir = log_dir
        self._servers: dict[str, PrismServer] = {}
        self._failure: str | None = None

    def base_url(self, stem: str) -> str:
        if self._failure is None and stem not in self._servers:
            missing = (self._wanted | {stem}) - set(self._servers)
            try:
                self._servers.update(
                    start_all(
                        [ROOT / "specs" / f"{s}.yaml" for s in sorted(missing)], self._log_dir
                    )
                )
            except PrismUnavailable as error:
                self._failure = str(error)
        if self._failure is not None:
            pytest.fail(self._failure, pytrace=False)
        return self._servers[stem].base_url

    def log(self, stem: str) -> str:
        server = self._servers.get(stem)
        return server.output() if server else ""

    def close(self) -> None:
        stop_all(self._servers.values())
