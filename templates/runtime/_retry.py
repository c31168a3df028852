"""When to retry a request, and how long to wait first.

Idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, or any operation the spec marks
`x-idempotent`) retry on connection errors, timeouts, 408, 429, 500, 502, 503 and 504.
Others (POST, PATCH) must never create a duplicate, so they retry only when the server cannot
have acted on them: 429, 503 with Retry-After, or a failure before the request was sent.
"""

from __future__ import annotations

import email.utils
import random
import time

import httpx

__all__ = [
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "error_retry_delay",
    "is_idempotent",
    "parse_retry_after",
    "response_retry_delay",
]

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
# Transport errors after which the request may have reached the server, but retrying a request
# that may be repeated is safe.
_RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
# Transport errors raised before a single byte of the request was sent.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_idempotent(method: str, declared: bool | None) -> bool:
    """The operation's declared idempotency, else the method's."""
    return method.upper() in _IDEMPOTENT_METHODS if declared is None else declared


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked to wait (retry-after-ms, then Retry-After), or None."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def backoff(retries_done: int) -> float:
    """Exponential backoff from INITIAL_RETRY_DELAY up to MAX_RETRY_DELAY, minus up to 25% jitter."""
    delay = min(INITIAL_RETRY_DELAY * 2.0**retries_done, MAX_RETRY_DELAY)
    return delay * (1 - 0.25 * random.random())


def response_retry_delay(
    response: httpx.Response, idempotent: bool, retries_done: int
) -> float | None:
    """Seconds to wait before retrying after this response, or None not to retry."""
    status = response.status_code
    asked = parse_retry_after(response.headers)
    if idempotent:
        retryable = status in _RETRY_STATUSES
    else:
        retryable = status == 429 or (status == 503 and asked is not None)
    if not retryable:
        return None
    if asked is None:
        return backoff(retries_done)
    # Retrying sooner than the server allows would only be refused again, and waiting longer
    # than MAX_RETRY_AFTER inside a call is worse than reporting the error.
    return asked if asked <= MAX_RETRY_AFTER else None


def error_retry_delay(
    error: httpx.TransportError, idempotent: bool, retries_done: int
) -> float | None:
    """Seconds to wait before retrying after this transport error, or None not to retry."""
    retryable = _RETRY_ERRORS if idempotent else _NOT_SENT_ERRORS
    return backoff(retries_done) if isinstance(error, retryable) else None
