"""Identifier cleaning. Every name that reaches generated code passes through here exactly once,
so templates never see raw spec text in an identifier position."""

from __future__ import annotations

import builtins
import keyword
import re
from typing import NewType

PyIdent = NewType("PyIdent", str)  # snake_case: attributes, functions, parameters
ClassName = NewType("ClassName", str)  # PascalCase

_RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins))
_WORD = re.compile(r"[A-Z]+[0-9]*(?=[A-Z][a-z]|\b|_|$)|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+")


def words(text: str) -> list[str]:
    """Split camelCase, PascalCase, snake_case, kebab-case and spaced text into words."""
    ascii_text = text.encode("ascii", "ignore").decode()
    return [w for part in re.split(r"[^A-Za-z0-9]+", ascii_text) for w in _WORD.findall(part)]


def snake(text: str, *, fallback: str = "value") -> PyIdent:
    name = "_".join(w.lower() for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"n{name}"
    if name in _RESERVED:
        name += "_"
    return PyIdent(name)


def pascal(text: str, *, fallback: str = "Model") -> ClassName:
    name = "".join(w[:1].upper() + w[1:] for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"N{name}"
    if name in _RESERVED:
        name += "_"
    return ClassName(name)


def package_stem(stem: str) -> PyIdent:
    """Folder and distribution stem from a spec's file stem: [a-z0-9_], never a path."""
    return snake(stem, fallback="api")


def dedupe(name: str, taken: set[str]) -> str:
    """name, or name_2, name_3... whichever is free; records the result in taken."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}_{n}" if name[-1:] != "_" else f"{name}{n}"
    taken.add(candidate)
    return candidate

