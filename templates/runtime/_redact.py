"""Keeps credentials out of logs, reprs and exception messages."""

from __future__ import annotations

import logging
import re
import weakref
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit, urlunsplit

__all__ = ["REDACTED", "Redactor", "protect_httpx_logs"]

REDACTED = "***"


class Redactor:
    """Replaces known secret values, and the values of named query parameters, with REDACTED."""

    def __init__(self, secrets: Iterable[str], query_params: Iterable[str] = ()) -> None:
        values: set[str] = set()
        for secret in secrets:
            # "Bearer <token>": the token alone may show up too (e.g. echoed in an error body).
            for value in (secret, secret.partition(" ")[2]):
                if value:
                    values.update((value, quote(value, safe=""), quote_plus(value)))
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))
            if values
            else None
        )
        names = sorted({quote_plus(name) for name in query_params}, key=len, reverse=True)
        # name=value in any URL or query string inside the text, whatever the value is.
        self._param_pattern = (
            re.compile(r"([?&](?:" + "|".join(map(re.escape, names)) + r")=)[^&#\s\"'<>]*")
            if names
            else None
        )

    def text(self, text: str) -> str:
        """`text` with every secret value and credential query value replaced."""
        if self._param_pattern is not None:
            text = self._param_pattern.sub(r"\g<1>" + REDACTED, text)
        if self._pattern is not None:
            text = self._pattern.sub(REDACTED, text)
        return text

    def url(self, url: object) -> str:
        """The URL as text, without user info, credential query values or secret values."""
        parts = urlsplit(str(url))
        if "@" in parts.netloc:
            parts = parts._replace(netloc=parts.netloc.rpartition("@")[2])
        return self.text(urlunsplit(parts))


class _RedactingFilter(logging.Filter):
    """Redacts the secrets of every live client from httpx's own log records.

    httpx logs each request URL at INFO level, and an API key sent in the query is in that URL.
    """

    def __init__(self) -> None:
        super().__init__()
        self.redactors: weakref.WeakSet[Redactor] = weakref.WeakSet()

    def filter(self, record: logging.LogRecord) -> bool:
        redactors = list(self.redactors)
        if redactors:
            message = original = record.getMessage()
            for redactor in redactors:
                message = redactor.text(message)
            if message != original:
                record.msg, record.args = message, None
        return True


_httpx_filter = _RedactingFilter()


def protect_httpx_logs(redactor: Redactor) -> None:
    """Make httpx's logger redact this redactor's secrets while the redactor is alive."""
    _httpx_filter.redactors.add(redactor)
    httpx_logger = logging.getLogger("httpx")
    if _httpx_filter not in httpx_logger.filters:
        httpx_logger.addFilter(_httpx_filter)
