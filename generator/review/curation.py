"""x-curation entries added, changed or removed between two documents, matched by content: an
entry whose object moved (a parameter inserted before it shifts its index) is not a change."""

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
    before = [
        (ptr, issue, decision)
        for ptr, es in curation_entries(old).items()
        for issue, decision in es
    ]
    after = [
        (ptr, issue, decision)
        for ptr, es in curation_entries(new).items()
        for issue, decision in es
    ]
    # 1. the same entry anywhere: unchanged, wherever its holder now sits
    for entry in list(before):
        same = [e for e in after if e[1:] == entry[1:]]
        if same:
            # prefer the same place when the entry appears more than once
            pick = next((e for e in same if e[0] == entry[0]), same[0])
            before.remove(entry)
            after.remove(pick)
    changes: list[CurationChange] = []
    # 2. the same issue on the same holder, or the same issue text alone: a changed decision
    for ptr, issue, decision in list(before):
        twins = [e for e in after if e[1] == issue and e[0] == ptr] or [
            e for e in after if e[1] == issue
        ]
        if twins:
            twin = twins[0]
            changes.append(CurationChange("changed", twin[0], issue, twin[2], decision))
            before.remove((ptr, issue, decision))
            after.remove(twin)
    changes += [CurationChange("removed", p, i, d) for p, i, d in before]
    changes += [CurationChange("added", p, i, d) for p, i, d in after]
    return sorted(changes, key=lambda c: (c.pointer, c.kind, c.issue))
