"""The HTTP core shared by every operation: configuration, retries, rate limiting, logging,
redaction and response parsing. `SyncAPIClient` and `AsyncAPIClient` differ only in their I/O."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from collections.abc import Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import Any, Final, Self, TypeVar, cast
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter, ValidationError

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InsecureTransportError,
    ResponseValidationError,
    status_error_class,
    validation_summary,
)
from ._files import multipart_files
from ._pagination import AsyncPager, Pagination, SyncPager
from ._ratelimit import AsyncRateLimiter, SyncRateLimiter
from ._redact import Redactor, protect_httpx_logs
from ._retry import error_retry_delay, is_idempotent, response_retry_delay
from ._serialize import Encoded, text
from ._types import NO_BODY, RequestOptions, ResponseSpec, Timeout

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "BaseClient",
    "SyncAPIClient",
]

T = TypeVar("T")

logger = logging.getLogger(__name__.rpartition(".")[0])

DEFAULT_TIMEOUT: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 2
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_BODY_SNIPPET = 500
ErrorModels = Mapping[int | str, TypeAdapter[Any]] | None


def _check_base_url(base_url: str, allow_insecure_http: bool) -> str:
    url = httpx.URL(base_url)
    if url.scheme == "http" and not allow_insecure_http and not _is_loopback(url.host):
        raise InsecureTransportError(
            f"Refusing plain-HTTP base URL for host {url.host!r}: credentials would travel in "
            "clear text. Use https://, or pass allow_insecure_http=True to override."
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"base_url must be an absolute http(s) URL, got scheme {url.scheme!r}")
    return base_url.rstrip("/")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _flatten(values: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query or form pairs: None dropped, sequences repeated, scalars in their wire form."""
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            pairs.extend((key, text(item)) for item in value if item is not None)
        else:
            pairs.append((key, text(value)))
    return pairs


def _query_string(values: Mapping[str, object]) -> str:
    """The encoded query: parameters the operation serialized in their style as they are, the
    rest (client defaults, auth, extra_query) as form-style pairs."""
    parts: list[str] = []
    for key, value in values.items():
        if isinstance(value, Encoded):
            if value:
                parts.append(value)
            continue
        parts.extend(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in _flatten({key: value}))
    return "&".join(parts)


def _merge_headers(*layers: Mapping[str, str]) -> dict[str, str]:
    """Later layers win, names compared case-insensitively; the last spelling is kept."""
    merged: dict[str, tuple[str, str]] = {}
    for layer in layers:
        for name, value in layer.items():
            merged[name.lower()] = (name, value)
    return dict(merged.values())


def _form_fields(form: Mapping[str, object]) -> dict[str, str | list[str]]:
    fields: dict[str, str | list[str]] = {}
    for key, value in _flatten(form):
        previous = fields.get(key)
        if previous is None:
            fields[key] = value
        elif isinstance(previous, list):
            previous.append(value)
        else:
            fields[key] = [previous, value]
    return fields


def _error_model(errors: ErrorModels, status: int) -> TypeAdapter[Any] | None:
    if not errors:
        return None
    for key in (status, str(status), f"{status // 100}XX", f"{status // 100}xx", "default"):
        adapter = errors.get(key)
        if adapter is not None:
            return adapter
    return None


def _error_body(response: httpx.Response, errors: ErrorModels) -> object:
    """The documented error model if the body matches it, else the JSON, else the text."""
    content = response.content
    if not content:
        return None
    adapter = _error_model(errors, response.status_code)
    if adapter is not None:
        try:
            return adapter.validate_json(content)
        except ValidationError:
            pass
    try:
        return json.loads(content)
    except ValueError:
        return response.text


