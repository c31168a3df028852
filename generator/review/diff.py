"""Spec diff: what changed for a client user between two OpenAPI documents.

Both documents are plain data (as loaded); local $refs are followed while comparing, so moving a
schema into components is no change, and a recursive schema is compared once per pair of refs.
Every change names its rule (generator.review.rules), the operation ("METHOD /path") or a JSON
pointer for document-level objects, and a detail saying where inside the operation.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from generator.diagnostics import escape_token, pointer
from generator.review.rules import BOUND_KEYWORDS, RULES, Level, rule
from generator.validate import METHODS, resolve_pointer

_MAX_DEPTH = 40
RULE_IDS = RULES.keys()


def _short(key: str) -> str:
    return (
        key.rsplit("/", 1)[-1]
        if key.startswith("#")
        else key if len(key) < 60 else key[:57] + "..."
    )


@dataclass(frozen=True)
class Change:
    rule: str
    level: Level
    location: str
    detail: str
    message: str
    # where the change sits in the working-tree document (for annotations and shared schemas)
    pointer: str = field(default="", compare=False)
    # a change to a shared schema is one change: every operation it reaches ("METHOD /path detail")
    reaches: tuple[str, ...] = field(default=(), compare=False)

    @property
    def where(self) -> str:
        return f"{self.location} {self.detail}" if self.detail else self.location

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (self.level.rank, self.location, self.detail, self.rule, self.message)


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    differ = _Differ(old, new)
    differ.run()
    return sorted(_one_per_cause(set(differ.changes)), key=Change.sort_key)


def _one_per_cause(changes: set[Change]) -> list[Change]:
    """A change inside a component schema reached from several places is one change, placed
    on the schema, listing where it is reached: one row, and one acknowledgement covers it."""
    shared: dict[tuple[str, str], list[Change]] = {}
    out: list[Change] = []
    for c in changes:
        if c.pointer.startswith("#/components/") and not c.location.startswith("#"):
            shared.setdefault((c.rule, c.pointer), []).append(c)
        else:
            out.append(c)
    for (_, ptr), group in shared.items():
        if len(group) < 2:
            out.extend(group)
            continue
        first = min(group, key=lambda c: (len(c.where), c.where))
        wheres = tuple(sorted(c.where for c in group))
        message = f"{first.message} (reaches {len(wheres)} operations)"
        out.append(replace(first, location=ptr, detail="", message=message, reaches=wheres))
    return out


def operations(
    doc: Mapping[str, Any],
) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(method, path, operation, path item) for every operation, in document order."""
    paths = doc.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        item = _deref(doc, item)
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                yield method, str(path), op, item


def _deref(doc: Mapping[str, Any], node: Any) -> Any:
    """node with local $refs followed (siblings of $ref kept over the target's keys)."""
    seen: set[str] = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#") or ref in seen:
            return node
        seen.add(ref)
        found, target = resolve_pointer(doc, ref)  # percent-decoded, as the lint resolves it
        if not found:
            return node
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **siblings} if isinstance(target, dict) and siblings else target
    return node


def _path_key(path: str) -> str:
    # /invoices/{id} and /invoices/{invoiceId} are the same endpoint to a client
    return re.sub(r"\{[^}/]*\}", "{}", path)


def _placeholders(path: str) -> list[str]:
    return re.findall(r"\{([^}/]*)\}", path)


def _status_success(code: str) -> bool:
    return code[:1] == "2"


def _fmt(value: Any) -> str:
    return (
        repr(value)
        if isinstance(value, str)
        else str(value).lower() if isinstance(value, bool) else str(value)
    )


@dataclass(frozen=True)
class _Shape:
    """What a client sees of one schema node, with refs followed and allOf merged."""

    types: frozenset[str]  # JSON types without "null"; empty when untyped
    fmt: str | None
    nullable: bool
    enum: tuple[Any, ...] | None
    properties: dict[str, Any]
    required: frozenset[str]
    items: Any
    pattern: str | None
    refs: tuple[str, ...]
    node: dict[str, Any]  # the schema object itself (after $ref)
    # oneOf/anyOf alternatives other than {type: null}, by identity ($ref or content)
    alternatives: dict[str, dict[str, Any]]
    composition: str  # "oneOf", "anyOf" or "" (a single alternative is the schema itself)

    def type_text(self) -> str:
        if not self.types:
            return "any"
        text = "|".join(sorted(self.types))
        return f"{text}/{self.fmt}" if self.fmt else text


# formats whose values are a subset of another's (oasdiff's isFormatContained)
_FORMAT_WIDER = {
    ("int32", "int64"),
    ("float", "double"),
    ("date", "date-time"),
    ("time", "date-time"),
}


def _covered(sub: frozenset[str], sup: frozenset[str]) -> bool:
    return bool(sub) and all(t in sup or (t == "integer" and "number" in sup) for t in sub)


def _type_verdict(a: _Shape, b: _Shape) -> str:
    """ "same", "widened" (b accepts every value of a, and more), "narrowed" or "changed"."""
    if a.types == b.types:
        type_axis = "same"
    elif not b.types:
        type_axis = "widened"
    elif not a.types:
        type_axis = "narrowed"
    elif _covered(a.types, b.types):
        type_axis = "widened"
    elif _covered(b.types, a.types):
        type_axis = "narrowed"
    else:
        return "changed"
    if a.fmt == b.fmt:
        fmt_axis = "same"
    elif b.fmt is None or (a.fmt, b.fmt) in _FORMAT_WIDER:
        fmt_axis = "widened"
    elif a.fmt is None or (b.fmt, a.fmt) in _FORMAT_WIDER:
        fmt_axis = "narrowed"
    elif type_axis != "same" and not (a.types & b.types):
        fmt_axis = "widened" if type_axis == "widened" else "narrowed"  # integer/int32 -> number
    else:
        return "changed"
    axes = {type_axis, fmt_axis} - {"same"}
    if len(axes) > 1:
        return "changed"  # widened on one axis, narrowed on the other
    return axes.pop() if axes else "same"


