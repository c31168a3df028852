"""The review as markdown (a pull-request comment), JSON (the same data, stable keys) or GitHub
workflow annotations (`::error file=...,line=...::...`, one per failing finding)."""

from __future__ import annotations

import json
from typing import Any

from generator.review.api import ApiChange
from generator.review.diff import Change
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
    total = len(spec.breaking) + len(spec.client_breaking) - len(spec.explained)
    open_ = len(spec.unacknowledged) + len(spec.client_unacknowledged)
    if not total:
        return "0"
    return f"{total} ({open_} unacknowledged)" if open_ else f"{total} (all acknowledged)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def failure_reasons(result: ReviewResult) -> tuple[list[str], bool]:
    """Why the review fails, and whether an acknowledgement can fix any of it (a spec that does
    not parse or fails lint has to be fixed, not acknowledged)."""
    open_total = sum(len(s.unacknowledged) + len(s.client_unacknowledged) for s in result.specs)
    reasons = []
    if open_total:
        reasons.append(f"{_plural(open_total, 'unacknowledged breaking change')}")
    lint = [s.name for s in result.specs if s.lint_errors]
    if lint:
        reasons.append(f"lint errors in {', '.join(lint)}")
    broken = [s.name for s in result.specs if s.unparseable]
    if broken:
        reasons.append(f"{', '.join(broken)} does not parse in the working tree")
    return reasons, bool(open_total)


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
    out.append("")
    if result.exit_status:
        reasons, ackable = failure_reasons(result)
        line = f"**Result: fails** ({'; '.join(reasons)})."
        if ackable:
            line += (
                " Acknowledge an intended breaking change with an `x-breaking-change-ack` entry "
                "`{rule, location, reason}` at the root of the spec."
            )
        out.append(line)
    else:
        out.append("**Result: passes** (no unacknowledged breaking change, no lint error).")
    for spec in result.specs:
        if spec.status != "unchanged" or spec.lint_errors:
            out.extend(_spec_section(spec))
    return "\n".join(out) + "\n"


def _status(spec: SpecReview, change: Change | ApiChange) -> str:
    ack = spec.acks.get(change)
    if ack is not None:
        return f" — acknowledged: {ack.reason}" if ack.reason else " — acknowledged"
    cause = spec.explained.get(change) if isinstance(change, ApiChange) else None
    if cause is not None:
        state = "acknowledged" if cause in spec.acks else "**not acknowledged**"
        return f" — follows {_code(cause.rule)} at {_code(cause.location)} ({state})"
    return " — **not acknowledged**"


def _spec_section(spec: SpecReview) -> list[str]:
    out = ["", f"### {spec.name} ({spec.status})"]
    for error in spec.errors:
        out += ["", f"- **does not parse**, {_line(error)}"]
    if spec.lint_errors:
        out += ["", f"#### Lint errors ({len(spec.lint_errors)})", ""]
        for f in spec.lint_errors:
            where = f"{f.pointer}" + (f" (line {f.line})" if f.line else "")
            out.append(f"- {_code(where)}: {_line(f.message)}")
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
            if c.reaches:
                message += ": " + "; ".join(c.reaches)
            if level is Level.BREAKING:
                message += _status(spec, c)
            out.append(f"| {_code(c.rule)} | {_code(c.where)} | {_cell(message)} |")
    if spec.unused_acks:
        out += ["", "#### Acknowledgements matching no change", ""]
        out += [f"- {_code(a.rule)} at {_code(a.location)}" for a in spec.unused_acks]
    out += ["", "#### Client impact", ""]
    if not spec.client.available:
        out.append(f"_client impact unavailable: {_line(spec.client.reason)}_")
    elif not spec.client.changes:
        out.append("_no change to the public API of the generated client_")
    elif spec.status == "removed":
        n = len(spec.client_breaking)
        out.append(f"_the whole package goes away ({_plural(n, 'public name')})_")
    else:
        for api in spec.client.changes:
            if api.level is Level.BREAKING:
                out.append(
                    f"- **breaking** {_code(api.rule)} {_code(api.subject)}: "
                    f"{_line(api.message)}{_status(spec, api)}"
                )
            else:
                out.append(f"- {_code(api.subject)}: {_line(api.message)}")
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


def to_github(result: ReviewResult) -> str:
    """One workflow command per failing finding, at the changed line of the working-tree spec,
    then a notice with the base compared; GitHub shows them on the pull request's diff."""
    out: list[str] = []
    for spec in result.specs:
        file = spec.file or spec.name
        for error in spec.errors:
            if error.startswith("working tree"):
                out.append(_annotation("error", file, None, "does not parse", error))
        for f in spec.lint_errors:
            out.append(_annotation("error", file, f.line, "lint", f"{f.pointer}: {f.message}"))
        for c in spec.unacknowledged:
            out.append(_annotation("error", file, spec.line_of(c.pointer), c.rule, _finding(c)))
        for api in spec.client_unacknowledged:
            text = f"client: {api.subject}: {api.message} (acknowledge rule {api.rule} at {api.subject})"
            out.append(_annotation("error", file, spec.client_line(api), api.rule, text))
        for c in spec.changes:
            if c.level is Level.WARNING:
                out.append(
                    _annotation("warning", file, spec.line_of(c.pointer), c.rule, _finding(c))
                )
    reasons, _ = failure_reasons(result)
    verdict = f"fails: {'; '.join(reasons)}" if result.exit_status else "passes"
    out.append(
        f"::notice title=specgen review::against {_escape(result.base_label)} "
        f"({result.base_commit[:12]}): {_escape(verdict)}"
    )
    return "\n".join(out) + "\n"


def _finding(c: Change) -> str:
    reaches = f" ({'; '.join(c.reaches)})" if c.reaches else ""
    return f"{c.where}: {c.message}{reaches}"


def _escape(text: str, prop: bool = False) -> str:
    # the workflow-command escapes: %, CR and LF everywhere, and : and , inside properties
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _annotation(kind: str, file: str, line: int | None, title: str, message: str) -> str:
    props = [f"file={_escape(file, True)}"]
    if line:
        props.append(f"line={line}")
    props.append(f"title={_escape(title, True)}")
    return f"::{kind} {','.join(props)}::{_escape(message)}"


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
            "breaking": len(spec.breaking) + len(spec.client_breaking) - len(spec.explained),
            "unacknowledged": len(spec.unacknowledged) + len(spec.client_unacknowledged),
        },
        "lint_findings": [
            {"level": f.level, "pointer": f.pointer, "message": f.message, "line": f.line}
            for f in spec.lint_findings
        ],
        "changes": [
            {
                "rule": c.rule,
                "level": c.level.value,
                "location": c.location,
                "detail": c.detail,
                "message": c.message,
                "pointer": c.pointer,
                "reaches": list(c.reaches),
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
                {
                    "rule": a.rule,
                    "level": a.level.value,
                    "subject": a.subject,
                    "message": a.message,
                    "acknowledged": a in spec.acks,
                    "follows": (
                        {"rule": spec.explained[a].rule, "location": spec.explained[a].location}
                        if a in spec.explained
                        else None
                    ),
                }
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
