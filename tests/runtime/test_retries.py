"""Retries: which requests are retried on what, how long the client waits, and per-call control."""

from __future__ import annotations

import email.utils
import itertools
import socket
import time

import httpx
import pytest

from .server import Reply, ScriptedServer

IDEMPOTENT_RETRY_STATUSES = [408, 429, 500, 502, 503, 504]


def gaps(server: ScriptedServer) -> list[float]:
    times = [r.time for r in server.received]
    return [b - a for a, b in itertools.pairwise(times)]


def test_429_with_retry_after_1_retries_once_after_at_least_1s(rt, server, make_api):
    server.reply(Reply(status=429, headers={"Retry-After": "1"}), Reply(body={"ok": True}))
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method="GET", path="/invoices"))
    assert len(server.received) == 2
    assert gaps(server)[0] >= 1.0


def test_retry_after_ms_is_honoured(rt, server, make_api):
    server.reply(Reply(status=503, headers={"retry-after-ms": "300", "Retry-After": "30"}), Reply())
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method="GET", path="/x"))
    assert len(server.received) == 2
    assert 0.3 <= gaps(server)[0] < 5  # the 300 ms, not Retry-After's 30 s


def test_post_answered_500_is_not_retried(rt, server, make_api, fast_backoff):
    server.reply(Reply(status=500), Reply())
    api = make_api(base_url=server.url)
    with pytest.raises(rt.InternalServerError):
        api.request(rt.RequestOptions(method="POST", path="/invoices", json={"n": 1}))
    assert len(server.received) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("status", [408, 500, 502, 504])
def test_non_idempotent_methods_are_not_retried_on_server_errors(rt, server, make_api, fast_backoff, method, status):
    server.reply(Reply(status=status), Reply())
    api = make_api(base_url=server.url)
    with pytest.raises(rt.APIStatusError):
        api.request(rt.RequestOptions(method=method, path="/x", json={}))
    assert len(server.received) == 1


def test_post_marked_idempotent_is_retried_like_get(rt, server, make_api, fast_backoff):
    server.reply(Reply(status=500), Reply(status=502), Reply(body={"id": "p1"}))
    api = make_api(base_url=server.url)
    options = rt.RequestOptions(method="POST", path="/payments", json={"amount": 1}, idempotent=True)
    api.request(options)
    assert [r.method for r in server.received] == ["POST"] * 3
    assert all(r.body == b'{"amount":1}' for r in server.received)


def test_get_marked_not_idempotent_is_not_retried_on_500(rt, server, make_api, fast_backoff):
    server.reply(Reply(status=500), Reply())
    api = make_api(base_url=server.url)
    with pytest.raises(rt.InternalServerError):
        api.request(rt.RequestOptions(method="GET", path="/x", idempotent=False))
    assert len(server.received) == 1


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
@pytest.mark.parametrize("status", IDEMPOTENT_RETRY_STATUSES)
def test_idempotent_methods_retry_on_retryable_statuses(rt, server, make_api, fast_backoff, method, status):
    server.reply(Reply(status=status), Reply())
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method=method, path="/x"))
    assert len(server.received) == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422, 501])
def test_get_is_not_retried_on_other_statuses(rt, server, make_api, fast_backoff, status):
    server.reply(Reply(status=status), Reply())
    api = make_api(base_url=server.url)
    with pytest.raises(rt.APIStatusError):
        api.request(rt.RequestOptions(method="GET", path="/x"))
    assert len(server.received) == 1


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_post_and_patch_retry_on_429_and_on_503_with_retry_after(rt, server, make_api, fast_backoff, method):
    server.reply(
        Reply(status=429),
        Reply(status=503, headers={"Retry-After": "0"}),
        Reply(body={"id": 1}),
    )
    api = make_api(base_url=server.url, max_retries=2)
    api.request(rt.RequestOptions(method=method, path="/x", json={}))
    assert len(server.received) == 3


