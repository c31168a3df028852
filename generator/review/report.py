"""The review as markdown (a pull-request comment) or JSON (the same data, stable keys)."""

from __future__ import annotations

import json
from typing import Any

from generator.review.rules import Level
from generator.review.run import ReviewResult, SpecReview

_ARROW = "→"


def _pair(values: tuple[int | None, int | None]) -> str:
    a, b = values
    if a == b:
        return "–" if a is None else str(a)
    return f"{'–' if a is None else a} {_ARROW} {'–' if b is None else b}"


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _line(text: str) -> str:
    return " ".join(text.split())


def _code(text: str) -> str:
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines() or [""])


def _breaking_cell(spec: SpecReview) -> str:
    total = len(spec.breaking)
    open_ = len(spec.unacknowledged)
    if not total:
        return "0"
    return f"{total} ({open_} unacknowledged)" if open_ else f"{total} (all acknowledged)"


def to_markdown(result: ReviewResult) -> str:
    out: list[str] = [
        f"## specgen review against {_code(result.base_label)} ({_code(result.base_commit[:12])})",
        "",
        "| spec | status | operations | schemas | curation entries | lint | breaking |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for spec in result.specs:
        out.append(
            f"| {_cell(spec.name)} | {spec.status} | {_pair(spec.operations)} | {_pair(spec.schemas)} "
            f"| {_pair(spec.curation_entries)} | {_cell(spec.lint)} | {_breaking_cell(spec)} |"
        )
    open_total = sum(len(s.unacknowledged) for s in result.specs)
    out.append("")
    if result.exit_status:
        reasons = []
        if open_total:
            reasons.append(
                f"{open_total} unacknowledged breaking change{'s' if open_total != 1 else ''}"
            )
        if any(s.status == "unparseable" and s.failed for s in result.specs):
            reasons.append("a spec does not parse in the working tree")
        out.append(
            f"**Result: fails** ({'; '.join(reasons)}). Acknowledge an intended breaking change with an "
            "`x-breaking-change-ack` entry `{rule, location, reason}` at the root of the spec."
        )
    else:
        out.append("**Result: passes** (no unacknowledged breaking change).")
    for spec in result.specs:
        if spec.status != "unchanged":
            out.extend(_spec_section(spec))
    return "\n".join(out) + "\n"


def _spec_section(spec: SpecReview) -> list[str]:
    out = ["", f"### {spec.name} ({spec.status})"]
    for error in spec.errors:
        out += ["", f"- **does not parse**, {_line(error)}"]
    for level in Level:
        changes = [c for c in spec.changes if c.level is level]
        if not changes:
            continue
        out += [
            "",
            f"#### {level.value.capitalize()} ({len(changes)})",
            "",
            "| rule | location | message |",
            "| --- | --- | --- |",
        ]
        for c in changes:
            message = c.message
            ack = spec.acks.get(c)
            if ack is not None and level is Level.BREAKING:
                message += f" — acknowledged: {ack.reason}" if ack.reason else " — acknowledged"
            elif level is Level.BREAKING:
                message += " — **not acknowledged**"
            out.append(f"| {_code(c.rule)} | {_code(c.where)} | {_cell(message)} |")
    if spec.unused_acks:
        out += ["", "#### Acknowledgements matching no change", ""]
        out += [f"- {_code(a.rule)} at {_code(a.location)}" for a in spec.unused_acks]
    out += ["", "#### Client impact", ""]
    if not spec.client.available:
        out.append(f"_client impact unavailable: {_line(spec.client.reason)}_")
    elif not spec.client.changes:
        out.append("_no change to the public API of the generated client_")
    else:
        for api in spec.client.changes:
            tag = "**breaking** " if api.level is Level.BREAKING else ""
            out.append(f"- {tag}{_code(api.subject)}: {_line(api.message)}")
    if spec.curation:
        out += ["", f"#### Curation ({len(spec.curation)})"]
        for cur in spec.curation:
            out += ["", f"- {cur.kind} at {_code(cur.pointer)}", ""]
            body = f"**issue:** {cur.issue}\n\n"
            if cur.kind == "changed":
                body += f"**decision (before):** {cur.old_decision}\n\n**decision (now):** {cur.decision}"
            else:
                body += f"**decision:** {cur.decision}"
            out += ["  " + line if line else "" for line in _quote(body).splitlines()]
    return out


def to_data(result: ReviewResult) -> dict[str, Any]:
    return {
        "base": {"label": result.base_label, "commit": result.base_commit},
        "exit_status": result.exit_status,
        "specs": [_spec_data(s) for s in result.specs],
    }


def _spec_data(spec: SpecReview) -> dict[str, Any]:
    return {
        "name": spec.name,
        "status": spec.status,
        "errors": spec.errors,
        "summary": {
            "operations": {"base": spec.operations[0], "head": spec.operations[1]},
            "schemas": {"base": spec.schemas[0], "head": spec.schemas[1]},
            "curation_entries": {
                "base": spec.curation_entries[0],
                "head": spec.curation_entries[1],
            },
            "lint": spec.lint,
            "breaking": len(spec.breaking),
            "unacknowledged": len(spec.unacknowledged),
        },
        "changes": [
            {
                "rule": c.rule,
                "level": c.level.value,
                "location": c.location,
                "detail": c.detail,
                "message": c.message,
                "acknowledged": c in spec.acks,
                "ack_reason": spec.acks[c].reason if c in spec.acks else None,
            }
            for c in spec.changes
        ],
        "unused_acks": [
            {"rule": a.rule, "location": a.location, "reason": a.reason} for a in spec.unused_acks
        ],
        "client_impact": {
            "available": spec.client.available,
            "reason": spec.client.reason,
            "changes": [
                {"level": a.level.value, "subject": a.subject, "message": a.message}
                for a in spec.client.changes
            ],
        },
        "curation": [
            {
                "kind": c.kind,
                "pointer": c.pointer,
                "issue": c.issue,
                "decision": c.decision,
                "old_decision": c.old_decision,
            }
            for c in spec.curation
        ],
    }


def to_json(result: ReviewResult) -> str:
    return json.dumps(to_data(result), indent=2, ensure_ascii=False) + "\n"