def _labels(direction: str, where: str, prop_path: tuple[str, ...]) -> tuple[str, str, str]:
    """(detail, "the request property a/b", rule prefix) of a schema node."""
    detail = where + (pointer(*prop_path) if prop_path else "")
    if not prop_path:
        return detail, f"the {direction} body", f"{direction}-body"
    return detail, f"the {direction} property {'/'.join(prop_path)}", f"{direction}-property"


def _alt_key(raw: Any) -> str:
    ref = raw.get("$ref") if isinstance(raw, dict) else None
    return ref if isinstance(ref, str) else json.dumps(raw, sort_keys=True, default=str)


def _number(value: Any) -> float | None:
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


class _Differ:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old = old
        self.new = new
        self.changes: list[Change] = []
        self.unresolved: set[tuple[str, str]] = set()  # (side, $ref) that does not resolve
        self._renames: dict[str, str] = {}
        self._op_ptr = "#/paths"
        self._ptr = "#/paths"  # the working-tree node being compared

    def emit(self, rule_id: str, location: str, detail: str, message: str, ptr: str = "") -> None:
        ptr = ptr or (location if location.startswith("#") else self._ptr)
        self.changes.append(Change(rule_id, rule(rule_id).level, location, detail, message, ptr))

    def _at_operation(self) -> None:
        self._ptr = self._op_ptr

    def run(self) -> None:
        self._operations()
        self._security()
        self._servers()
        self._schemas_removed()
        self._unresolved()

    # operations -------------------------------------------------------------------------------

    def _operations(self) -> None:
        old_ops = {(m, _path_key(p)): (p, op, item) for m, p, op, item in operations(self.old)}
        new_ops = {(m, _path_key(p)): (p, op, item) for m, p, op, item in operations(self.new)}
        gone = sorted(old_ops.keys() - new_ops.keys())
        fresh = sorted(new_ops.keys() - old_ops.keys())
        pairs = [(k, k) for k in sorted(old_ops.keys() & new_ops.keys())]
        # the same method and operationId under another path: a moved operation, not a removal
        # and an unrelated addition
        for key in list(gone):
            op_id = old_ops[key][1].get("operationId")
            twins = [
                k
                for k in fresh
                if k[0] == key[0]
                and op_id is not None
                and new_ops[k][1].get("operationId") == op_id
            ]
            if len(twins) == 1:
                self.emit(
                    "api-path-renamed",
                    f"{key[0].upper()} {old_ops[key][0]}",
                    "",
                    f"the operation {op_id!r} moved from {old_ops[key][0]} to {new_ops[twins[0]][0]}",
                )
                pairs.append((key, twins[0]))
                gone.remove(key)
                fresh.remove(twins[0])
        new_path_keys = {k for _, k in new_ops}
        self._ptr = "#/paths"
        for key in gone:
            method, path_key = key
            path, op, _ = old_ops[key]
            loc = f"{method.upper()} {path}"
            deprecated = op.get("deprecated") is True
            sunset = _sunset(op)
            kind = "removed" if path_key in new_path_keys else "path-removed"
            if deprecated and isinstance(sunset, str) and sunset > _today():
                rid = "api-removed-before-sunset"
                text = f"operation removed before its sunset date {sunset}"
            else:
                rid = f"api-{kind}-{'with' if deprecated else 'without'}-deprecation"
                text = "operation removed" + (" (it was deprecated)" if deprecated else "")
            self.emit(rid, loc, "", text)
        for key in fresh:
            path, op, _ = new_ops[key]
            self._ptr = pointer("paths", path, key[0])
            self.emit("endpoint-added", f"{key[0].upper()} {path}", "", "operation added")
        for old_key, new_key in pairs:
            old_path, old_op, old_item = old_ops[old_key]
            new_path, new_op, new_item = new_ops[new_key]
            # path parameters pair up by position: /a/{id} -> /a/{invoiceId} renames, never moves
            self._renames = dict(
                zip(_placeholders(old_path), _placeholders(new_path), strict=False)
            )
            loc = f"{new_key[0].upper()} {new_path}"
            for before, after in self._renames.items():
                if before != after:
                    self.emit(
                        "request-parameter-renamed",
                        loc,
                        f"path parameter {after}",
                        f"the path parameter {before!r} was renamed to {after!r}",
                    )
            self._op_ptr = pointer("paths", new_path, new_key[0])
            self._at_operation()
            self._operation(loc, old_op, old_item, new_op, new_item)

    def _operation(
        self,
        loc: str,
        old: dict[str, Any],
        old_item: dict[str, Any],
        new: dict[str, Any],
        new_item: dict[str, Any],
    ) -> None:
        if old.get("operationId") != new.get("operationId"):
            self.emit(
                "api-operation-id-changed",
                loc,
                "operationId",
                f"operationId changed from {_fmt(old.get('operationId'))} "
                f"to {_fmt(new.get('operationId'))}",
                f"{self._op_ptr}/operationId",
            )
        old_tag, new_tag = _first_tag(old), _first_tag(new)
        if old_tag != new_tag:
            self.emit(
                "api-resource-changed",
                loc,
                "tags",
                f"first tag changed from {_fmt(old_tag)} to {_fmt(new_tag)}",
                f"{self._op_ptr}/tags",
            )
        self._deprecation(loc, old, new)
        self._parameters(loc, old, old_item, new, new_item)
        self._request_body(loc, old.get("requestBody"), new.get("requestBody"))
        self._responses(loc, old.get("responses"), new.get("responses"))
        self._op_security(loc, old, new)

    def _deprecation(self, loc: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        was, now = old.get("deprecated") is True, new.get("deprecated") is True
        old_sunset, new_sunset = _sunset(old), _sunset(new)
        if now and not was:
            with_sunset = isinstance(new_sunset, str)
            rid = "endpoint-deprecated-with-sunset" if with_sunset else "endpoint-deprecated"
            self.emit(
                rid,
                loc,
                "",
                "the operation was deprecated" + (f" (sunset {new_sunset})" if with_sunset else ""),
            )
        elif was and not now:
            self.emit("endpoint-reactivated", loc, "", "the operation is no longer deprecated")
        elif was and now and isinstance(old_sunset, str):
            if not isinstance(new_sunset, str):
                self.emit(
                    "sunset-deleted", loc, "x-sunset", f"the sunset date {old_sunset} was removed"
                )
            elif new_sunset < old_sunset:
                self.emit(
                    "api-sunset-date-changed-too-small",
                    loc,
                    "x-sunset",
                    f"the sunset date moved earlier, from {old_sunset} to {new_sunset}",
                )

    # parameters -------------------------------------------------------------------------------

    def _params(
        self, doc: Mapping[str, Any], op: dict[str, Any], item: dict[str, Any]
    ) -> dict[tuple[str, str], dict[str, Any]]:
        found: dict[tuple[str, str], dict[str, Any]] = {}
        for source in (
            item.get("parameters"),
            op.get("parameters"),
        ):  # operation level overrides
            for raw in source if isinstance(source, list) else []:
                param = _deref(doc, raw)
                if isinstance(param, dict) and isinstance(param.get("name"), str):
                    where = str(param.get("in", ""))
                    name = param["name"].lower() if where == "header" else param["name"]
                    found[(where, name)] = param
        return found

    def _parameters(
        self,
        loc: str,
        old_op: dict[str, Any],
        old_item: dict[str, Any],
        new_op: dict[str, Any],
        new_item: dict[str, Any],
    ) -> None:
        old = {
            (w, self._renames.get(n, n) if w == "path" else n): p
            for (w, n), p in self._params(self.old, old_op, old_item).items()
        }
        new = self._params(self.new, new_op, new_item)
        removed = old.keys() - new.keys()
        added = new.keys() - old.keys()
        moved: set[tuple[str, str]] = set()
        for where, name in sorted(removed):
            for new_where, new_name in sorted(added):
                if new_name == name and (new_where, new_name) not in moved:
                    moved |= {(where, name), (new_where, new_name)}
                    self.emit(
                        "request-parameter-location-changed",
                        loc,
                        f"{new_where} parameter {name}",
                        f"parameter {name!r} moved from {where} to {new_where}",
                    )
                    break
        for where, name in sorted(removed - moved):
            self.emit(
                "request-parameter-removed",
                loc,
                f"{where} parameter {name}",
                f"removed the {where} request parameter {name!r}",
            )
        for where, name in sorted(added - moved):
            param = new[(where, name)]
            if where == "path":
                rid = "new-request-path-parameter"
            elif param.get("required") is True:
                rid = "new-required-request-parameter"
            else:
                rid = "new-optional-request-parameter"
            kind = "required " if rid != "new-optional-request-parameter" else "optional "
            self.emit(
                rid,
                loc,
                f"{where} parameter {name}",
                f"added the new {kind}{where} request parameter {name!r}",
            )
        for key in sorted(old.keys() & new.keys()):
            self._parameter(loc, key, old[key], new[key])

    def _parameter(
        self, loc: str, key: tuple[str, str], old: dict[str, Any], new: dict[str, Any]
    ) -> None:
        self._at_operation()
        where, name = key
        detail = f"{where} parameter {name}"
        old_req, new_req = old.get("required") is True, new.get("required") is True
        if old_req != new_req:
            rid = (
                "request-parameter-became-required"
                if new_req
                else "request-parameter-became-optional"
            )
            self.emit(
                rid,
                loc,
                detail,
                f"the {where} request parameter {name!r} became {'required' if new_req else 'optional'}",
            )
        a = self._shape(self.old, old.get("schema"))
        b = self._shape(self.new, new.get("schema"))
        if a is None or b is None:
            return
        what = f"the {where} request parameter {name!r}"
        self._retyped(loc, detail, what, "request-parameter", "request", a, b, with_items=True)
        if a.nullable != b.nullable:
            rid = (
                "request-parameter-became-nullable"
                if b.nullable
                else "request-parameter-became-not-nullable"
            )
            self.emit(
                rid,
                loc,
                detail,
                f"{what} became {'nullable' if b.nullable else 'not nullable'}",
            )
        self._enum(
            loc,
            detail,
            a,
            b,
            what,
            {
                "became": "request-parameter-became-enum",
                "removed": "request-parameter-enum-value-removed",
                "added": "request-parameter-enum-value-added",
            },
        )
        self._default_const(loc, detail, what, "request-parameter", a, b, const=False)
        self._lifecycle(loc, detail, what, "request-parameter", old, new)
        self._constraints(loc, detail, a, b, what, "request-parameter", "request")

    # request body -----------------------------------------------------------------------------

    def _request_body(self, loc: str, old_raw: Any, new_raw: Any) -> None:
        self._at_operation()
        old, new = _deref(self.old, old_raw), _deref(self.new, new_raw)
        old = old if isinstance(old, dict) else None
        new = new if isinstance(new, dict) else None
        if old is None and new is None:
            return
        if old is None:
            assert new is not None
            req = new.get("required") is True
            rid = "request-body-added-required" if req else "request-body-added-optional"
            self.emit(
                rid,
                loc,
                "request body",
                f"added {'required' if req else 'optional'} request body",
            )
            return
        if new is None:
            self.emit("request-body-removed", loc, "request body", "request body removed")
            return
        old_req, new_req = old.get("required") is True, new.get("required") is True
        if old_req != new_req:
            rid = "request-body-became-required" if new_req else "request-body-became-optional"
            self.emit(
                rid,
                loc,
                "request body",
                f"request body became {'required' if new_req else 'optional'}",
            )
        old_content, new_content = _content(old), _content(new)
        for media in sorted(old_content.keys() - new_content.keys()):
            self.emit(
                "request-body-media-type-removed",
                loc,
                f"request body {media}",
                f"removed the media type {media} from the request body",
            )
        for media in sorted(new_content.keys() - old_content.keys()):
            self.emit(
                "request-body-media-type-added",
                loc,
                f"request body {media}",
                f"added the media type {media} to the request body",
            )
        for media in sorted(old_content.keys() & new_content.keys()):
            self._schema(
                loc,
                "request",
                f"request body {media}",
                (),
                old_content[media].get("schema"),
                new_content[media].get("schema"),
                frozenset(),
                0,
            )

    # responses --------------------------------------------------------------------------------

    def _responses(self, loc: str, old_raw: Any, new_raw: Any) -> None:
        old = {str(k): v for k, v in old_raw.items()} if isinstance(old_raw, dict) else {}
        new = {str(k): v for k, v in new_raw.items()} if isinstance(new_raw, dict) else {}
        for code in sorted(old.keys() - new.keys()):
            kind = "success" if _status_success(code) else "non-success"
            self.emit(
                f"response-{kind}-status-removed",
                loc,
                f"response {code}",
                f"removed the {kind} response with the status {code}",
            )
        for code in sorted(new.keys() - old.keys()):
            kind = "success" if _status_success(code) else "non-success"
            self.emit(
                f"response-{kind}-status-added",
                loc,
                f"response {code}",
                f"added the {kind} response with the status {code}",
            )
        for code in sorted(old.keys() & new.keys()):
            self._at_operation()
            a, b = _deref(self.old, old[code]), _deref(self.new, new[code])
            if not isinstance(a, dict) or not isinstance(b, dict):
                continue
            self._headers(loc, code, a, b)
            old_content, new_content = _content(a), _content(b)
            for media in sorted(old_content.keys() - new_content.keys()):
                self.emit(
                    "response-media-type-removed",
                    loc,
                    f"response {code} {media}",
                    f"removed the media type {media} for the response with the status {code}",
                )
            for media in sorted(new_content.keys() - old_content.keys()):
                self.emit(
                    "response-media-type-added",
                    loc,
                    f"response {code} {media}",
                    f"added the media type {media} for the response with the status {code}",
                )
            for media in sorted(old_content.keys() & new_content.keys()):
                self._schema(
                    loc,
                    "response",
                    f"response {code} {media}",
                    (),
                    old_content[media].get("schema"),
                    new_content[media].get("schema"),
                    frozenset(),
                    0,
                )

    def _headers(self, loc: str, code: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._at_operation()
        a, b = _headers(self.old, old), _headers(self.new, new)
        for name in sorted(a.keys() - b.keys()):
            kind = "required" if a[name].get("required") is True else "optional"
            self.emit(
                f"{kind}-response-header-removed",
                loc,
                f"response {code} header {name}",
                f"removed the {kind} header {name!r} of the response with the status {code}",
            )
        for name in sorted(b.keys() - a.keys()):
            self.emit(
                "response-header-added",
                loc,
                f"response {code} header {name}",
                f"added the header {name!r} to the response with the status {code}",
            )
        for name in sorted(a.keys() & b.keys()):
            detail = f"response {code} header {name}"
            if a[name].get("required") is True and b[name].get("required") is not True:
                self.emit(
                    "response-header-became-optional",
                    loc,
                    detail,
                    f"the response header {name!r} became optional",
                )
            sa, sb = self._shape(self.old, a[name].get("schema")), self._shape(
                self.new, b[name].get("schema")
            )
            if sa is not None and sb is not None:
                self._retyped(
                    loc,
                    detail,
                    f"the response header {name!r}",
                    "response-header",
                    "response",
                    sa,
                    sb,
                )

    # schemas ----------------------------------------------------------------------------------

    def _shape(
        self,
        doc: Mapping[str, Any],
        raw: Any,
        _in_progress: frozenset[str] | set[str] = frozenset(),
    ) -> _Shape | None:
        refs: list[str] = []
        node = raw
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            refs.append(node["$ref"])
        node = _deref(doc, node)
        if not isinstance(node, dict):
            return None
        if isinstance(node.get("$ref"), str) and node["$ref"].startswith("#"):
            doc_name = "working tree" if doc is self.new else "base"
            self.unresolved.add((doc_name, node["$ref"]))
            return None  # reported once as unresolved, not as the removal of what it held
        nullable = node.get("nullable") is True
        alternatives: dict[str, dict[str, Any]] = {}
        composition = ""
        # anyOf/oneOf [X, {type: null}] is how 3.1 spells "nullable X"
        for key in ("anyOf", "oneOf"):
            alts = node.get(key)
            if not isinstance(alts, list):
                continue
            real = [
                a
                for a in alts
                if not (isinstance(_deref(doc, a), dict) and _deref(doc, a).get("type") == "null")
            ]
            if len(real) < len(alts):
                nullable = True
            alt_ref = real[0].get("$ref") if len(real) == 1 and isinstance(real[0], dict) else None
            if len(real) == 1 and alt_ref not in _in_progress:
                seen = _in_progress | ({alt_ref} if isinstance(alt_ref, str) else set())
                inner = self._shape(doc, real[0], seen)
                if inner is not None:
                    return _Shape(
                        **{**inner.__dict__, "nullable": True, "refs": tuple(refs) + inner.refs}
                    )
            if len(real) > 1:
                composition = key
                alternatives = {_alt_key(a): a for a in real if isinstance(a, dict)}
        raw_type = node.get("type")
        types = (
            {raw_type}
            if isinstance(raw_type, str)
            else set(raw_type) if isinstance(raw_type, list) else set()
        )
        if "null" in types:
            nullable = True
            types.discard("null")
        properties: dict[str, Any] = {}
        required: set[str] = set()
        all_of = node.get("allOf")
        for part in all_of if isinstance(all_of, list) else []:
            ref = part.get("$ref") if isinstance(part, dict) else None
            if isinstance(ref, str) and ref in _in_progress:
                continue  # allOf cycle: the part is already being merged further up
            sub = self._shape(doc, part, _in_progress | ({ref} if isinstance(ref, str) else set()))
            if sub is not None:
                properties.update(sub.properties)
                required |= sub.required
                types |= sub.types
        if isinstance(node.get("properties"), dict):
            properties.update(node["properties"])
        if isinstance(node.get("required"), list):
            required |= {r for r in node["required"] if isinstance(r, str)}
        if properties and not types:
            types.add("object")
        enum = node.get("enum")
        pattern = node.get("pattern")
        return _Shape(
            types=frozenset(str(t) for t in types),
            fmt=node.get("format") if isinstance(node.get("format"), str) else None,
            nullable=nullable,
            enum=tuple(v for v in enum if v is not None) if isinstance(enum, list) else None,
            properties=properties,
            required=frozenset(required),
            items=node.get("items"),
            pattern=pattern if isinstance(pattern, str) else None,
            refs=tuple(refs),
            node=node,
            alternatives=alternatives,
            composition=composition,
        )

    def _sig_text(self, doc: Mapping[str, Any], shape: _Shape) -> str:
        items = self._shape(doc, shape.items) if "array" in shape.types else None
        return (
            f"{shape.type_text()}[{items.type_text()}]" if items is not None else shape.type_text()
        )

    def _retyped(
        self,
        loc: str,
        detail: str,
        what: str,
        prefix: str,
        direction: str,
        a: _Shape,
        b: _Shape,
        with_items: bool = False,
    ) -> bool:
        """Report a type/format change graded by direction; True when the type changed."""
        verdict = _type_verdict(a, b)
        if verdict == "same" and with_items and "array" in a.types and "array" in b.types:
            ia, ib = self._shape(self.old, a.items), self._shape(self.new, b.items)
            if ia is not None and ib is not None:
                verdict = _type_verdict(ia, ib)
        if verdict == "same":
            return False
        if direction == "request":
            rid = f"{prefix}-type-generalized" if verdict == "widened" else f"{prefix}-type-changed"
        else:
            rid = {
                "widened": f"{prefix}-type-generalized",
                "narrowed": f"{prefix}-type-specialized",
            }.get(verdict, f"{prefix}-type-changed")
        word = {"widened": "was widened", "narrowed": "was narrowed"}.get(verdict, "changed")
        self.emit(
            rid,
            loc,
            detail,
            f"the type/format of {what} {word} from {self._sig_text(self.old, a)} "
            f"to {self._sig_text(self.new, b)}",
        )
        return True

    def _schema(
        self,
        loc: str,
        direction: str,
        where: str,
        prop_path: tuple[str, ...],
        old_raw: Any,
        new_raw: Any,
        stack: frozenset[tuple[str, str]],
        depth: int,
    ) -> None:
        a, b = self._shape(self.old, old_raw), self._shape(self.new, new_raw)
        if a is None or b is None or depth > _MAX_DEPTH:
            return
        if not prop_path:
            self._at_operation()
        if b.refs:
            self._ptr = b.refs[-1]
        node_ptr = self._ptr
        pair = (",".join(a.refs), ",".join(b.refs))
        if a.refs and b.refs:
            if pair in stack:
                return  # a recursive schema: this pair is already being compared further up
            stack = stack | {pair}
        detail, what, prefix = _labels(direction, where, prop_path)
        if a.alternatives or b.alternatives:
            self._alternatives(loc, direction, where, prop_path, a, b, stack, depth)
            return
        self._all_of(loc, detail, what, prefix, a, b)
        if self._retyped(loc, detail, what, prefix, direction, a, b):
            return  # what is inside a retyped node is a different thing, not a list of edits
        if a.nullable != b.nullable:
            self.emit(
                f"{prefix}-became-{'nullable' if b.nullable else 'not-nullable'}",
                loc,
                detail,
                f"{what} became {'nullable' if b.nullable else 'not nullable'}",
            )
        if direction == "request":
            enum_rules = {
                "became": "request-property-became-enum",
                "removed": "request-property-enum-value-removed",
                "added": "request-property-enum-value-added",
            }
        else:
            enum_rules = {
                "removed": "response-property-enum-value-removed",
                "added": "response-property-enum-value-added",
            }
        self._constraints(loc, detail, a, b, what, prefix, direction)
        self._default_const(loc, detail, what, prefix, a, b)
        self._discriminator(loc, detail, what, prefix, a, b)
        self._enum(loc, detail, a, b, what, enum_rules)
        self._properties(loc, direction, where, prop_path, a, b, stack, depth)
        self._ptr = node_ptr
        if "array" in a.types and "array" in b.types:
            self._schema(
                loc, direction, where, prop_path + ("items",), a.items, b.items, stack, depth + 1
            )

    def _alternatives(
        self,
        loc: str,
        direction: str,
        where: str,
        prop_path: tuple[str, ...],
        a: _Shape,
        b: _Shape,
        stack: frozenset[tuple[str, str]],
        depth: int,
    ) -> None:
        """oneOf/anyOf: alternatives added or removed (a response that may now be a new kind of
        object is breaking; a request that may be one is not), the kept ones compared."""
        detail, what, prefix = _labels(direction, where, prop_path)
        # a schema that was (or becomes) a single alternative counts as that alternative
        old_alts = a.alternatives or {
            _alt_key(a.refs[-1:] and {"$ref": a.refs[-1]} or a.node): a.node
        }
        new_alts = b.alternatives or {
            _alt_key(b.refs[-1:] and {"$ref": b.refs[-1]} or b.node): b.node
        }
        kind = (b.composition or a.composition).replace("Of", "-of").lower()
        for key in old_alts.keys() - new_alts.keys():
            self.emit(
                f"{prefix}-{kind}-removed",
                loc,
                detail,
                f"removed the alternative {_short(key)} from {what}",
            )
        for key in new_alts.keys() - old_alts.keys():
            self.emit(
                f"{prefix}-{kind}-added",
                loc,
                detail,
                f"added the alternative {_short(key)} to {what}",
            )
        if a.nullable != b.nullable:
            self.emit(
                f"{prefix}-became-{'nullable' if b.nullable else 'not-nullable'}",
                loc,
                detail,
                f"{what} became {'nullable' if b.nullable else 'not nullable'}",
            )
        self._discriminator(loc, detail, what, prefix, a, b)
        for key in sorted(old_alts.keys() & new_alts.keys()):
            self._schema(
                loc, direction, where, prop_path, old_alts[key], new_alts[key], stack, depth + 1
            )

    def _properties(
        self,
        loc: str,
        direction: str,
        where: str,
        prop_path: tuple[str, ...],
        a: _Shape,
        b: _Shape,
        stack: frozenset[tuple[str, str]],
        depth: int,
    ) -> None:
        skip = "readOnly" if direction == "request" else "writeOnly"  # never sent / never received

        holder = self._ptr

        def at(name: str) -> None:
            shared = holder.startswith("#/components/")
            self._ptr = f"{holder}/properties/{escape_token(name)}" if shared else holder

        def flag(doc: Mapping[str, Any], raw: Any, key: str) -> bool:
            node = _deref(doc, raw)
            return isinstance(node, dict) and node.get(key) is True

        def hidden(doc: Mapping[str, Any], raw: Any) -> bool:
            return flag(doc, raw, skip)

        for name in sorted(a.properties.keys() - b.properties.keys()):
            if hidden(self.old, a.properties[name]):
                continue
            at(name)
            detail = where + pointer(*prop_path, name)
            shown = "/".join(prop_path + (name,))
            if direction == "request":
                self.emit(
                    "request-property-removed", loc, detail, f"removed the request property {shown}"
                )
            else:
                kind = "required" if name in a.required else "optional"
                self.emit(
                    f"response-{kind}-property-removed",
                    loc,
                    detail,
                    f"removed the {kind} property {shown} from the response",
                )
        for name in sorted(b.properties.keys() - a.properties.keys()):
            if hidden(self.new, b.properties[name]):
                continue
            at(name)
            detail = where + pointer(*prop_path, name)
            shown = "/".join(prop_path + (name,))
            kind = "required" if name in b.required else "optional"
            rid = (
                f"new-{kind}-request-property"
                if direction == "request"
                else f"response-{kind}-property-added"
            )
            self.emit(rid, loc, detail, f"added the {kind} {direction} property {shown}")
        for name in sorted(a.properties.keys() & b.properties.keys()):
            old_p, new_p = a.properties[name], b.properties[name]
            at(name)
            detail = where + pointer(*prop_path, name)
            shown = "/".join(prop_path + (name,))
            kind = "required" if name in b.required else "optional"
            for key in ("readOnly", "writeOnly"):
                was, now = flag(self.old, old_p, key), flag(self.new, new_p, key)
                if was != now:
                    spelled = "read-only" if key == "readOnly" else "write-only"
                    rid = f"{direction}-{kind}-property-became-{'' if now else 'not-'}{spelled}"
                    if rid in RULE_IDS:
                        self.emit(
                            rid,
                            loc,
                            detail,
                            f"the {direction} property {shown} became {'' if now else 'not '}{key}",
                        )
            if hidden(self.old, old_p) and hidden(self.new, new_p):
                continue
            if hidden(self.old, old_p) or hidden(self.new, new_p):
                continue  # appears or disappears on this side: reported as the flip above
            was, now = name in a.required, name in b.required
            if was != now:
                self.emit(
                    f"{direction}-property-became-{'required' if now else 'optional'}",
                    loc,
                    detail,
                    f"the {direction} property {shown} became {'required' if now else 'optional'}",
                )
            self._lifecycle(
                loc,
                detail,
                f"the {direction} property {shown}",
                f"{direction}-property",
                _deref(self.old, old_p),
                _deref(self.new, new_p),
            )
            self._schema(loc, direction, where, prop_path + (name,), old_p, new_p, stack, depth + 1)

    def _enum(
        self, loc: str, detail: str, a: _Shape, b: _Shape, what: str, rules: dict[str, str]
    ) -> None:
        if a.enum is None and b.enum is not None:
            if "became" in rules:
                self.emit(
                    rules["became"],
                    loc,
                    detail,
                    f"{what} was restricted to the enum values {list(b.enum)}",
                )
            return
        if a.enum is None or b.enum is None:
            return
        for value in a.enum:
            if value not in b.enum:
                self.emit(
                    rules["removed"], loc, detail, f"removed the enum value {_fmt(value)} of {what}"
                )
        for value in b.enum:
            if value not in a.enum:
                self.emit(
                    rules["added"], loc, detail, f"added the enum value {_fmt(value)} to {what}"
                )

    def _constraints(
        self, loc: str, detail: str, a: _Shape, b: _Shape, what: str, prefix: str, direction: str
    ) -> None:
        """Numeric, length and item bounds, graded by direction (see rules._BOUNDS), and pattern."""
        for name, keyword in BOUND_KEYWORDS.items():
            before, after = _number(a.node.get(keyword)), _number(b.node.get(keyword))
            if before == after:
                continue
            if before is None:
                change, text = "set", f"was set to {_fmt(after)}"
            elif after is None:
                change, text = "unset", f"was removed (it was {_fmt(before)})"
            else:
                up = after > before
                change = "increased" if up else "decreased"
                text = f"was {change} from {_fmt(before)} to {_fmt(after)}"
            rid = f"{prefix}-{name}-{change}"
            if rid in RULE_IDS:
                self.emit(rid, loc, detail, f"{keyword} of {what} {text}")
        if a.pattern != b.pattern:
            if b.pattern is None:
                rid, text = "pattern-removed", f"was removed (it was {a.pattern!r})"
            elif a.pattern is None:
                rid, text = "pattern-added", f"was set to {b.pattern!r}"
            else:
                rid, text = "pattern-changed", f"changed from {a.pattern!r} to {b.pattern!r}"
            full = f"{prefix}-{rid}"
            if full in RULE_IDS:
                self.emit(full, loc, detail, f"the pattern of {what} {text}")

    def _default_const(
        self,
        loc: str,
        detail: str,
        what: str,
        prefix: str,
        a: _Shape,
        b: _Shape,
        const: bool = True,
    ) -> None:
        for key, word in (("default", "default-value"), ("const", "const")):
            if key == "const" and not const:
                continue
            has_a, has_b = key in a.node, key in b.node
            va, vb = a.node.get(key), b.node.get(key)
            if has_a and has_b and va != vb:
                change, text = "changed", f"changed from {_fmt(va)} to {_fmt(vb)}"
            elif has_b and not has_a:
                change, text = "added", f"was set to {_fmt(vb)}"
            elif has_a and not has_b:
                change, text = "removed", f"was removed (it was {_fmt(va)})"
            else:
                continue
            self.emit(f"{prefix}-{word}-{change}", loc, detail, f"the {key} of {what} {text}")

    def _all_of(self, loc: str, detail: str, what: str, prefix: str, a: _Shape, b: _Shape) -> None:
        """allOf parts added or removed; what they bring is compared merged, property by
        property, as well."""
        if (a.types, a.required, a.properties.keys()) == (b.types, b.required, b.properties.keys()):
            return  # the same merged schema, regrouped: the properties are compared one by one
        parts_a, parts_b = a.node.get("allOf"), b.node.get("allOf")
        keys_a = {_alt_key(p) for p in parts_a} if isinstance(parts_a, list) else set()
        keys_b = {_alt_key(p) for p in parts_b} if isinstance(parts_b, list) else set()
        for key in sorted(keys_a - keys_b):
            self.emit(
                f"{prefix}-all-of-removed",
                loc,
                detail,
                f"removed the allOf part {_short(key)} of {what}",
            )
        for key in sorted(keys_b - keys_a):
            self.emit(
                f"{prefix}-all-of-added",
                loc,
                detail,
                f"added the allOf part {_short(key)} to {what}",
            )

    def _discriminator(
        self, loc: str, detail: str, what: str, prefix: str, a: _Shape, b: _Shape
    ) -> None:
        da, db = a.node.get("discriminator"), b.node.get("discriminator")
        da = da if isinstance(da, dict) else None
        db = db if isinstance(db, dict) else None
        if da is None and db is None:
            return
        if da is None or db is None:
            change = "added" if da is None else "removed"
            self.emit(
                f"{prefix}-discriminator-{change}",
                loc,
                detail,
                f"the discriminator of {what} was {change}",
            )
            return
        if da.get("propertyName") != db.get("propertyName"):
            self.emit(
                f"{prefix}-discriminator-property-name-changed",
                loc,
                detail,
                f"the discriminator property of {what} changed from "
                f"{_fmt(da.get('propertyName'))} to {_fmt(db.get('propertyName'))}",
            )
        raw_a, raw_b = da.get("mapping"), db.get("mapping")
        ma: dict[str, Any] = raw_a if isinstance(raw_a, dict) else {}
        mb: dict[str, Any] = raw_b if isinstance(raw_b, dict) else {}
        for value in sorted(ma.keys() | mb.keys()):
            if value not in mb:
                change = "deleted"
            elif value not in ma:
                change = "added"
            elif ma[value] != mb[value]:
                change = "changed"
            else:
                continue
            self.emit(
                f"{prefix}-discriminator-mapping-{change}",
                loc,
                detail,
                f"the discriminator mapping {_fmt(value)} of {what} was {change}",
            )

    def _lifecycle(self, loc: str, detail: str, what: str, prefix: str, old: Any, new: Any) -> None:
        """deprecated flips of a parameter or property."""
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        was, now = old.get("deprecated") is True, new.get("deprecated") is True
        if was != now:
            change = "deprecated" if now else "reactivated"
            self.emit(f"{prefix}-{change}", loc, detail, f"{what} was {change}")

    # security, servers, components --------------------------------------------------------------

    def _op_security(self, loc: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        self._at_operation()
        if "security" not in old and "security" not in new:
            return
        old_req = _requirements(old.get("security", self.old.get("security")))
        new_req = _requirements(new.get("security", self.new.get("security")))
        for req in sorted(old_req - new_req):
            self.emit(
                "api-security-removed",
                loc,
                "security",
                f"the security requirement {_req_text(req)} was removed",
            )
        for req in sorted(new_req - old_req):
            self.emit(
                "api-security-added",
                loc,
                "security",
                f"the security requirement {_req_text(req)} was added",
            )

    def _security(self) -> None:
        old_req, new_req = (
            _requirements(self.old.get("security")),
            _requirements(self.new.get("security")),
        )
        for req in sorted(old_req - new_req):
            self.emit(
                "api-global-security-removed",
                "#/security",
                "",
                f"the security requirement {_req_text(req)} was removed",
            )
        for req in sorted(new_req - old_req):
            self.emit(
                "api-global-security-added",
                "#/security",
                "",
                f"the security requirement {_req_text(req)} was added",
            )
        old_schemes, new_schemes = _schemes(self.old), _schemes(self.new)
        for name in sorted(old_schemes.keys() - new_schemes.keys()):
            self.emit(
                "api-security-component-removed",
                pointer("components", "securitySchemes", name),
                "",
                f"the security scheme {name!r} was removed",
            )
        for name in sorted(new_schemes.keys() - old_schemes.keys()):
            self.emit(
                "api-security-component-added",
                pointer("components", "securitySchemes", name),
                "",
                f"the security scheme {name!r} was added",
            )
        for name in sorted(old_schemes.keys() & new_schemes.keys()):
            a, b = _deref(self.old, old_schemes[name]), _deref(self.new, new_schemes[name])
            sig_a, sig_b = _scheme_sig(a), _scheme_sig(b)
            if sig_a != sig_b:
                self.emit(
                    "api-security-component-type-changed",
                    pointer("components", "securitySchemes", name),
                    "",
                    f"the security scheme {name!r} changed from {sig_a} to {sig_b}",
                )

    def _servers(self) -> None:
        old, new = _server_urls(self.old), _server_urls(self.new)
        for url in sorted(set(old) - set(new)):
            self.emit("server-removed", "#/servers", "", f"the server {url} was removed")
        for url in sorted(set(new) - set(old)):
            self.emit("server-added", "#/servers", "", f"the server {url} was added")
        if old and new and old[0] != new[0]:
            self.emit(
                "default-server-changed",
                "#/servers",
                "0",
                f"the default server (the client's default base URL) changed from {old[0]} to {new[0]}",
            )

    def _schemas_removed(self) -> None:
        old, new = _component_schemas(self.old), _component_schemas(self.new)
        added = sorted(new.keys() - old.keys())
        for name in sorted(old.keys() - new.keys()):
            twins = [n for n in added if _same_schema(old[name], new[n], name, n)]
            if len(twins) == 1:
                added.remove(twins[0])
                self.emit(
                    "api-schema-renamed",
                    pointer("components", "schemas", name),
                    "",
                    f"the schema {name} was renamed to {twins[0]} (its model is renamed)",
                    pointer("components", "schemas", twins[0]),
                )
                continue
            self.emit(
                "api-schema-removed",
                pointer("components", "schemas", name),
                "",
                f"removed the schema {name}",
            )

    def _unresolved(self) -> None:
        for side, ref in sorted(self.unresolved):
            if side == "working tree":
                self.emit("spec-ref-unresolved", ref, "", f"the $ref {ref!r} does not resolve")


def _sunset(op: dict[str, Any]) -> str | None:
    value = op.get("x-sunset")  # YAML reads an unquoted 2026-01-01 as a date
    return (
        value.isoformat()
        if isinstance(value, datetime.date)
        else value if isinstance(value, str) else None
    )


def _today() -> str:
    return datetime.date.today().isoformat()


def _headers(doc: Mapping[str, Any], response: dict[str, Any]) -> dict[str, dict[str, Any]]:
    raw = response.get("headers")
    if not isinstance(raw, dict):
        return {}
    found = {str(k).lower(): _deref(doc, v) for k, v in raw.items()}
    return {k: v for k, v in found.items() if isinstance(v, dict)}


def _first_tag(op: dict[str, Any]) -> str | None:
    tags = op.get("tags")
    return str(tags[0]) if isinstance(tags, list) and tags else None


def _content(holder: dict[str, Any]) -> dict[str, dict[str, Any]]:
    content = holder.get("content")
    if not isinstance(content, dict):
        return {}
    return {str(k): v if isinstance(v, dict) else {} for k, v in content.items()}


def _requirements(raw: Any) -> set[tuple[tuple[str, tuple[str, ...]], ...]]:
    """Each alternative of a security list as a sorted tuple of (scheme, scopes)."""
    if not isinstance(raw, list):
        return set()
    found = set()
    for alt in raw:
        if isinstance(alt, dict):
            found.add(
                tuple(sorted((str(k), tuple(sorted(map(str, v or [])))) for k, v in alt.items()))
            )
    return found


def _req_text(req: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    if not req:
        return "{} (anonymous access)"
    return " + ".join(f"{name}{list(scopes) if scopes else ''}" for name, scopes in req)


def _schemes(doc: Mapping[str, Any]) -> dict[str, Any]:
    comps = doc.get("components")
    schemes = comps.get("securitySchemes") if isinstance(comps, dict) else None
    return {str(k): v for k, v in schemes.items()} if isinstance(schemes, dict) else {}


def _scheme_sig(scheme: Any) -> str:
    if not isinstance(scheme, dict):
        return "?"
    parts = [str(scheme.get("type"))]
    for key in ("scheme", "in", "name"):
        if key in scheme:
            parts.append(f"{key}={scheme[key]}")
    return " ".join(parts)


def _server_urls(doc: Mapping[str, Any]) -> list[str]:
    servers = doc.get("servers")
    if not isinstance(servers, list):
        return []
    return [str(s["url"]) for s in servers if isinstance(s, dict) and "url" in s]


def _component_schemas(doc: Mapping[str, Any]) -> dict[str, Any]:
    comps = doc.get("components")
    schemas = comps.get("schemas") if isinstance(comps, dict) else None
    return {str(k): v for k, v in schemas.items()} if isinstance(schemas, dict) else {}


def _same_schema(old: Any, new: Any, old_name: str, new_name: str) -> bool:
    """Equal content, a self-reference renamed along with the schema counting as equal."""
    old_ref, new_ref = pointer("components", "schemas", old_name), pointer(
        "components", "schemas", new_name
    )
    text = json.dumps(old, sort_keys=True, default=str).replace(
        json.dumps(old_ref), json.dumps(new_ref)
    )
    return text == json.dumps(new, sort_keys=True, default=str)