class BaseClient:
    """Configuration and the I/O-free parts of a call, shared by the sync and async clients."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        allow_insecure_http: bool = False,
        auth_headers: Mapping[str, str] = _EMPTY,
        auth_query: Mapping[str, str] = _EMPTY,
        secrets: Sequence[str] = (),
        default_headers: Mapping[str, str] = _EMPTY,
        default_query: Mapping[str, object] = _EMPTY,
        user_agent: str = f"python-httpx/{httpx.__version__}",
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        self._redactor = Redactor(
            [*auth_headers.values(), *auth_query.values(), *secrets], query_params=auth_query
        )
        protect_httpx_logs(self._redactor)
        self.base_url = _check_base_url(base_url, allow_insecure_http)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self._auth_headers = dict(auth_headers)
        self._auth_query = dict(auth_query)
        self._default_headers = _merge_headers(
            {"User-Agent": user_agent, "Accept": "application/json"}, default_headers
        )
        # Merged once: most calls add no header of their own.
        self._default_auth_headers = _merge_headers(self._default_headers, self._auth_headers)
        self._default_query = dict(default_query)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self._redactor.url(self.base_url)!r})"

    # -- building the request -------------------------------------------------------------

    def _request_kwargs(self, options: RequestOptions) -> dict[str, Any]:
        """Keyword arguments of httpx's build_request for one attempt of `options`."""
        if not options.path.startswith("/"):
            # Appended to the base URL: anything else could change the host ("@evil.example").
            raise ValueError(f"path must start with '/', got {options.path!r}")
        if options.headers or options.extra_headers:
            headers = _merge_headers(
                self._default_headers,
                options.headers or _EMPTY,
                self._auth_headers if options.authenticated else _EMPTY,
                # The caller's per-call options come last so they can override anything.
                options.extra_headers or _EMPTY,
            )
        else:
            headers = self._default_auth_headers if options.authenticated else self._default_headers
        query = {**self._default_query, **(options.query or _EMPTY)}
        if options.authenticated:
            query.update(self._auth_query)
        if options.extra_query:
            query.update(options.extra_query)
        query_string = _query_string(query)
        kwargs: dict[str, Any] = {
            "method": options.method,
            "url": self.base_url + options.path + (f"?{query_string}" if query_string else ""),
            "headers": headers,
            "timeout": self.timeout if options.timeout is None else options.timeout,
        }
        if options.json is None:
            # httpx reads json=None as "no body"; here it is a JSON null.
            kwargs["content"] = b"null"
            kwargs["headers"] = _merge_headers({"Content-Type": "application/json"}, headers)
        elif options.json is not NO_BODY:
            kwargs["json"] = options.json
        elif options.content is not None:
            kwargs["content"] = options.content
        elif isinstance(options.form, str):
            # Serialized by the operation in each property's encoding style.
            kwargs["content"] = options.form.encode()
            kwargs["headers"] = _merge_headers(
                {"Content-Type": "application/x-www-form-urlencoded"}, headers
            )
        elif options.form is not None or options.files is not None:
            kwargs["data"] = _form_fields(options.form) if options.form else None
            kwargs["files"] = multipart_files(options.files) if options.files else None
        return kwargs

    def _plan(self, options: RequestOptions) -> tuple[dict[str, Any], bool, int]:
        """(httpx request arguments, whether retrying is safe, attempts allowed) of a call."""
        max_retries = self.max_retries if options.max_retries is None else options.max_retries
        idempotent = is_idempotent(options.method, options.idempotent)
        return self._request_kwargs(options), idempotent, max_retries + 1

    # The retry decisions, shared by the sync and async send loops, which only do the I/O.

    def _retry_after_error(
        self,
        error: httpx.TransportError,
        request: httpx.Request,
        started: float,
        attempt: int,
        attempts: int,
        idempotent: bool,
    ) -> float:
        """The delay before the next attempt after a failed send; raises if there is none."""
        self._log_error(error, request, time.perf_counter() - started, attempt, attempts)
        delay = error_retry_delay(error, idempotent, attempt - 1)
        if delay is None or attempt >= attempts:
            raise self._connection_error(error, request) from error
        return delay

    def _retry_after_response(
        self,
        response: httpx.Response,
        started: float,
        attempt: int,
        attempts: int,
        idempotent: bool,
        errors: ErrorModels,
    ) -> float | None:
        """None for a 2xx, else the delay before the next attempt; raises if there is none."""
        self._log_response(response, time.perf_counter() - started, attempt, attempts)
        if response.is_success:
            return None
        delay = response_retry_delay(response, idempotent, attempt - 1)
        if delay is None or attempt >= attempts:
            raise self._status_error(response, errors)
        return delay

    # -- reading the response -------------------------------------------------------------

    def _parse(self, response: httpx.Response, spec: ResponseSpec[T]) -> T:
        success = spec.success
        if success is None:
            return cast(T, None)
        if isinstance(success, str):
            return cast(T, response.content)
        try:
            return success.validate_json(response.content)
        except ValidationError as exc:
            raise ResponseValidationError(
                f"Response to {response.request.method} {self._redactor.url(response.request.url)} "
                f"({response.status_code}) does not match its schema: {validation_summary(exc)}",
                response=response,
                body=response.content,
            ) from exc

    def _status_error(self, response: httpx.Response, errors: ErrorModels) -> APIStatusError:
        request = response.request
        message = (
            f"{response.status_code} {response.reason_phrase} for {request.method} "
            f"{self._redactor.url(request.url)}"
        )
        if response.content:
            # redact before cutting: a key that straddles the cut would otherwise half survive
            message += f": {self._redactor.text(response.text)[:_BODY_SNIPPET]}"
        return status_error_class(response.status_code)(
            message, response=response, body=_error_body(response, errors)
        )

    def _connection_error(self, error: httpx.TransportError, request: httpx.Request) -> APIError:
        where = f"{request.method} {self._redactor.url(request.url)}"
        detail = self._redactor.text(str(error)) or type(error).__name__
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(f"Request timed out ({type(error).__name__}) for {where}")
        return APIConnectionError(f"Connection error for {where}: {detail}")

    # -- logging --------------------------------------------------------------------------

    def _log_request(self, request: httpx.Request, attempt: int, attempts: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Request: %s %s (attempt %d of %d)",
                request.method,
                self._redactor.url(request.url),
                attempt,
                attempts,
            )

    def _log_response(
        self, response: httpx.Response, elapsed: float, attempt: int, attempts: int
    ) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Response: %s %s -> %d %s in %.1f ms (attempt %d of %d)",
                response.request.method,
                self._redactor.url(response.request.url),
                response.status_code,
                response.reason_phrase,
                elapsed * 1000,
                attempt,
                attempts,
            )

    def _log_error(
        self,
        error: httpx.TransportError,
        request: httpx.Request,
        elapsed: float,
        attempt: int,
        attempts: int,
    ) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Request failed: %s %s -> %s: %s after %.1f ms (attempt %d of %d)",
                request.method,
                self._redactor.url(request.url),
                type(error).__name__,
                self._redactor.text(str(error)),
                elapsed * 1000,
                attempt,
                attempts,
            )

    def _log_retry(self, request: httpx.Request, delay: float, attempt: int, attempts: int) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "Retrying %s %s in %.2f s (attempt %d of %d)",
                request.method,
                self._redactor.url(request.url),
                delay,
                attempt,
                attempts,
            )


