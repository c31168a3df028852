"""x-curation entries added, changed or removed between two documents, keyed by where they sit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from generator.diagnostics import pointer


@dataclass(frozen=True)
class CurationChange:
    kind: str  # added, changed, removed
    pointer: str  # the object the entry is placed on
    issue: str
    decision: str  # the new decision (the old one for removed entries)
    old_decision: str = ""  # changed entries only


def curation_entries(doc: Any) -> dict[str, list[tuple[str, str]]]:
    """pointer of the holder -> [(issue, decision)] in document order."""
    found: dict[str, list[tuple[str, str]]] = {}
    for tokens, entries in _walk(doc, ()):
        found[pointer(*tokens)] = entries
    return found


def count_entries(doc: Any) -> int:
    return sum(len(v) for v in curation_entries(doc).values())


def _walk(
    node: Any, tokens: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], list[tuple[str, str]]]]:
    if isinstance(node, dict):
        raw = node.get("x-curation")
        if isinstance(raw, list):
            entries = [
                (str(e.get("issue", "")), str(e.get("decision", "")))
                for e in raw
                if isinstance(e, dict)
            ]
            if entries:
                yield tokens, entries
        for key, value in node.items():
            if key != "x-curation":
                yield from _walk(value, (*tokens, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, (*tokens, i))


def diff_curation(old: Any, new: Any) -> list[CurationChange]:
    a, b = curation_entries(old), curation_entries(new)
    changes: list[CurationChange] = []
    for ptr in sorted(a.keys() | b.keys()):
        old_map = dict(a.get(ptr, []))
        new_map = dict(b.get(ptr, []))
        for issue, decision in a.get(ptr, []):
            if issue not in new_map:
                changes.append(CurationChange("removed", ptr, issue, decision))
            elif new_map[issue] != decision:
                changes.append(CurationChange("changed", ptr, issue, new_map[issue], decision))
        for issue, decision in b.get(ptr, []):
            if issue not in old_map:
                changes.append(CurationChange("added", ptr, issue, decision))
    return changes
