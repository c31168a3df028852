"""The HTTP core shared by every operation: configuration, retries, rate limiting, logging,
redaction and response parsing. `SyncAPIClient` and `AsyncAPIClient` differ only in their I/O.
"""

from __future__ import annotations

import copy
import ipaddress
import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType, TracebackType
from typing import Any, Final, Generic, Self, TypeVar, cast
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from ._exceptions import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    InsecureTransportError,
    status_error_class,
)
from ._files import multipart_files
from ._pagination import NOT_JSON, AsyncPager, Page, Pagination, SyncPager
from ._ratelimit import AsyncRateLimiter, SyncRateLimiter
from ._redact import Redactor, protect_httpx_logs
from ._response import APIResponse, DriftLog, Reader, adapter
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
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)
LimiterT = TypeVar("LimiterT", SyncRateLimiter, AsyncRateLimiter)

logger = logging.getLogger(__name__.rpartition(".")[0])

DEFAULT_TIMEOUT: Final = 60.0
DEFAULT_MAX_RETRIES: Final = 2
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_BODY_SNIPPET = 500
ErrorModels = Mapping[int | str, Any] | Callable[[], Mapping[int | str, Any]] | None


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


def _error_model(errors: ErrorModels, status: int) -> Any:
    if callable(errors):
        errors = errors()
    if not errors:
        return None
    for key in (status, f"{status // 100}XX", "default"):
        model = errors.get(key)
        if model is not None:
            return model
    return None


def _error_body(response: httpx.Response, errors: ErrorModels) -> object:
    """The documented error model if the body matches it, else the JSON, else the text."""
    content = response.content
    if not content:
        return None
    model = _error_model(errors, response.status_code)
    if model is not None:
        try:
            return adapter(model).validate_json(content)
        except ValidationError:
            pass
    try:
        return json.loads(content)
    except ValueError:
        return response.text