def test_post_is_not_retried_on_503_without_retry_after(rt, server, make_api, fast_backoff):
    server.reply(Reply(status=503), Reply())
    api = make_api(base_url=server.url)
    with pytest.raises(rt.InternalServerError):
        api.request(rt.RequestOptions(method="POST", path="/x", json={}))
    assert len(server.received) == 1


def test_retry_after_beyond_60s_is_not_waited_for(rt, server, make_api, fast_backoff):
    server.reply(Reply(status=429, headers={"Retry-After": "120"}), Reply())
    api = make_api(base_url=server.url)
    with pytest.raises(rt.RateLimitError) as caught:
        api.request(rt.RequestOptions(method="GET", path="/x"))
    assert caught.value.response.headers["retry-after"] == "120"
    assert len(server.received) == 1


def test_default_max_retries_is_2_then_the_error_is_raised(rt, server, make_api, fast_backoff):
    server.reply(*[Reply(status=500)] * 5)
    api = make_api(base_url=server.url)
    with pytest.raises(rt.InternalServerError):
        api.request(rt.RequestOptions(method="GET", path="/x"))
    assert len(server.received) == 3


@pytest.mark.parametrize(("client_retries", "call_retries", "expected"), [(0, None, 1), (2, 0, 1), (0, 3, 4), (5, 1, 2)])
def test_max_retries_per_client_and_per_call(rt, server, make_api, fast_backoff, client_retries, call_retries, expected):
    server.reply(*[Reply(status=503)] * 6)
    api = make_api(base_url=server.url, max_retries=client_retries)
    with pytest.raises(rt.InternalServerError):
        api.request(rt.RequestOptions(method="GET", path="/x", max_retries=call_retries))
    assert len(server.received) == expected


def test_slow_server_raises_api_timeout_error_after_retrying_get(rt, server, make_api, fast_backoff):
    server.route = lambda received: Reply(delay=1.0)
    api = make_api(base_url=server.url, timeout=0.2, max_retries=1)
    with pytest.raises(rt.APITimeoutError) as caught:
        api.request(rt.RequestOptions(method="GET", path="/slow"))
    assert isinstance(caught.value, rt.APIConnectionError)
    assert isinstance(caught.value.__cause__, httpx.TimeoutException)
    assert len(server.received) == 2


def test_per_call_timeout_overrides_client_timeout(rt, server, make_api):
    server.route = lambda received: Reply(delay=0.5)
    api = make_api(base_url=server.url, timeout=30.0, max_retries=0)
    with pytest.raises(rt.APITimeoutError):
        api.request(rt.RequestOptions(method="GET", path="/slow", timeout=0.1))
    api.request(rt.RequestOptions(method="GET", path="/slow", timeout=httpx.Timeout(5.0)))
    assert len(server.received) == 2


def test_post_read_timeout_is_not_retried(rt, server, make_api, fast_backoff):
    # The server may have acted on a POST whose response never came: retrying could duplicate it.
    server.route = lambda received: Reply(delay=0.6)
    api = make_api(base_url=server.url, timeout=0.1)
    with pytest.raises(rt.APITimeoutError):
        api.request(rt.RequestOptions(method="POST", path="/invoices", json={}))
    assert len(server.received) == 1


# Transport errors, with httpx.MockTransport counting the attempts.


def mock_client(rt, kind, errors, **kwargs):
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]("boom", request=request)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(handler)
    if kind == "sync":
        client = rt.SyncAPIClient(base_url="https://api.example.com", http_client=httpx.Client(transport=transport), **kwargs)
    else:
        client = rt.AsyncAPIClient(base_url="https://api.example.com", http_client=httpx.AsyncClient(transport=transport), **kwargs)
    return client, calls


