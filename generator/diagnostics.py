"""Diagnostics: what every step reports instead of raising.

A diagnostic carries a level, the file, a JSON pointer into the document and a message; the CLI
prints each as one line. Builders return them; only the CLI decides whether they are fatal.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    pointer: str
    message: str
    level: Level = Level.ERROR
    rule: str = ""
    line: int | None = None

    def format(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        rule = f"{self.rule}: " if self.rule else ""
        return f"{where}: {self.pointer or '#'}: {self.level.value}: {rule}{self.message}"


class SpecError(Exception):
    """Raised only at the boundary between pipeline steps, carrying the diagnostics that stop it."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(d.format() for d in diagnostics))
        self.diagnostics = diagnostics


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """JSON pointer in URI-fragment form, e.g. pointer("paths", "/a/{b}") -> "#/paths/~1a~1{b}"."""
    return "#" + "".join("/" + escape_token(t) for t in tokens)


def split_pointer(ptr: str) -> list[str]:
    body = ptr.removeprefix("#")
    if not body:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in body.lstrip("/").split("/")]


def print_diagnostics(diagnostics: Iterable[Diagnostic]) -> None:
    """One line each on stderr, the form every specgen command reports in."""
    for diag in diagnostics:
        print(diag.format(), file=sys.stderr)


def shorten(message: str, limit: int) -> str:
    """A message on one line, cut to `limit` characters."""
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 3] + "..."
