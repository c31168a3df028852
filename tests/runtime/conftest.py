"""Fixtures: the runtime copied into a throwaway package (as the generator copies it into each
client), a scripted loopback server, and a harness that drives the sync and async clients
through the same synchronous interface so every behaviour is checked on both."""

from __future__ import annotations

import asyncio
import functools
import importlib
import shutil
import ssl
import sys
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from .server import ScriptedServer

RUNTIME = Path(__file__).resolve().parents[2] / "templates" / "runtime"
PACKAGE = "rtpkg"
MODULES = tuple(sorted(p.stem for p in RUNTIME.glob("_*.py")))


@pytest.fixture(scope="session")
def rt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """Every public name of the runtime, plus each module by its name without underscore."""
    root = tmp_path_factory.mktemp("runtime")
    package = root / PACKAGE
    package.mkdir()
    for source in RUNTIME.glob("*.py"):
        shutil.copy(source, package / source.name)
    (package / "__init__.py").write_text("")
    sys.path.insert(0, str(root))
    try:
        names: dict[str, Any] = {}
        for module_name in MODULES:
            module = importlib.import_module(f"{PACKAGE}.{module_name}")
            names[module_name.lstrip("_")] = module
            names.update({name: getattr(module, name) for name in module.__all__})
        yield SimpleNamespace(**names)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


@pytest.fixture
def fast_backoff(rt: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """Backoff in milliseconds instead of seconds (Retry-After is still honoured as sent)."""
    monkeypatch.setattr(rt.retry, "INITIAL_RETRY_DELAY", 0.001)
    monkeypatch.setattr(rt.retry, "MAX_RETRY_DELAY", 0.004)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    srv = ScriptedServer().start()
    try:
        yield srv
    finally:
        srv.stop()


@functools.cache
def ssl_context() -> ssl.SSLContext:
    # Building an SSL context takes ~70 ms; one for the session keeps the suite fast.
    return httpx.create_ssl_context()


class Api:
    """A sync or async client behind one blocking interface."""

    def __init__(self, rt: SimpleNamespace, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        self.rt = rt
        self._own_http = "http_client" not in kwargs
        if self._own_http:
            factory = httpx.Client if kind == "sync" else httpx.AsyncClient
            kwargs["http_client"] = factory(verify=ssl_context())
        self.http_client = kwargs["http_client"]
        if kind == "sync":
            self.client = rt.SyncAPIClient(**kwargs)
            self._runner: asyncio.Runner | None = None
        else:
            # One loop for the client's whole life: its connection pool belongs to that loop.
            self._runner = asyncio.Runner()
            self.client = self._runner.run(self._make_async(kwargs))

    async def _make_async(self, kwargs: dict[str, Any]) -> Any:
        return self.rt.AsyncAPIClient(**kwargs)

    def run(self, awaitable: Any) -> Any:
        """Await something on the async client's loop."""
        assert self._runner is not None
        return self._runner.run(self._await(awaitable))

    @staticmethod
    async def _await(awaitable: Any) -> Any:
        return await awaitable

    def request(self, options: Any, spec: Any = None) -> Any:
        spec = spec if spec is not None else self.rt.ResponseSpec(body="none")
        if self._runner is None:
            return self.client.request(options, spec)
        return self._runner.run(self.client.request(options, spec))

    def items(self, options: Any, pagination: Any, item: Any, limit: int | None = None) -> list:
        """Items of the pager, stopping after `limit` items if given."""
        pager = self.client.paginate(options, pagination, item)
        if self._runner is None:
            out = []
            for value in pager:
                out.append(value)
                if limit is not None and len(out) >= limit:
                    break
            return out

        async def collect() -> list:
            out = []
            async for value in pager:
                out.append(value)
                if limit is not None and len(out) >= limit:
                    break
            return out

        return self._runner.run(collect())

    def pages(self, options: Any, pagination: Any, item: Any) -> list:
        pager = self.client.paginate(options, pagination, item)
        if self._runner is None:
            return list(pager.pages())

        async def collect() -> list:
            return [page async for page in pager.pages()]

        return self._runner.run(collect())

    def first_page(self, options: Any, pagination: Any, item: Any) -> Any:
        pager = self.client.paginate(options, pagination, item)
        if self._runner is None:
            return pager.first_page()
        return self._runner.run(pager.first_page())

    def close(self) -> None:
        if self._runner is None:
            self.client.close()
            if self._own_http:
                self.http_client.close()
        else:
            self._runner.run(self.client.aclose())
            if self._own_http:
                self._runner.run(self.http_client.aclose())
            self._runner.close()


@pytest.fixture(params=["sync", "async"])
def make_api(request: pytest.FixtureRequest, rt: SimpleNamespace) -> Iterator[Any]:
    """make_api(**client kwargs) -> Api of the parametrized kind; closed after the test."""
    made: list[Api] = []

    def make(**kwargs: Any) -> Api:
        api = Api(rt, request.param, **kwargs)
        made.append(api)
        return api

    yield make
    for api in made:
        api.close()
