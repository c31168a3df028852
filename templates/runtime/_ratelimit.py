"""Client-side sliding-window rate limiting (`x-rate-limit`).

Never more than `requests` requests in any window of `period` seconds, as the server counts them.
The server sees a request at some moment between our sending it and our receiving its response,
so a request holds its slot from `acquire()` until `period` seconds after its `release()` (when
the response, or the error, came back): the next request to take that slot then reaches the
server at least `period` seconds after the one before, whatever the latency.

The sync limiter is shared by the threads using one client, the async one by its tasks.
"""

from __future__ import annotations

import threading
import time
from collections import deque

__all__ = ["AsyncRateLimiter", "SyncRateLimiter"]


class _Window:
    """Slots in use: requests in flight, and finish times of the last `period` seconds.

    Not thread-safe on its own.
    """

    __slots__ = ("_finished", "_in_flight", "period", "requests")

    def __init__(self, requests: int, period: float) -> None:
        if requests < 1 or period <= 0:
            raise ValueError(
                f"rate limit needs requests >= 1 and period > 0, got ({requests}, {period})"
            )
        self.requests = requests
        self.period = period
        self._in_flight = 0
        self._finished: deque[float] = deque()

    def try_take(self, now: float) -> float | None:
        """Take a slot and return 0.0; or return the seconds until one frees, or None when
        every slot is in flight (wait for a release)."""
        finished, period = self._finished, self.period
        # The same expression decides expiry and the wait, so a wait is never 0 by rounding.
        while finished and finished[0] + period <= now:
            finished.popleft()
        if self._in_flight + len(finished) < self.requests:
            self._in_flight += 1
            return 0.0
        return finished[0] + period - now if finished else None

    def release(self, now: float) -> None:
        self._in_flight -= 1
        self._finished.append(now)


class SyncRateLimiter:
    """Blocks the calling thread until a request may start; `release()` when it has finished."""

    def __init__(self, requests: int, period: float) -> None:
        self._window = _Window(requests, period)
        self._changed = threading.Condition()

    @property
    def requests(self) -> int:
        return self._window.requests

    @property
    def period(self) -> float:
        return self._window.period

    def acquire(self) -> None:
        with self._changed:
            while (delay := self._window.try_take(time.monotonic())) != 0.0:
                self._changed.wait(delay)

    def release(self) -> None:
        with self._changed:
            self._window.release(time.monotonic())
            self._changed.notify_all()

    def __repr__(self) -> str:
        return f"SyncRateLimiter(requests={self.requests}, period={self.period})"


class AsyncRateLimiter:
    """Suspends the calling task until a request may start; `release()` when it has finished."""

    def __init__(self, requests: int, period: float) -> None:
        import asyncio  # here: a package's import does not pay for asyncio (~15 ms)

        self._window = _Window(requests, period)
        self._queue = asyncio.Lock()
        self._released = asyncio.Event()

    @property
    def requests(self) -> int:
        return self._window.requests

    @property
    def period(self) -> float:
        return self._window.period

    async def acquire(self) -> None:
        # One task at a time waits for a slot; the others queue on the lock in arrival order.
        async with self._queue:
            while (delay := self._window.try_take(time.monotonic())) != 0.0:
                if delay is None:
                    self._released.clear()
                    await self._released.wait()
                else:
                    import asyncio

                    await asyncio.sleep(delay)

    def release(self) -> None:
        # Synchronous: it runs on the event loop's thread, so it cannot interleave with acquire.
        self._window.release(time.monotonic())
        self._released.set()

    def __repr__(self) -> str:
        return f"AsyncRateLimiter(requests={self.requests}, period={self.period})"
