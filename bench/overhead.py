"""Per-request overhead of the generated clients' runtime against raw httpx.

Both sides GET a 50-item JSON list from the same loopback server in the same process and parse
it with the same TypeAdapter[list[Model]]: raw `httpx.Client.get` + `validate_json`, against
`SyncAPIClient.request` (options merging, retry loop, logging checks, redaction set-up, error
mapping). Rounds are interleaved, alternating which side goes first, and the ratio is the median
of the per-round time ratios (target <= 1.15).

    python bench/overhead.py
"""

from __future__ import annotations

import importlib
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
from pydantic import BaseModel, TypeAdapter

RUNTIME = Path(__file__).resolve().parents[1] / "templates" / "runtime"
TARGET = 1.15
ROUNDS = 15
REQUESTS_PER_ROUND = 200
WARMUP = 100


class Invoice(BaseModel):
    id: str
    number: str
    customer: str
    total: float
    balance: float
    currency: str
    paid: bool
    tags: list[str]


PAYLOAD = json.dumps(
    [
        {
            "id": f"inv-{n:04d}",
            "number": f"1{n:04d}",
            "customer": "a0f0660d-6c8d-422b-8114-e363b260521e",
            "total": 480.0 + n,
            "balance": 330.5,
            "currency": "EUR",
            "paid": n % 2 == 0,
            "tags": ["q1", "export"],
        }
        for n in range(50)
    ]
).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    wbufsize = -1  # one write per response: no delayed-ACK stalls
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(PAYLOAD)))
        self.end_headers()
        self.wfile.write(PAYLOAD)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def _load_runtime(root: Path) -> ModuleType:
    """The runtime as the generator lays it out: copied into a package of its own."""
    package = root / "bench_rt"
    package.mkdir()
    for source in RUNTIME.glob("*.py"):
        shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    try:
        return importlib.import_module("bench_rt._base_client")
    finally:
        sys.path.remove(str(root))


def _timed(call: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        call()
    return time.perf_counter() - start


def run(rounds: int = ROUNDS, requests_per_round: int = REQUESTS_PER_ROUND) -> dict[str, Any]:
    """Measure both sides; returns requests/s of each and the overhead ratio."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    base_url = f"http://{host!s}:{port}"
    adapter = TypeAdapter(list[Invoice])
    with tempfile.TemporaryDirectory() as tmp:
        base = _load_runtime(Path(tmp))
        types = sys.modules["bench_rt._types"]
        raw_client = httpx.Client()
        client = base.SyncAPIClient(base_url=base_url + "/v2", auth_headers={"Authorization": "Bearer k"})
        options = types.RequestOptions(method="GET", path="/invoices")
        spec = types.ResponseSpec(operation="listInvoices", success=list[Invoice])
        url = base_url + "/v2/invoices"

        def raw_call() -> list[Invoice]:
            response = raw_client.get(url, headers={"Authorization": "Bearer k"})
            return adapter.validate_json(response.content)

        def runtime_call() -> list[Invoice]:
            result: list[Invoice] = client.request(options, spec)
            return result

        assert raw_call() == runtime_call()
        _timed(raw_call, WARMUP)
        _timed(runtime_call, WARMUP)
        raw_times: list[float] = []
        runtime_times: list[float] = []
        for round_number in range(rounds):
            sides = [(raw_call, raw_times), (runtime_call, runtime_times)]
            for call, times in sides if round_number % 2 == 0 else reversed(sides):
                times.append(_timed(call, requests_per_round))
        raw_client.close()
        client.close()
        sys.modules.pop("bench_rt", None)
        for name in [m for m in sys.modules if m.startswith("bench_rt.")]:
            del sys.modules[name]
    server.shutdown()
    server.server_close()
    ratio = statistics.median(r / w for r, w in zip(runtime_times, raw_times))
    return {
        "name": "runtime_overhead",
        "description": "SyncAPIClient.request vs raw httpx.Client.get, GET of a 50-item list, "
        "both parsed with TypeAdapter[list[Model]], same loopback server",
        "raw_httpx_rps": round(requests_per_round / statistics.median(raw_times), 1),
        "runtime_rps": round(requests_per_round / statistics.median(runtime_times), 1),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET,
        "meets_target": ratio <= TARGET,
        "rounds": rounds,
        "requests_per_round": requests_per_round,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