async def call(rt, client, options):
    spec = rt.ResponseSpec(success=dict)
    if isinstance(client, rt.AsyncAPIClient):
        return await client.request(options, spec)
    return client.request(options, spec)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    ("method", "idempotent", "error", "retried"),
    [
        ("GET", None, httpx.ConnectError, True),
        ("GET", None, httpx.ReadTimeout, True),
        ("GET", None, httpx.ReadError, True),
        ("GET", None, httpx.RemoteProtocolError, True),
        ("DELETE", None, httpx.WriteError, True),
        ("POST", None, httpx.ConnectError, True),
        ("POST", None, httpx.ConnectTimeout, True),
        ("POST", None, httpx.PoolTimeout, True),
        ("POST", None, httpx.ReadTimeout, False),
        ("POST", None, httpx.ReadError, False),
        ("PATCH", None, httpx.WriteTimeout, False),
        ("PATCH", None, httpx.RemoteProtocolError, False),
        ("POST", True, httpx.ReadTimeout, True),
        ("GET", None, httpx.UnsupportedProtocol, False),
    ],
)
async def test_transport_errors(rt, fast_backoff, kind, method, idempotent, error, retried):
    client, calls = mock_client(rt, kind, [error])
    options = rt.RequestOptions(method=method, path="/x", idempotent=idempotent)
    if retried:
        assert await call(rt, client, options) == {}
        assert len(calls) == 2
    else:
        expected = rt.APITimeoutError if issubclass(error, httpx.TimeoutException) else rt.APIConnectionError
        with pytest.raises(expected) as caught:
            await call(rt, client, options)
        assert type(caught.value) is expected
        assert len(calls) == 1


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_connection_errors_exhaust_retries(rt, fast_backoff, kind):
    client, calls = mock_client(rt, kind, [httpx.ConnectError] * 5, max_retries=2)
    with pytest.raises(rt.APIConnectionError) as caught:
        await call(rt, client, rt.RequestOptions(method="GET", path="/x"))
    assert type(caught.value) is rt.APIConnectionError
    assert len(calls) == 3


def test_refused_connection_to_real_port_is_connection_error(rt, fast_backoff):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"  # bound, never listening
    client = rt.SyncAPIClient(base_url=url, max_retries=1)
    with pytest.raises(rt.APIConnectionError):
        client.request(rt.RequestOptions(method="GET", path="/x"), rt.ResponseSpec(body="none"))


# The waits the client computes.


def test_backoff_is_exponential_with_jitter_and_capped(rt):
    for retries_done in range(8):
        ceiling = min(0.5 * 2**retries_done, 8.0)
        for _ in range(50):
            delay = rt.retry.backoff(retries_done)
            assert 0.75 * ceiling <= delay <= ceiling
    assert max(rt.retry.backoff(10) for _ in range(50)) <= 8.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "soon", "Retry-After": "9"}, 9.0),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "whenever"}, None),
        ({}, None),
    ],
)
def test_parse_retry_after(rt, headers, expected):
    assert rt.parse_retry_after(httpx.Headers(headers)) == expected


def test_parse_retry_after_http_date(rt):
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    past = email.utils.formatdate(time.time() - 30, usegmt=True)
    assert 28 <= rt.parse_retry_after(httpx.Headers({"Retry-After": future})) <= 30
    assert rt.parse_retry_after(httpx.Headers({"Retry-After": past})) == 0.0


def test_client_waits_what_an_http_date_retry_after_asks(rt, server, make_api, monkeypatch):
    waits: list[float | None] = []
    real = rt.base_client.response_retry_delay

    def record(response, idempotent, retries_done):
        delay = real(response, idempotent, retries_done)
        waits.append(delay)
        return 0.0 if delay is not None else None

    monkeypatch.setattr(rt.base_client, "response_retry_delay", record)
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    server.reply(Reply(status=429, headers={"Retry-After": when}), Reply())
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method="POST", path="/x", json={}))
    assert len(server.received) == 2
    assert waits[0] is not None and 18 <= waits[0] <= 20
