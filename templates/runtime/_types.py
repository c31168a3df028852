"""The request and response descriptions that generated operations hand to the base client."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Generic, Literal, TypeVar

import httpx

__all__ = [
    "NO_BODY",
    "FileInput",
    "MultipartFile",
    "NoBody",
    "RequestOptions",
    "ResponseSpec",
    "Timeout",
]

T = TypeVar("T")

Timeout = float | httpx.Timeout
"""Seconds for every phase, or an httpx.Timeout for per-phase control."""

FileInput = bytes | str | os.PathLike[str]
"""File content as bytes, or the path of a file to read (str or path-like)."""

MultipartFile = FileInput | tuple[str, bytes] | tuple[str, bytes, str]
"""A multipart file part: content or path, or (filename, content[, media type])."""


class NoBody(enum.Enum):
    """Type of NO_BODY: the request has no JSON body (None would mean a JSON null)."""

    NO_BODY = "NO_BODY"


NO_BODY: Final = NoBody.NO_BODY


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestOptions:
    """One API call, as the generated operation builds it.

    `path` is already substituted and percent-encoded and is appended to the client's base URL.
    Query values: None is dropped, a list repeats the key, a bool is "true"/"false".
    `idempotent=None` derives it from the method (GET, HEAD, OPTIONS, PUT, DELETE are).
    `extra_headers`, `extra_query`, `timeout`, `max_retries` and `strict_response_validation` are
    the caller's per-call options (None: the client's default).
    """

    method: str
    path: str
    query: Mapping[str, object] | None = None
    headers: Mapping[str, str] | None = None
    json: object = NO_BODY
    content: bytes | None = None
    form: Mapping[str, object] | str | None = None  # str: an encoded form body
    files: Mapping[str, MultipartFile] | None = None
    idempotent: bool | None = None
    authenticated: bool = True
    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    timeout: Timeout | None = None
    max_retries: int | None = None
    strict_response_validation: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ResponseSpec(Generic[T]):
    """How to read the response of one operation.

    `operation`: the operationId, for drift warnings.
    `success`: the declared type of a JSON 2xx body (of one item, for a paginated operation);
    None when the spec gives no schema.
    `body`: "json" (decoded, and parsed into `success` when given), "text", "bytes" (a download),
    "none" (no body: returns None) or "any" (no content documented: decoded by its media type).
    `empty_ok` / `text_ok`: an empty or a text/* 2xx body is documented beside the JSON one.
    `errors`: the documented error body types by status code, "4XX"-style range or "default", or a
    function returning them (called when an error arrives: their models are imported only then).
    """

    operation: str = ""
    success: Any = None
    body: Literal["json", "text", "bytes", "none", "any"] = "json"
    empty_ok: bool = False
    text_ok: bool = False
    errors: Mapping[int | str, Any] | Callable[[], Mapping[int | str, Any]] | None = None

    def error_models(self) -> Mapping[int | str, Any]:
        """`errors` as a mapping (imported now if it is a function)."""
        errors = self.errors() if callable(self.errors) else self.errors
        return errors or {}
