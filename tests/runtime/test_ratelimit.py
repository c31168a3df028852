"""The client-side rate limit, counted by the server, across threads and across tasks."""

from __future__ import annotations

import asyncio
import random
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import ssl_context


def max_in_window(times: list[float], period: float) -> int:
    """The most requests that arrived within any window of `period` seconds."""
    times = sorted(times)
    best = 0
    end = 0
    for start in range(len(times)):
        while end < len(times) and times[end] < times[start] + period:
            end += 1
        best = max(best, end - start)
    return best


def test_max_in_window_counts_sliding_windows():
    assert max_in_window([0.0, 0.5, 0.99, 1.0, 1.2], 1.0) == 4
    assert max_in_window([0.0, 1.0, 2.0], 1.0) == 1
    assert max_in_window([], 1.0) == 0


def test_100_calls_from_8_threads_never_exceed_40_per_second(rt, server):
    client = rt.SyncAPIClient(base_url=server.url, rate_limit=(40, 1.0), http_client=httpx.Client(verify=ssl_context()))
    options = rt.RequestOptions(method="GET", path="/invoices")
    spec = rt.ResponseSpec(body="none")
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda _: client.request(options, spec), range(100)))
    times = [r.time for r in server.received]
    assert len(times) == 100
    assert max_in_window(times, 1.0) <= 40


async def test_100_calls_from_tasks_never_exceed_40_per_second(rt, server):
    async with httpx.AsyncClient(verify=ssl_context()) as http:
        client = rt.AsyncAPIClient(base_url=server.url, rate_limit=(40, 1.0), http_client=http)
        options = rt.RequestOptions(method="GET", path="/invoices")
        spec = rt.ResponseSpec(body="none")
        await asyncio.gather(*(client.request(options, spec) for _ in range(100)))
    times = [r.time for r in server.received]
    assert len(times) == 100
    assert max_in_window(times, 1.0) <= 40


def test_retries_pass_the_limiter_too(rt, server, fast_backoff):
    from .server import Reply

    server.reply(*[Reply(status=503)] * 2)
    client = rt.SyncAPIClient(base_url=server.url, rate_limit=(2, 1.0), http_client=httpx.Client(verify=ssl_context()))
    client.request(rt.RequestOptions(method="GET", path="/x"), rt.ResponseSpec(body="none"))
    times = [r.time for r in server.received]
    assert len(times) == 3
    assert times[2] - times[0] >= 1.0  # the third attempt waited for the window


# The window itself, on a fake clock.


def test_window_admits_n_then_waits_for_a_finished_slot_to_expire(rt):
    window = rt.ratelimit._Window(2, 1.0)
    assert window.try_take(0.0) == 0.0
    assert window.try_take(0.1) == 0.0
    assert window.try_take(0.2) is None  # both in flight: wait for a release
    window.release(0.5)
    assert window.try_take(0.6) == pytest.approx(0.9)  # free 1 s after the finish, not the start
    assert window.try_take(1.5) == 0.0
    assert window.try_take(1.5) is None


def test_arrivals_never_exceed_n_per_period_whatever_the_latency(rt):
    """Simulated requests, each seen by the server at a random moment between its start and its
    finish: the server never counts more than N in any period."""
    rng = random.Random(4)
    window = rt.ratelimit._Window(5, 1.0)
    now, arrivals, in_flight = 0.0, [], []  # in_flight: finish times
    while len(arrivals) < 300:
        for finish in sorted(f for f in in_flight if f <= now):
            window.release(finish)
            in_flight.remove(finish)
        wait = window.try_take(now)
        if wait == 0.0:
            latency = rng.choice([0.001, 0.05, 0.3, 0.9, 2.5])
            arrivals.append(now + rng.uniform(0, latency))
            in_flight.append(now + latency)
        elif wait is None:
            now = min(in_flight)
        else:
            now += wait
    assert max_in_window(arrivals, 1.0) <= 5
    assert max_in_window(arrivals, 1.0) == 5  # and the limiter does let N through


@pytest.mark.parametrize("bad", [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_invalid_rate_limits_are_refused(rt, bad):
    with pytest.raises(ValueError):
        rt.SyncRateLimiter(*bad)


def test_rate_limit_none_switches_the_limiter_off(rt, server):
    assert rt.SyncAPIClient(base_url=server.url, rate_limit=None)._rate_limiter is None
    assert rt.AsyncAPIClient(base_url=server.url)._rate_limiter is None
    limited = rt.SyncAPIClient(base_url=server.url, rate_limit=(40, 1.0))
    assert (limited._rate_limiter.requests, limited._rate_limiter.period) == (40, 1.0)
