"""Errors raised by the client.

Exception tree::

    Exception
    ├── APIError                      every error raised by a call
    │   ├── APIConnectionError        the request did not get a response
    │   │   └── APITimeoutError       connect, read, write or pool timeout
    │   ├── APIStatusError            the server answered with a non-2xx status
    │   │   ├── BadRequestError             400
    │   │   ├── AuthenticationError         401
    │   │   ├── PermissionDeniedError       403
    │   │   ├── NotFoundError               404
    │   │   ├── ConflictError               409
    │   │   ├── UnprocessableEntityError    422
    │   │   ├── RateLimitError              429
    │   │   └── InternalServerError         5xx
    │   └── ResponseValidationError   strict mode: a 2xx body that does not match its schema
    └── ValueError
        └── InsecureTransportError    an http:// base URL to a non-loopback host

Messages are built by the client from redacted text: they never hold a credential.
"""

from __future__ import annotations

import httpx
from pydantic import ValidationError

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InsecureTransportError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "status_error_class",
    "validation_summary",
]


class APIError(Exception):
    """Base class of every error raised by an API call."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class APIConnectionError(APIError):
    """The request failed before a response arrived (DNS, refused connection, reset...)."""

    def __init__(self, message: str = "Connection error.") -> None:
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request timed out."""

    def __init__(self, message: str = "Request timed out.") -> None:
        super().__init__(message)


class APIStatusError(APIError):
    """The server answered with a non-2xx status.

    `body` is the error body parsed into the model the spec documents for this status when it
    matches, else the decoded JSON, else the text (None when empty).
    """

    status_code: int
    response: httpx.Response
    body: object

    def __init__(self, message: str, *, response: httpx.Response, body: object) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.body = body


class BadRequestError(APIStatusError):
    """400 Bad Request."""


class AuthenticationError(APIStatusError):
    """401 Unauthorized."""


class PermissionDeniedError(APIStatusError):
    """403 Forbidden."""


class NotFoundError(APIStatusError):
    """404 Not Found."""


class ConflictError(APIStatusError):
    """409 Conflict."""


class UnprocessableEntityError(APIStatusError):
    """422 Unprocessable Entity."""


class RateLimitError(APIStatusError):
    """429 Too Many Requests (after the retries allowed)."""


class InternalServerError(APIStatusError):
    """Any 5xx status (after the retries allowed)."""


class ResponseValidationError(APIError):
    """A 2xx response whose body does not match the schema the spec documents, raised only in
    strict mode (`strict_response_validation=True`); otherwise the body is returned tolerantly
    and the drift logged.

    `body` is the raw body, so callers can still read what the server sent; the pydantic
    ValidationError is the `__cause__`.
    """

    response: httpx.Response
    body: bytes

    def __init__(self, message: str, *, response: httpx.Response, body: bytes) -> None:
        super().__init__(message)
        self.response = response
        self.body = body


class InsecureTransportError(ValueError):
    """An http:// base URL to a host that is not loopback, without allow_insecure_http=True."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific APIStatusError subclass for a status code."""
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)


def validation_summary(error: ValidationError, limit: int = 5) -> str:
    """The locations and reasons of a ValidationError, without the input values (which could
    hold anything the server sent)."""
    details = error.errors(include_url=False, include_input=False, include_context=False)
    lines = [
        f"{'.'.join(str(part) for part in detail['loc']) or '(root)'}: {detail['msg']}"
        for detail in details[:limit]
    ]
    if len(details) > limit:
        lines.append(f"... and {len(details) - limit} more")
    return f"{len(details)} validation error(s): " + "; ".join(lines)