class SyncAPIClient(BaseClient):
    """Blocking client over httpx.Client; safe to share between threads."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        allow_insecure_http: bool = False,
        auth_headers: Mapping[str, str] = _EMPTY,
        auth_query: Mapping[str, str] = _EMPTY,
        secrets: Sequence[str] = (),
        default_headers: Mapping[str, str] = _EMPTY,
        default_query: Mapping[str, object] = _EMPTY,
        rate_limit: tuple[int, float] | None = None,
        user_agent: str = f"python-httpx/{httpx.__version__}",
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            allow_insecure_http=allow_insecure_http,
            auth_headers=auth_headers,
            auth_query=auth_query,
            secrets=secrets,
            default_headers=default_headers,
            default_query=default_query,
            user_agent=user_agent,
        )
        self._rate_limiter = None if rate_limit is None else SyncRateLimiter(*rate_limit)
        self._owns_http_client = http_client is None
        self._http_client = (
            httpx.Client(timeout=self.timeout) if http_client is None else http_client
        )

    def request(self, options: RequestOptions, response: ResponseSpec[T]) -> T:
        """Send one operation (with its retries) and parse the response."""
        return self._parse(self._send(options, response.errors), response)

    def paginate(
        self,
        options: RequestOptions,
        pagination: Pagination,
        item: TypeAdapter[T],
        errors: ErrorModels = None,
    ) -> SyncPager[T]:
        """Every item of every page; pages are fetched while iterating. `errors` parses the
        documented error bodies, as for request()."""
        return SyncPager(lambda o: self._send(o, errors), options, pagination, item)

    def _send(self, options: RequestOptions, errors: ErrorModels = None) -> httpx.Response:
        """The 2xx response to `options`, after the retries allowed; raises APIError otherwise."""
        kwargs, idempotent, attempts = self._plan(options)
        attempt = 1
        while True:
            request = self._http_client.build_request(**kwargs)
            limiter = self._rate_limiter
            if limiter is not None:
                limiter.acquire()
            self._log_request(request, attempt, attempts)
            started = time.perf_counter()
            try:
                response = self._http_client.send(request)
            except httpx.TransportError as exc:
                delay = self._retry_after_error(
                    exc, request, started, attempt, attempts, idempotent
                )
            else:
                retry = self._retry_after_response(
                    response, started, attempt, attempts, idempotent, errors
                )
                if retry is None:
                    return response
                delay = retry
            finally:
                if limiter is not None:
                    limiter.release()
            attempt += 1
            self._log_retry(request, delay, attempt, attempts)
            time.sleep(delay)

    def close(self) -> None:
        """Close the HTTP connection pool, if this client created it."""
        if self._owns_http_client:
            self._http_client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncAPIClient(BaseClient):
    """asyncio client over httpx.AsyncClient; safe to share between tasks of one event loop."""

    def __init__(
        self,
        *,
        base_url: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        allow_insecure_http: bool = False,
        auth_headers: Mapping[str, str] = _EMPTY,
        auth_query: Mapping[str, str] = _EMPTY,
        secrets: Sequence[str] = (),
        default_headers: Mapping[str, str] = _EMPTY,
        default_query: Mapping[str, object] = _EMPTY,
        rate_limit: tuple[int, float] | None = None,
        user_agent: str = f"python-httpx/{httpx.__version__}",
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            allow_insecure_http=allow_insecure_http,
            auth_headers=auth_headers,
            auth_query=auth_query,
            secrets=secrets,
            default_headers=default_headers,
            default_query=default_query,
            user_agent=user_agent,
        )
        self._rate_limiter = None if rate_limit is None else AsyncRateLimiter(*rate_limit)
        self._owns_http_client = http_client is None
        self._http_client = (
            httpx.AsyncClient(timeout=self.timeout) if http_client is None else http_client
        )

    async def request(self, options: RequestOptions, response: ResponseSpec[T]) -> T:
        """Send one operation (with its retries) and parse the response."""
        return self._parse(await self._send(options, response.errors), response)

    def paginate(
        self,
        options: RequestOptions,
        pagination: Pagination,
        item: TypeAdapter[T],
        errors: ErrorModels = None,
    ) -> AsyncPager[T]:
        """Every item of every page (`async for`); pages are fetched while iterating."""
        return AsyncPager(lambda o: self._send(o, errors), options, pagination, item)

    async def _send(self, options: RequestOptions, errors: ErrorModels = None) -> httpx.Response:
        """The 2xx response to `options`, after the retries allowed; raises APIError otherwise."""
        kwargs, idempotent, attempts = self._plan(options)
        attempt = 1
        while True:
            request = self._http_client.build_request(**kwargs)
            limiter = self._rate_limiter
            if limiter is not None:
                await limiter.acquire()
            self._log_request(request, attempt, attempts)
            started = time.perf_counter()
            try:
                response = await self._http_client.send(request)
            except httpx.TransportError as exc:
                delay = self._retry_after_error(
                    exc, request, started, attempt, attempts, idempotent
                )
            else:
                retry = self._retry_after_response(
                    response, started, attempt, attempts, idempotent, errors
                )
                if retry is None:
                    return response
                delay = retry
            finally:
                if limiter is not None:
                    limiter.release()
            attempt += 1
            self._log_retry(request, delay, attempt, attempts)
            await asyncio.sleep(delay)

    async def aclose(self) -> None:
        """Close the HTTP connection pool, if this client created it."""
        if self._owns_http_client:
            await self._http_client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