class BaseClient(Generic[HttpT, LimiterT]):
    """Configuration and the I/O-free parts of a call, shared by the sync and async clients,
    which add only the I/O (their HTTP client type and rate limiter)."""

    _http_client: HttpT

    def __init__(
        self,
        *,
        base_url: str,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: HttpT | None = None,
        allow_insecure_http: bool = False,
        auth_headers: Mapping[str, str] = _EMPTY,
        auth_query: Mapping[str, str] = _EMPTY,
        secrets: Sequence[str] = (),
        default_headers: Mapping[str, str] = _EMPTY,
        default_query: Mapping[str, object] = _EMPTY,
        rate_limit: tuple[int, float] | None = None,
        user_agent: str = f"python-httpx/{httpx.__version__}",
        strict_response_validation: bool = False,
    ) -> None:
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        self._redactor = Redactor(
            [*auth_headers.values(), *auth_query.values(), *secrets],
            query_params=auth_query,
        )
        protect_httpx_logs(self._redactor)
        self.base_url = _check_base_url(base_url, allow_insecure_http)
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self.max_retries = max_retries
        self.strict_response_validation = strict_response_validation
        self._auth_headers = dict(auth_headers)
        self._auth_query = dict(auth_query)
        self._default_headers = _merge_headers(
            {"User-Agent": user_agent, "Accept": "application/json"}, default_headers
        )
        # Merged once: most calls add no header of their own.
        self._default_auth_headers = _merge_headers(self._default_headers, self._auth_headers)
        self._default_query = dict(default_query)
        self._drift = DriftLog(self._redactor)
        self._raw = False  # set on the view behind `with_raw_response`
        self._rate_limiter: LimiterT | None = (
            None if rate_limit is None else self._make_limiter(*rate_limit)
        )
        self._owns_http_client = http_client is None
        self._http_client = self._make_http_client() if http_client is None else http_client

    def _make_http_client(self) -> HttpT:
        raise NotImplementedError

    def _make_limiter(self, requests: int, period: float) -> LimiterT:
        raise NotImplementedError

    def with_raw_response(self) -> Self:
        """A view of this client whose calls return APIResponse (status, headers, parsed body);
        it shares the connection pool, rate limiter and settings."""
        view = copy.copy(self)
        view._raw = True
        view._owns_http_client = False
        return view

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
        url = httpx.URL(self.base_url + options.path)
        query_string = _query_string(query).encode()
        if query_string:
            # Set as bytes: httpx keeps this encoding (it would re-encode `params=`).
            url = url.copy_with(
                query=url.query + b"&" + query_string if url.query else query_string
            )
        kwargs: dict[str, Any] = {
            "method": options.method,
            "url": url,
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
            data = _form_fields(options.form) if options.form else None
            files: list[tuple[str, Any]] | None = (
                list(multipart_files(options.files)) if options.files else None
            )
            if options.files is not None and not files and data:
                # multipart/form-data without a file: httpx would send the fields urlencoded
                files = [(k, (None, v)) for k, v in _flatten(options.form or {})]
                data = None
            kwargs["data"], kwargs["files"] = data, files
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

    def _reader(self, spec: ResponseSpec[T], options: RequestOptions) -> Reader[T]:
        strict = options.strict_response_validation
        if strict is None:
            strict = self.strict_response_validation
        return Reader(spec, strict, self._drift, self._redactor)

    def _result(self, response: httpx.Response, reader: Reader[T]) -> Any:
        """The parsed body, or for the raw view an APIResponse that parses it on demand."""
        if self._raw:
            return APIResponse(response, lambda: reader.body(response))
        return reader.body(response)

    def _items_reader(
        self, spec: ResponseSpec[T], options: RequestOptions
    ) -> Callable[[httpx.Response, object, str], list[T]]:
        """How a pager turns the item list at `where` in a page body into items."""
        reader = self._reader(spec, options)
        item_list: Any = list.__class_getitem__(Any if spec.success is None else spec.success)

        def items(response: httpx.Response, raw: object, where: str) -> list[T]:
            if not isinstance(raw, list):
                what = "not JSON" if raw is NOT_JSON else "not a list"
                reader.problem(response, [(where or "(body)", what)])
                return []  # tolerant: an unreadable page ends the iteration
            return cast(list[T], reader.value(item_list, raw, response, where))

        return items

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


class SyncAPIClient(BaseClient[httpx.Client, SyncRateLimiter]):
    """Blocking client over httpx.Client; safe to share between threads."""

    def _make_http_client(self) -> httpx.Client:
        return httpx.Client(timeout=self.timeout)

    def _make_limiter(self, requests: int, period: float) -> SyncRateLimiter:
        return SyncRateLimiter(requests, period)

    def request(self, options: RequestOptions, response: ResponseSpec[T]) -> T:
        """Send one operation (with its retries) and parse the response."""
        reader = self._reader(response, options)
        return cast(T, self._result(self._send(options, response.errors), reader))

    def paginate(
        self, options: RequestOptions, pagination: Pagination, item: ResponseSpec[T]
    ) -> SyncPager[T]:
        """Every item of every page; pages are fetched while iterating. `item.success` is the
        type of one item; `item.errors` parses the documented error bodies, as for request().
        """
        pager = SyncPager(
            lambda o: self._send(o, item.errors),
            options,
            pagination,
            self._items_reader(item, options),
        )
        if self._raw:  # the raw view answers with the first page's response
            first = pager.first_response()
            return cast(SyncPager[T], APIResponse(first, lambda: pager.read(first)))
        return pager

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


class AsyncAPIClient(BaseClient[httpx.AsyncClient, AsyncRateLimiter]):
    """asyncio client over httpx.AsyncClient; safe to share between tasks of one event loop."""

    def _make_http_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.timeout)

    def _make_limiter(self, requests: int, period: float) -> AsyncRateLimiter:
        return AsyncRateLimiter(requests, period)

    async def request(self, options: RequestOptions, response: ResponseSpec[T]) -> T:
        """Send one operation (with its retries) and parse the response."""
        reader = self._reader(response, options)
        return cast(T, self._result(await self._send(options, response.errors), reader))

    def paginate(
        self, options: RequestOptions, pagination: Pagination, item: ResponseSpec[T]
    ) -> AsyncPager[T]:
        """Every item of every page (`async for`); pages are fetched while iterating."""
        pager = AsyncPager(
            lambda o: self._send(o, item.errors),
            options,
            pagination,
            self._items_reader(item, options),
        )
        if self._raw:  # the raw view answers (awaited) with the first page's response
            return cast(AsyncPager[T], self._first_raw_page(pager))
        return pager

    async def _first_raw_page(self, pager: AsyncPager[T]) -> APIResponse[Page[T]]:
        first = await pager.first_response()
        return APIResponse(first, lambda: pager.read(first))

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
            import asyncio  # here: a package's import does not pay for asyncio (~15 ms)

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
