"""Generated tests of each package (issue 5): rendered from the same model as the client.

Every expectation is worked out here, at generation time, from the spec alone (examples, schemas,
the documented status codes and the exception tree), never by calling the runtime: a test that
asked the client what to expect could not catch the client being wrong. Values reach the test
modules only through `pyrepr`; the only code built here is annotation text from the model and
fixed names.
"""

from __future__ import annotations

import ast
import base64
import binascii
import contextlib
import copy
import datetime as dt
import functools
import hashlib
import io
import itertools
import json
import mimetypes
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import quote

import jinja2

from generator.atomic import TextCache, code_salt
from generator.diagnostics import escape_token, split_pointer
from generator.ends import mapped
from generator.model import (
    Api,
    Body,
    FileUpload,
    Operation,
    Param,
    Resource,
    Response,
    SecurityScheme,
)
from generator.render import fingerprint, outline, prune_imports, pyrepr, render_salt
from generator.split import name_ids

API_KEY = "test-key"
USERNAME, PASSWORD = "test-user", "test-pass"
TEST_BASE_URL = "https://api.test.example"  # for specs that name no absolute server
PATH_STRING = "abc/123"  # a str path value with a "/": proves percent-encoding
BINARY_BODY = b"%PDF-1.4 specgen test body"
TEXT_BODY = "specgen test body"
TEXT_ERROR = "specgen error body"
UNTYPED_BODY = {"undocumented": ["body", 1, None]}  # the answer to a success documented without content
NEXT_CURSOR = "specgen-cursor-2"
UPLOAD_NAME = "specgen-upload.pdf"  # the file name of an upload whose example names none
_CONTENT = {"binary_body": BINARY_BODY, "text_body": TEXT_BODY.encode()}

# The documented exception tree (templates/runtime/_exceptions.py), restated on purpose.
_ERROR_CLASSES = {
    400: "BadRequestError",
    401: "AuthenticationError",
    403: "PermissionDeniedError",
    404: "NotFoundError",
    409: "ConflictError",
    422: "UnprocessableEntityError",
    429: "RateLimitError",
}
# Keywords whose values are data, not schemas: copied as they are.
_DATA_KEYWORDS = frozenset({"enum", "const", "default", "example", "examples"})
# Annotations that do not constrain a value: dropped to keep the embedded schemas short.
_ANNOTATIONS = frozenset(
    {"description", "title", "example", "examples", "externalDocs", "xml", "discriminator", "$comment", "deprecated"}
)
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})
_IDENT = re.compile(r"\b[A-Z][A-Za-z0-9_]*\b")
_PLAIN = {"str": str, "int": int, "float": float, "bool": bool}


def error_class(status: int) -> str:
    if status >= 500:
        return "InternalServerError"
    return _ERROR_CLASSES.get(status, "APIStatusError")


def credentials(scheme: SecurityScheme) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """The headers and query pairs that carry the test credentials under `scheme`."""
    if scheme.kind == "basic":
        return {"Authorization": "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()}, []
    if scheme.kind == "bearer":
        return {"Authorization": "Bearer " + API_KEY}, []
    if scheme.kind == "header":
        return {scheme.param_name: API_KEY}, []
    if scheme.kind == "cookie":
        return {"Cookie": f"{scheme.param_name}={API_KEY}"}, []
    return {}, [(scheme.param_name, API_KEY)]


# -- schemas ----------------------------------------------------------------------------------


class Schemas:
    """$ref resolution, embedded JSON Schemas and synthesised values over one document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        # For the validators: each $ref target walked once per direction, under a name of its own
        # ($defs shared by every validator), and one check per schema (kept with the schema, so
        # that its id is not reused while the check is cached).
        self._defs: dict[bool, dict[str, Any]] = {True: {}, False: {}}
        self._def_names: dict[tuple[str, bool], str] = {}
        self._checks: dict[tuple[int, bool], tuple[Any, Callable[[Any], bool]]] = {}

    def deref(self, node: Any) -> Any:
        for _ in range(64):
            if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
                return node
            node = self._at(node["$ref"])
        return {}

    def _at(self, ref: str) -> Any:
        node: Any = self.document
        try:
            for token in split_pointer(ref):
                node = node[int(token)] if isinstance(node, list) else node[token]
        except (KeyError, IndexError, ValueError, TypeError):
            return {}
        return node

    def embedded(self, schema: Any, *, request: bool) -> dict[str, Any]:
        """A self-contained JSON Schema: every $ref target copied into `$defs`. In a request,
        readOnly properties are neither allowed nor required (OpenAPI's reading of readOnly)."""
        defs: dict[str, Any] = {}
        names: dict[str, str] = {}

        def name_of(ref: str) -> str:
            if ref not in names:
                tokens = split_pointer(ref)
                base = tokens[-1] if tokens[:2] == ["components", "schemas"] else ".".join(tokens)
                name, n = base or "root", 2
                while name in names.values():
                    name, n = f"{base}{n}", n + 1
                names[ref] = name
                defs[name] = {}
                defs[name] = self._walk(self._at(ref), request, name_of)
            return names[ref]

        root = self._walk(schema if isinstance(schema, dict) else {}, request, name_of)
        if defs:
            root["$defs"] = defs
        return root if isinstance(root, dict) else {}

    def _walk(self, node: Any, request: bool, name_of: Callable[[str], str]) -> Any:
        """`node` as embedded() writes it, each local $ref pointing at `#/$defs/<name_of(ref)>`."""
        if isinstance(node, list):
            return [self._walk(item, request, name_of) for item in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            key = str(key)
            if key == "$ref" and isinstance(value, str) and value.startswith("#"):
                out[key] = "#/$defs/" + escape_token(name_of(value))
            elif key in _ANNOTATIONS or key.startswith("x-"):
                continue
            elif key in _DATA_KEYWORDS:
                out[key] = copy.deepcopy(value)
            elif key in _NAME_MAPS and isinstance(value, dict):
                out[key] = {str(k): self._walk(v, request, name_of) for k, v in value.items()}
            else:
                out[key] = self._walk(value, request, name_of)
        if request and isinstance(out.get("properties"), dict):
            hidden = {k for k, v in (node.get("properties") or {}).items() if self._read_only(v)}
            if hidden:
                out["properties"] = {k: v for k, v in out["properties"].items() if k not in hidden}
                if isinstance(out.get("required"), list):
                    out["required"] = [r for r in out["required"] if r not in hidden]
        return out

    def _shared_name(self, ref: str, request: bool) -> str:
        """The name of a $ref target among the validators' shared `$defs` (walked on first use)."""
        key = (ref, request)
        if key not in self._def_names:
            name = self._def_names[key] = f"d{len(self._def_names)}"
            defs = self._defs[request]
            defs[name] = {}
            defs[name] = self._walk(self._at(ref), request, lambda inner: self._shared_name(inner, request))
        return self._def_names[key]

    def wire_paths(self, schema: Any, value: Any, path: tuple[str | int, ...] = (), depth: int = 0) -> list[Any]:
        """Where `value` (valid against `schema`) holds a vendor-format string: [(path, format)].
        The parsed value must hold the Python type there (a date, a Decimal), not the string."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 24:
            return []
        wire = schema.get("x-wire-format")
        if wire in ("date-dmy", "decimal-2dp"):
            return [(list(path), wire)] if isinstance(value, str) else []
        found: list[Any] = []
        for part in schema.get("allOf") or []:
            found += self.wire_paths(part, value, path, depth + 1)
        if isinstance(value, dict):
            props = schema.get("properties") or {}
            for key, item in value.items():
                if key in props:
                    found += self.wire_paths(props[key], item, (*path, key), depth + 1)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            for index, item in enumerate(value):
                found += self.wire_paths(schema["items"], item, (*path, index), depth + 1)
        return found

    def validity(self, schema: Any, *, request: bool) -> Callable[[Any], bool]:
        """A check of values against `schema`, as the generated tests check the wire (built once
        per schema; a schema jsonschema cannot read gives no verdict, so every value passes).
        It validates as embedded() would, with the $ref targets shared between validators rather
        than copied into each (Stripe: a response reaches hundreds of schemas)."""
        key = (id(schema), request)
        if key not in self._checks:
            self._checks[key] = (schema, self._check(schema, request))
        return self._checks[key][1]

    def _check(self, schema: Any, request: bool) -> Callable[[Any], bool]:
        from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

        try:
            refs: list[str] = []

            def name_of(ref: str) -> str:
                refs.append(ref)
                return self._shared_name(ref, request)

            root = self._walk(schema if isinstance(schema, dict) else {}, request, name_of)
            embedded = root if isinstance(root, dict) else {}
            if refs:
                embedded["$defs"] = dict(self._defs[request])
            validator = Draft202012Validator(embedded, format_checker=_format_checker())
        except Exception:  # noqa: BLE001 - any schema jsonschema cannot read
            return lambda value: True

        def check(value: Any) -> bool:
            try:
                return bool(validator.is_valid(value))
            except Exception:  # noqa: BLE001 - e.g. a pattern Python's re cannot compile
                return True

        return check

    def conforms(self, value: Any, schema: Any, *, request: bool) -> bool:
        return self.validity(schema, request=request)(value)

    def sample(self, has_example: bool, example: Any, schema: Any, *, request: bool) -> tuple[Any, str]:
        """The spec's example when it matches its schema, else a value synthesised from the schema
        (public specs ship examples that contradict their schemas), and a note saying which."""
        valid = self.validity(schema, request=request)

        def fits(value: Any) -> bool:
            return valid(value) and self._declared(value, schema)

        if has_example and fits(example):
            return self._writable(example, schema, request), ""
        value = self.synthesise(schema)
        if not fits(value):  # the schemas' own examples can be as wrong as the operation's
            value = self.synthesise(schema, examples=False)
        if request:  # every argument on the wire once, when the schema takes them all together
            full = self._with_optional(value, schema)
            value = full if full is not value and fits(full) else value
        why = "does not match its schema" if has_example else "is missing"
        return self._writable(value, schema, request), f"the spec's example {why}: the body is synthesised from its schema."

    def _with_optional(self, value: Any, schema: Any) -> Any:
        """`value` (a synthesised object) with each optional property of its schema's own, top
        level only; `value` itself when there is none to add."""
        resolved = self.deref(schema)
        props = resolved.get("properties") if isinstance(resolved, dict) else None
        if not isinstance(value, dict) or not isinstance(props, dict):
            return value
        added = {
            name: item
            for name, prop in props.items()
            if name not in value and not self._read_only(prop)
            for item in [self.synthesise(prop, 1)]
            if item is not None
        }
        return {**value, **added} if added else value

    def _writable(self, value: Any, schema: Any, request: bool) -> Any:
        """A request body without its readOnly properties: the field arguments leave them out, so
        the body they send could never equal one that has them (a Pet example with its id)."""
        resolved = self.deref(schema)
        props = resolved.get("properties") if request and isinstance(resolved, dict) else None
        if not isinstance(value, dict) or not isinstance(props, dict):
            return value
        return {k: v for k, v in value.items() if not self._read_only(props.get(k))}

    def _read_only(self, schema: Any) -> bool:
        resolved = self.deref(schema)
        return isinstance(resolved, dict) and resolved.get("readOnly") is True

    def _declared(self, value: Any, schema: Any, depth: int = 0) -> bool:
        """Whether every object in `value` is an object where its schema has properties, with
        only declared properties: the client refuses undeclared request fields and the models
        read objects only (JSON Schema alone lets a string pass a schema without `type`)."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 12 or any(k in schema for k in ("allOf", "anyOf", "oneOf")):
            return True
        props = schema.get("properties")
        if isinstance(props, dict) and props:
            if not isinstance(value, dict):
                return False
            if not schema.get("additionalProperties") and not set(value) <= set(props):
                return False
            return all(self._declared(v, props[k], depth + 1) for k, v in value.items() if k in props)
        items = schema.get("items")
        if isinstance(value, list) and isinstance(items, dict):
            return all(self._declared(v, items, depth + 1) for v in value)
        return True

    def synthesise(self, schema: Any, depth: int = 0, examples: bool = True) -> Any:
        """A small value valid against `schema`: required properties only, one array item. With
        examples=False the schema's examples are ignored (some contradict the schema)."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 12:
            return None
        if examples and "example" in schema:
            return copy.deepcopy(schema["example"])
        if examples and isinstance(schema.get("examples"), list) and schema["examples"]:
            return copy.deepcopy(schema["examples"][0])
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return copy.deepcopy(next((e for e in schema["enum"] if e is not None), schema["enum"][0]))
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self.synthesise(part, depth + 1, examples)
                if isinstance(value, dict):
                    merged.update(value)
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            own = self.synthesise(rest, depth + 1, examples) if rest.get("properties") else {}
            return {**merged, **(own if isinstance(own, dict) else {})}
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                typed = [o for o in options if self.deref(o).get("type") != "null"] or options
                rest = {k: v for k, v in schema.items() if k != key}
                # GitHub's `{properties, anyOf: [{required: [a]}, {required: [b]}]}`: an option
                # constrains the object its siblings describe, so it is synthesised with them
                if key == "anyOf":
                    return self.synthesise(_with_option(rest, self.deref(typed[0])), depth + 1, examples)
                candidates = [_with_option(rest, self.deref(o)) for o in typed]
                # oneOf: the first value exactly one option takes (required properties only, then
                # all of the option's own, which tell it from an option that requires nothing)
                whole = self.validity(schema, request=False)
                values = (
                    self.synthesise(_filled(c) if full else c, depth + 1, examples)
                    for c in candidates
                    for full in (False, True)
                )
                first = next(values)
                return first if whole(first) else next((v for v in values if whole(v)), first)
        kind = _schema_type(schema)
        if kind == "object":
            required = schema.get("required") or []
            props = schema.get("properties") or {}
            return {name: self.synthesise(props.get(name, {}), depth + 1, examples) for name in required}
        if kind == "array":
            count = max(1, int(schema.get("minItems") or 0))
            return [self.synthesise(schema.get("items") or {}, depth + 1, examples) for _ in range(count)]
        if kind == "integer":
            low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1 if "exclusiveMinimum" in schema else 1)
            return int(low)
        if kind == "number":
            return float(schema.get("minimum", 1.5))
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return _string_value(schema)


@functools.cache
def _format_checker() -> Any:
    """jsonschema's format checks, with `uri` checked as the models check it: without the optional
    rfc3987 package jsonschema passes any text, and GitHub's example `hello-world.github.io` for
    a `uri` would be a response the client's URL type refuses."""
    from urllib.parse import urlsplit

    from jsonschema import FormatChecker  # type: ignore[import-untyped,unused-ignore]

    checker = FormatChecker()
    checker.checks("uri")(lambda value: not isinstance(value, str) or bool(urlsplit(value).scheme))
    return checker


def _with_option(rest: dict[str, Any], option: Any) -> dict[str, Any]:
    """An object schema and one option of its oneOf/anyOf as one schema: both sets of properties
    (the option's win) and of required names."""
    if not isinstance(option, dict):
        return rest
    merged = {**rest, **{k: v for k, v in option.items() if k not in ("properties", "required")}}
    props = {**(rest.get("properties") or {}), **(option.get("properties") or {})}
    required = [*(rest.get("required") or []), *(option.get("required") or [])]
    if props:
        merged["properties"] = props
    if required:
        merged["required"] = list(dict.fromkeys(required))
    return merged


def _filled(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` requiring every property it declares."""
    props = schema.get("properties")
    return {**schema, "required": list(props)} if isinstance(props, dict) and props else schema


def _schema_type(schema: dict[str, Any]) -> str:
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else [t for t in raw or [] if isinstance(t, str)]
    types = [t for t in types if t != "null"] or types
    if types:
        return types[0]
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _string_value(schema: dict[str, Any]) -> str:
    wire = schema.get("x-wire-format")
    if wire == "date-dmy":
        return "28-01-2021"
    if wire == "decimal-2dp":
        return "100.00"
    by_format = {
        "date": "2021-01-28",
        "date-time": "2021-01-28T10:30:00+00:00",
        "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        "email": "user@example.com",
        "uri": "https://example.com/specgen",
        "url": "https://example.com/specgen",
        "byte": "c3BlY2dlbg==",
        # formats the models parse into a type of their own (Stripe's amounts are `decimal`)
        "decimal": "1.5",
        "time": "10:30:00",
        "ipv4": "192.0.2.1",
        "ipv6": "2001:db8::1",
    }
    text = by_format.get(str(schema.get("format")), "specgen")
    low = int(schema.get("minLength") or 0)
    text = text.ljust(low, "x")
    limit = schema.get("maxLength")
    if isinstance(limit, int) and limit > 0 and "format" not in schema:
        text = text[: int(limit)]
    pattern = schema.get("pattern")
    # These formats keep their value: one made from the pattern would not parse as a date or uuid.
    parsed = schema.get("format") in ("date", "date-time", "uuid")
    if isinstance(pattern, str) and not parsed and not _meets(pattern, text):
        high = int(limit) if isinstance(limit, int) else None
        text = _pattern_value(pattern, low, high) or text
    return text


def _meets(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except Exception:  # noqa: BLE001 - not Python's syntax (\p{L}): no verdict, the value stays
        return True


def _pattern_value(pattern: str, low: int, high: int | None) -> str | None:
    """The first string of exrex's enumeration (fixed order: the same output every run) that
    `pattern` finds, as JSON Schema does with re.search, within the length bounds (exrex ignores
    anchors and lookarounds). None when none of the first thousand fits or exrex cannot read it."""
    try:
        import exrex  # type: ignore[import-untyped,unused-ignore]  # here: few specs need it

        with contextlib.redirect_stdout(io.StringIO()):  # exrex prints the syntax it skips
            candidates = [str(c) for c in itertools.islice(exrex.generate(pattern, limit=20), 1000)]
    except Exception:  # noqa: BLE001 - syntax exrex cannot read
        return None
    # the enumeration goes shortest first: a long minimum (a 40-digit sha, `^[0-9a-f]+$`) is only
    # reached by repeating a short match
    repeated = (c * -(-low // len(c)) for c in candidates[:50] if c and len(c) < low)
    for text in itertools.chain(candidates, repeated):
        if low <= len(text) and (high is None or len(text) <= high) and _meets(pattern, text):
            return text
    return None


# -- values of parameters -----------------------------------------------------------------


@dataclass
class Value:
    """One parameter value: the Python expression passed, and its expected wire text."""

    expr: str
    wire: list[str]  # several for an array (a repeated query key)
    literal: Any = None  # the JSON literal behind expr


def param_value(param: Param, schemas: Schemas) -> Value:
    schema = schemas.deref(param.schema) or {}
    plain_str = (
        param.annotation == "str" and not schema.get("format") and not schema.get("pattern")
        and not schema.get("enum") and not schema.get("maxLength")
    )
    if param.has_example and schemas.conforms(param.example, param.schema, request=True):
        literal = param.example
    elif param.location == "path" and plain_str:
        literal = PATH_STRING
    elif param.has_default:
        literal = param.default
    else:
        literal = schemas.synthesise(schema)
        if not schemas.conforms(literal, schema, request=True):  # the schema's own example is off
            literal = schemas.synthesise(schema, examples=False)
    try:
        wire = _wire_texts(schema, literal, param.wire_format, schemas)
    except ValueError:
        # Specs in the wild give examples that contradict their own format (a date-time as the
        # example of a `format: date`); such a value would not survive the client's own parsing.
        bare = {k: v for k, v in schema.items() if k != "default"}
        literal = schemas.synthesise(bare, examples=False)
        wire = _wire_texts(schema, literal, param.wire_format, schemas)
    return Value(python_expr(param.annotation, literal), wire, literal)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return _json_text(value)
    return str(value)


def _json_text(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# A body property's Encoding Object when it has none: (style, explode, allowReserved, contentType).
_NO_ENCODING: tuple[str, bool, bool, str | None] = ("form", True, False, None)


def _deep_pairs(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() if v is not None for p in _deep_pairs(f"{prefix}[{k}]", v)]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) if v is not None for p in _deep_pairs(f"{prefix}[{i}]", v)]
    return [(prefix, _text(value))]


def styled_wire(param: Param, value: Any) -> list[tuple[str, str]]:
    """The decoded wire form of a styled parameter, worked out from the OpenAPI Style Examples
    table (independently of the runtime): query and cookie (name, value) pairs; for a path or a
    header one ("", text) pair, the path's percent-encoded."""
    if param.media_type is not None:  # a `content` parameter: its value's JSON text, a string's quoted
        return [(param.wire_name, _json_text(value))]
    return _styled(param.wire_name, param.location, param.style, param.explode, value)


def form_wire(value: dict[str, Any], encoding: dict[str, tuple[str, bool, bool, str | None]]) -> list[tuple[str, str]]:
    """The decoded (name, value) pairs of an application/x-www-form-urlencoded body: each property
    as a query parameter in its Encoding Object's style (default form, exploded), or its JSON text
    when its contentType is JSON."""
    pairs: list[tuple[str, str]] = []
    for key, item in value.items():
        if item is None:
            continue
        style, explode, _reserved, content_type = encoding.get(key, _NO_ENCODING)
        if content_type is not None and "json" in content_type:
            pairs.append((key, _json_text(item)))
        else:
            pairs += _styled(key, "query", style, explode, item)
    return pairs


def multipart_wire(
    value: dict[str, Any], schema: Any, encoding: dict[str, tuple[str, bool, bool, str | None]], schemas: Schemas
) -> list[tuple[str, str, Any]]:
    """(name, "field" | "file" | "json", value) of each part of a multipart/form-data body: a
    `format: binary` property is a file (its bytes), an object, an array of objects or arrays or a
    property of JSON contentType one JSON part, an array of scalars a field per item, a scalar a
    field."""
    props = schema.get("properties") if isinstance(schema, dict) else None
    parts: list[tuple[str, str, Any]] = []
    for key, item in value.items():
        if item is None:
            continue
        prop = schemas.deref((props or {}).get(key)) or {}
        content_type = encoding.get(key, _NO_ENCODING)[3]
        nested = isinstance(item, dict) or (isinstance(item, list) and any(isinstance(v, (dict, list)) for v in item))
        if isinstance(prop, dict) and prop.get("format") == "binary" and isinstance(item, str):
            parts.append((key, "file", item.encode()))
        elif nested or (content_type is not None and "json" in content_type):
            parts.append((key, "json", item))
        elif isinstance(item, list):
            parts += [(key, "field", _text(v)) for v in item if v is not None]
        else:
            parts.append((key, "field", _text(item)))
    return parts


def _styled(name: str, location: str, style: str, explode: bool, value: Any) -> list[tuple[str, str]]:
    if location == "query" and style == "deepObject":
        pairs = _deep_pairs(name, value)
    else:
        items = (
            [(str(k), _text(v)) for k, v in value.items() if v is not None] if isinstance(value, dict) else None
        )
        flat = [p for pair in items for p in pair] if items is not None else (
            [_text(v) for v in value] if isinstance(value, list) else [_text(value)]
        )
        sep = {"spaceDelimited": " ", "pipeDelimited": "|"}.get(style, ",")
        if location in ("query", "cookie"):
            if explode and items is not None:
                pairs = items
            elif explode and isinstance(value, list):
                pairs = [(name, v) for v in flat]
            else:
                pairs = [(name, sep.join(flat))]
        elif location == "header":
            pairs = [("", ",".join(f"{k}={v}" for k, v in items) if explode and items is not None else ",".join(flat))]
        else:
            enc = [quote(v, safe="") for v in flat]
            if explode and items is not None:
                kv = [f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in items]
                joined = {"label": ".", "matrix": ";"}.get(style, ",").join(kv)
                text = {"label": ".", "matrix": ";"}.get(style, "") + joined
            elif style == "matrix":
                text = "".join(f";{name}={v}" for v in enc) if explode else f";{name}={','.join(enc)}"
            elif style == "label":
                text = "." + ("." if explode else ",").join(enc)
            else:
                text = ",".join(enc)
            pairs = [("", text)]
    return pairs


def _wire_texts(schema: dict[str, Any], literal: Any, wire_format: str | None, schemas: Schemas) -> list[str]:
    if isinstance(literal, list):
        item_schema = schemas.deref(schema.get("items") or {})
        return [_wire_text(item_schema, v, wire_format) for v in literal]
    return [_wire_text(schema, literal, wire_format)]


def _wire_text(schema: dict[str, Any], value: Any, wire_format: str | None) -> str:
    """The canonical wire text of a parameter value (RFC 3339 dates, lower-case UUIDs)."""
    if wire_format or isinstance(value, str) and not schema.get("format") and _schema_type(schema) == "string":
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    fmt = schema.get("format")
    if fmt == "date-time":
        return dt.datetime.fromisoformat(str(value)).isoformat()
    if fmt == "date":
        return dt.date.fromisoformat(str(value)).isoformat()
    if fmt == "uuid":
        return str(uuid.UUID(str(value)))
    kind = _schema_type(schema)
    if kind == "number" and isinstance(value, (int, float)):
        return str(float(value))
    if kind == "integer" and isinstance(value, int):
        return str(value)
    return str(value)


def python_expr(annotation: str, literal: Any) -> str:
    """Source of a Python value of type `annotation` built from a JSON literal."""
    plain = _PLAIN.get(annotation)
    if plain is float and isinstance(literal, (int, float)) and not isinstance(literal, bool):
        return pyrepr(float(literal))
    if plain is not None and type(literal) is plain:
        return pyrepr(literal)
    return adapt_expr(annotation, pyrepr(literal))


def adapt_expr(annotation: str, source: str) -> str:
    """Source of `source` (an expression of JSON data) validated into `annotation`."""
    if annotation in ("_t.Any", "object"):
        return source
    return f"_TypeAdapter({annotation}).validate_python({source})"


# -- one operation --------------------------------------------------------------------------


@dataclass
class Reply:
    """What the mock server answers: its status and how to build it in the test."""

    status: int
    kind: Literal["json", "empty", "bytes", "text"]
    body: Any = None
    media_type: str = ""


@dataclass
class ErrorCase:
    status: int
    error: str  # exception class name
    model: str | None  # model class of the parsed body, when the annotation is one
    reply: Reply
    expected: Any  # the parsed body, dumped to JSON


@dataclass
class Pages:
    replies: list[Reply]
    queries: list[list[tuple[str, str]]]  # expected query of each request
    items: list[Any]  # the items of one page; both pages serve them
    item_model: str | None
    item_wire: list[Any]  # Schemas.wire_paths of each page's items (item index first)


@dataclass
class Upload:
    """The keyword-argument calls of an x-file-upload operation (the file as bytes, as a path).
    Each must send `Case.fields_wire`: the request example, which carries the file base64-encoded."""

    file: bytes  # the example's content, decoded
    path_name: str  # the name of the file the path tests write
    file_arg: str
    filename_arg: str  # "filename='test.pdf'"
    path_filename: bool  # whether the path calls pass the name too (the example's is no file name)
    other_args: list[str]  # the media type when its guess from the name is not the example's; the other fields

    def call(self, case: Case, resource: Resource, file_expr: str, *, filename: bool = True) -> str:
        parts = [*case.args, f"{self.file_arg}={file_expr}", *([self.filename_arg] if filename else []), *self.other_args]
        return f"api.{resource.attr}.{case.op.py_name}({', '.join(parts)})"


@dataclass
class Case:
    op: Operation
    const: str
    args: list[str]
    url: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    absent: list[str]
    body_mode: Literal["none", "fields", "body", "bytes", "text", "skip"] = "none"
    skip_reason: str = ""
    fields_map: dict[str, str] = field(default_factory=dict)
    body_expr: str = ""
    request: Any = None  # the request example (or synthesised body)
    request_note: str = ""
    fields_wire: Any = None  # the JSON the keyword-argument call must send
    form: list[tuple[str, str]] | None = None  # a form body's decoded pairs, instead of JSON
    parts: list[tuple[str, str, Any]] | None = None  # a multipart body's parts (multipart_wire)
    schema: dict[str, Any] | None = None
    reply: Reply | None = None
    result: Literal["model", "json", "none", "bytes", "text"] = "none"
    result_model: str | None = None
    result_wire: list[Any] = field(default_factory=list)  # Schemas.wire_paths of the result
    response_note: str = ""
    errors: list[ErrorCase] = field(default_factory=list)
    pages: Pages | None = None
    async_case: bool = False
    upload: Upload | None = None

    @property
    def call(self) -> str:
        return ", ".join(self.args)


class _Planner:
    def __init__(self, api: Api, schemas: Schemas | None = None) -> None:
        self.api = api
        self.schemas = schemas or Schemas(api.document)
        self.base_url = api.server_url or TEST_BASE_URL
        self.models = set(api.model_names)
        self.used: set[str] = set()  # annotation and class text the module refers to

    def note(self, text: str) -> str:
        self.used.add(text)
        return text

    def model_class(self, annotation: str) -> str | None:
        return self.note(annotation) if annotation in self.models else None

    # client-wide expectations

    def auth(self, authenticated: bool) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
        """(headers sent, headers not sent, query pairs) of the default security scheme."""
        if not self.api.security:
            return {}, [], []
        headers, query = credentials(self.api.security[0])
        if authenticated:
            return headers, [], query
        return {}, sorted(headers), []

    def options(self) -> tuple[list[tuple[str, str]], dict[str, str], list[tuple[str, str]]]:
        """(constructor arguments, headers sent, query pairs sent) of the client options."""
        return self._options

    @functools.cached_property
    def _options(self) -> tuple[list[tuple[str, str]], dict[str, str], list[tuple[str, str]]]:
        ctor: list[tuple[str, str]] = []
        headers: dict[str, str] = {}
        query: list[tuple[str, str]] = []
        for option in self.api.client_options:
            value = param_value(option, self.schemas)
            ctor.append((option.py_name, value.expr))
            if option.location == "header":
                headers[option.wire_name] = ",".join(value.wire)
            else:
                query.extend((option.wire_name, w) for w in value.wire)
        return ctor, headers, query

    # one operation

    def case(self, op: Operation) -> Case:
        args: list[str] = []
        path = op.path
        query: list[tuple[str, str]] = []
        headers, absent, auth_query = self.auth(op.authenticated)
        headers = dict(headers)
        _ctor, option_headers, option_query = self.options()
        headers.update(option_headers)
        query.extend(option_query)
        cookies: list[str] = []
        controlled = self._pagination_params(op)
        for param in op.params:
            if param.location != "path" and param.wire_name in controlled:
                continue
            if param.styled and not param.required:
                continue  # the runtime's style-table tests cover each style
            value = param_value(param, self.schemas)
            self.note(param.annotation)
            if param.styled:
                styled = styled_wire(param, value.literal)
                args.append(value.expr if param.location == "path" else f"{param.py_name}={value.expr}")
                if param.location == "path":
                    path = path.replace("{" + param.wire_name + "}", styled[0][1])
                elif param.location == "query":
                    query.extend(styled)
                elif param.location == "header":
                    headers[param.wire_name] = styled[0][1]
                else:
                    cookies.append("; ".join(f"{k}={quote(v, safe=',')}" for k, v in styled))
                continue
            if param.location == "path":
                args.append(value.expr)
                path = path.replace("{" + param.wire_name + "}", quote(value.wire[0], safe=""))
                continue
            args.append(f"{param.py_name}={value.expr}")
            if param.location == "query":
                query.extend((param.wire_name, w) for w in value.wire)
            elif param.location == "header":
                headers[param.wire_name] = ",".join(value.wire)
            else:
                cookies.append(f"{param.wire_name}={quote(value.wire[0], safe='')}")
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        query.extend(auth_query)
        case = Case(
            op=op,
            const=op.py_name.upper(),
            args=args,
            url=self.base_url + path,
            query=query,
            headers=headers,
            absent=absent,
        )
        if op.body is not None:
            self._body(case, op.body)
        if op.pagination is not None:
            case.pages = self._pages(case, op)
        else:
            self._success(case, op)
        case.errors = [self._error(op, r, {e.status for e in op.errors}) for r in op.errors]
        return case

    def _pagination_params(self, op: Operation) -> set[str]:
        p = op.pagination
        if p is None:
            return set()
        return {n for n in (p.cursor_param, p.page_param) if n}

    def _body(self, case: Case, body: Body) -> None:
        if body.kind == "binary":
            case.body_mode, case.headers["Content-Type"] = "bytes", body.media_type
            return
        if body.kind == "text":
            case.body_mode, case.headers["Content-Type"] = "text", body.media_type
            return
        if body.kind not in ("json", "form", "multipart"):
            case.body_mode = "skip"
            case.skip_reason = f"specgen does not generate wire tests for {body.kind} request bodies yet"
            return
        case.request, note = self.schemas.sample(body.has_example, body.example, body.schema, request=True)
        if note:
            case.request_note = "Request: " + note
        if body.kind == "multipart":
            if not (body.model and body.fields and isinstance(case.request, dict)):
                # a file goes as a file only from bytes, which only a model's field makes of the example
                case.body_mode = "skip"
                case.skip_reason = "specgen tests multipart bodies of a model with fields only"
                return
            case.parts = multipart_wire(case.request, self.schemas.deref(body.schema), body.encoding, self.schemas)
            if not case.parts:  # nothing to send is no body
                case.absent.append("Content-Type")
        elif body.kind == "form":
            if not isinstance(case.request, dict):
                case.body_mode = "skip"
                case.skip_reason = "the form body's example is not an object"
                return
            case.form = form_wire(case.request, body.encoding)
            if case.form:
                case.headers["Content-Type"] = "application/x-www-form-urlencoded"
            else:  # an empty form is no body
                case.absent.append("Content-Type")
        else:
            case.schema = self.schemas.embedded(body.schema, request=True)
            case.headers["Content-Type"] = "application/json"
        if body.fields and body.model and body.upload is not None and isinstance(case.request, dict):
            # The keyword-argument calls take the file, not its base64 content: they are tests
            # of their own (the upload module); here only body= a model of the example.
            case.request = self._upload_example(case.request, body.upload)
            case.body_mode = "body"
            case.body_expr = f"{self.note(body.model)}.model_validate({case.const}_REQUEST)"
            case.fields_wire = {k: v for k, v in case.request.items() if v is not None}
            case.upload = self._upload(case, body, body.upload)
        elif body.fields and body.model and isinstance(case.request, dict):
            case.body_mode = "fields"
            known = {f.wire_name: f.py_name for f in body.fields}
            case.fields_map = {k: known[k] for k in case.request if k in known}
            # None keyword arguments are "not given": top-level nulls are not sent.
            case.fields_wire = {k: v for k, v in case.request.items() if v is not None}
            case.body_expr = f"{self.note(body.model)}.model_validate({case.const}_REQUEST)"
        else:
            case.body_mode = "body"
            case.body_expr = adapt_expr(self.note(body.annotation), f"{case.const}_REQUEST")

    def _upload_example(self, request: dict[str, Any], upload: FileUpload) -> dict[str, Any]:
        """The request example, with a file in it: base64 content and a file name (kept when the
        example has them, which it should)."""
        request = dict(request)
        content = request.get(upload.content_wire)
        try:
            decoded = base64.b64decode(content, validate=True) if isinstance(content, str) else b""
        except (binascii.Error, ValueError):
            decoded = b""
        if not decoded:
            request[upload.content_wire] = base64.b64encode(BINARY_BODY).decode("ascii")
        if not isinstance(request.get(upload.filename_wire), str) or not request[upload.filename_wire]:
            request[upload.filename_wire] = UPLOAD_NAME
        if upload.media_type_wire and not isinstance(request.get(upload.media_type_wire), str):
            request[upload.media_type_wire] = _guess_media_type(request[upload.filename_wire])
        return request

    def _upload(self, case: Case, body: Body, upload: FileUpload) -> Upload:
        request = case.request
        filename = request[upload.filename_wire]
        safe = bool(re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", filename))
        others: list[str] = []
        if upload.media_type and upload.media_type_wire:
            media_type = request[upload.media_type_wire]
            if media_type != _guess_media_type(filename):
                others.append(f"{upload.media_type}={pyrepr(media_type)}")
        upload_wires = {upload.content_wire, upload.filename_wire, upload.media_type_wire}
        known = {f.wire_name: f.py_name for f in body.fields if f.role is None}
        fields_map = {k: known[k] for k in request if k in known and k not in upload_wires}
        if fields_map:
            model = f"{self.note(body.model or '')}.model_validate({case.const}_REQUEST)"
            others.append(f"**_support.kwargs_from({model}, {pyrepr(fields_map)})")
        return Upload(
            file=base64.b64decode(request[upload.content_wire]),
            path_name=filename if safe else UPLOAD_NAME,
            file_arg=upload.file,
            filename_arg=f"{upload.filename}={pyrepr(filename)}",
            path_filename=not safe,
            other_args=others,
        )

    def _success(self, case: Case, op: Operation) -> None:
        response = next((r for r in op.success if r.kind != "empty" and r.has_example), None)
        response = response or next((r for r in op.success if r.kind != "empty"), None)
        response = response or (op.success[0] if op.success else None)
        status = _status(response.status, set()) if response else 200
        if op.response_body == "any":
            # Documented without content: whatever arrives is returned decoded, never dropped.
            case.reply, case.result = Reply(status, "json", UNTYPED_BODY), "json"
        elif response is None or response.kind == "empty":
            case.reply, case.result = Reply(status, "empty"), "none"
        elif response.kind == "binary":
            case.reply = Reply(status, "bytes", BINARY_BODY, response.media_type or "application/octet-stream")
            case.result = "bytes"
        elif response.kind == "text":
            case.reply, case.result = Reply(status, "text", TEXT_BODY, response.media_type or "text/plain"), "text"
        else:
            body, note = self.schemas.sample(response.has_example, response.example, response.schema, request=False)
            if note:
                case.response_note = "Response: " + note
            case.reply = Reply(status, "json", body)
            case.result_wire = self.schemas.wire_paths(response.schema, body)
            case.result_model = self.model_class(op.return_annotation)
            case.result = "model" if case.result_model else "json"

    def _example(self, response: Response) -> Any:
        return self.schemas.sample(response.has_example, response.example, response.schema, request=False)[0]

    def _error(self, op: Operation, response: Response, documented: set[str]) -> ErrorCase:
        status = _status(response.status, documented)
        if response.kind == "json":
            body = self._example(response)
            return ErrorCase(status, error_class(status), self.model_class(response.annotation), Reply(status, "json", body), body)
        if response.kind in ("text", "binary"):
            reply = Reply(status, "text", TEXT_ERROR, "text/plain")
            return ErrorCase(status, error_class(status), None, reply, TEXT_ERROR)
        return ErrorCase(status, error_class(status), None, Reply(status, "empty"), None)

    def _pages(self, case: Case, op: Operation) -> Pages:
        pagination = op.pagination
        assert pagination is not None
        response = next(r for r in op.success if r.kind == "json")
        example = copy.deepcopy(self._example(response))
        items = _dig(example, pagination.items)
        if not isinstance(items, list) or not items:
            item_schema = self._items_schema(response.schema, pagination.items)
            items = [self.schemas.synthesise(item_schema)]
            example = _put(example, pagination.items, items)
        first = list(case.query)
        queries = [first]
        if pagination.style == "cursor":
            cursor = pagination.cursor_param or "cursor"
            next_link = f"{self.base_url}{op.path}?{quote(cursor)}={NEXT_CURSOR}"
            page1 = _put(copy.deepcopy(example), pagination.next_url or "", next_link)
            page2 = _put(copy.deepcopy(example), pagination.next_url or "", None)
            queries.append([*[(k, v) for k, v in first if k != cursor], (cursor, NEXT_CURSOR)])
            bodies = [page1, page2]
        else:
            page_param = pagination.page_param or "page"
            start = pagination.first_page
            queries = [[*first, (page_param, str(start))], [*first, (page_param, str(start + 1))]]
            if pagination.total:
                total = 2 * len(items)
                bodies = [_put(copy.deepcopy(example), pagination.total, total) for _ in range(2)]
            else:
                bodies = [example, copy.deepcopy(example), _put(copy.deepcopy(example), pagination.items, [])]
                queries.append([*first, (page_param, str(start + 2))])
        status = _status(response.status, set())
        return Pages(
            replies=[Reply(status, "json", b) for b in bodies],
            queries=queries,
            items=items,
            item_model=self.model_class(pagination.item_annotation),
            item_wire=self.schemas.wire_paths(
                {"type": "array", "items": self._items_schema(response.schema, pagination.items)}, items
            ),
        )

    def _items_schema(self, schema: Any, path: str) -> Any:
        node = self.schemas.deref(schema)
        for token in [t for t in path.split(".") if t]:
            node = self.schemas.deref((node.get("properties") or {}).get(token) if isinstance(node, dict) else {})
        return (node or {}).get("items") if isinstance(node, dict) else {}


def _guess_media_type(filename: str) -> str:
    """The media type the client guesses from a file name, from Python's own table only (a
    test that relied on the host's mime.types would not be reproducible)."""
    return _python_mime_table().guess_type(filename, strict=False)[0] or "application/octet-stream"


@functools.cache
def _python_mime_table() -> mimetypes.MimeTypes:
    return mimetypes.MimeTypes(filenames=())


def _status(status: str, documented: set[str]) -> int:
    """A concrete code for a documented status ("404", "4XX", "default")."""
    if status.isdigit():
        return int(status)
    if status.upper() in ("4XX", "5XX"):
        base = 400 if status.startswith("4") else 500
        return next(c for c in range(base, base + 100) if str(c) not in documented)
    return 418 if "418" not in documented else 499


def _dig(body: Any, path: str) -> Any:
    for token in [t for t in path.split(".") if t]:
        body = body.get(token) if isinstance(body, dict) else None
    return body


def _put(body: Any, path: str, value: Any) -> Any:
    tokens = [t for t in path.split(".") if t]
    if not tokens:
        return value
    root = body if isinstance(body, dict) else {}
    node = root
    for token in tokens[:-1]:
        if not isinstance(node.get(token), dict):
            node[token] = {}
        node = node[token]
    node[tokens[-1]] = value
    return root


# -- rendering ------------------------------------------------------------------------------


def _tests_dir(api: Api) -> PurePosixPath:
    return PurePosixPath(api.stem) / "tests"


def support_module(api: Api) -> str:
    return f"_{api.stem}_support"


_MODEL_IMPORT = re.compile(r"^from [\w.]+\.models import \(\n((?:    \w+,\n)+)\)\n", re.MULTILINE)


# Above this much test code, the parses that find the models a module uses are shared with a helper
# process (generator.ends).
PARALLEL_PRUNE_BYTES = 1_000_000


def _pruned(texts: list[str], store: TextCache | None = None) -> list[str]:
    """Each module without the imports it does not use, known only after rendering: prune_imports,
    and the models of its model import it does not refer to. Those take a parse of the module
    (GitHub: a second for 33 modules), so with a cache the answer is kept by the digest of the
    module and the names: a one-schema change leaves most modules as they were."""
    texts = [prune_imports(text) for text in texts]
    matches = {i: m for i, text in enumerate(texts) for m in [_MODEL_IMPORT.search(text)] if m is not None}
    imported = {i: [n.strip().rstrip(",") for n in m.group(1).splitlines()] for i, m in matches.items()}
    keys = {i: "".join(f"{n}\n" for n in imported[i]) + "\0" + _DATA_LINE.sub("", texts[i][: m.start()] + texts[i][m.end() :])
            for i, m in matches.items()}  # fmt: skip
    used: dict[int, list[str] | None] = {}
    for i, key in keys.items():
        hit = store.get(key) if store is not None else None
        if hit is not None and set(found := hit.split("\n") if hit else []) <= set(imported[i]):
            used[i] = found
    missing = [i for i in keys if i not in used]
    for i, names in zip(missing, mapped(_names_used, [keys[i] for i in missing], PARALLEL_PRUNE_BYTES), strict=True):
        used[i] = names
        if store is not None and names is not None:
            store.put(keys[i], "\n".join(names))
    out = []
    for i, text in enumerate(texts):
        match, names = matches.get(i), used.get(i)
        if match is None or names is None:  # no model import, or code that does not parse (black reports it)
            out.append(text)
            continue
        block = match.group(0).replace(match.group(1), "".join(f"    {n},\n" for n in names)) if names else ""
        out.append(text[: match.start()] + block + text[match.end() :])
    return out


# A data constant of a test module: one line of `pyrepr` (JSON-like data) until it is formatted. It
# holds no name, and most of a module's text (adyen's: 75 %), so the parse that finds the models a
# module uses leaves it out. (A constant over several lines would leave code that does not parse:
# the module keeps all its imports, and ruff's check of the generated tests, tests/test_quality.py,
# fails.)
_DATA_LINE = re.compile(r"^[A-Z][A-Z0-9_]*: _t\.Any = (?:2 \* )?[\[{'\"b0-9-].*\n", re.MULTILINE)


def _names_used(key: str) -> list[str] | None:
    """Of the names before the NUL of `key` (one a line), those the code after it refers to; None
    when the code does not parse."""
    head, code = key.split("\0", 1)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    referenced = name_ids(tree)
    return [n for n in head.split("\n")[:-1] if n in referenced]


def _imports(planner: _Planner) -> list[str]:
    names: set[str] = set()
    for text in planner.used:
        names.update(n for n in _IDENT.findall(text or "") if n in planner.models)
    return sorted(names)


def _resource_module(
    api: Api, env: jinja2.Environment, context: dict[str, Any], resource: Resource, planner: _Planner, cases: list[Case]
) -> str:
    first = next((c for c in cases if c.body_mode != "skip"), None)
    if first is not None:
        first.async_case = True
    return env.get_template("tests/test_resource.py.j2").render(
            context,
            **_CONTENT,
            resource=resource,
            cases=cases,
            models=_imports(planner),
            support=support_module(api),
        )


def _upload_module(
    api: Api, env: jinja2.Environment, context: dict[str, Any], resource: Resource, planner: _Planner, cases: list[Case]
) -> str | None:
    """Tests of the operations with an x-file-upload body, called with the file, in a module of
    their own next to test_<stem>_<resource>.py."""
    uploads = [c for c in cases if c.upload is not None and c.pages is None]
    if not uploads:
        return None
    return env.get_template("tests/test_upload.py.j2").render(
            context,
            **_CONTENT,
            resource=resource,
            cases=uploads,
            models=_imports(planner),
            support=support_module(api),
        )


def _client_module(api: Api, env: jinja2.Environment, context: dict[str, Any], schemas: Schemas) -> str | None:
    """One test per security scheme: the credentials travel where the scheme says."""
    target = next(
        ((r, op) for r in api.resources for op in r.operations
         if op.authenticated and op.body is None and op.pagination is None),
        None,
    ) or next(((r, op) for r in api.resources for op in r.operations if op.authenticated), None)
    if target is None or not api.security:
        return None
    resource, op = target
    planner = _Planner(api, schemas)
    case = planner.case(op)
    if case.body_mode == "skip":
        return None
    schemes = [(scheme, *credentials(scheme)) for scheme in api.security]
    return env.get_template("tests/test_client.py.j2").render(
            context,
            **_CONTENT,
            resource=resource,
            case=case,
            schemes=schemes,
            auth_headers=sorted({name for _, headers, _ in schemes for name in headers}),
            auth_query=sorted({name for _, _, query in schemes for name, _ in query}),
            models=_imports(planner),
            support=support_module(api),
        )


# Schema keywords the tests never read nor print: an edit of them (the commonest: a description)
# leaves every test module as it was.
_PROSE = frozenset({"description", "title", "externalDocs", "$comment", "summary"})


class _Reach:
    """What a resource's test modules read of the document: the nodes its operations reach by $ref,
    directly or through one another, without their prose (_PROSE), as one digest. Each node is
    read once for all resources."""

    def __init__(self, schemas: Schemas) -> None:
        self.schemas = schemas
        self._nodes: dict[str, tuple[str, list[str]]] = {}  # ref -> (fingerprint, the refs it holds)

    def digest(self, resource: Resource) -> str | None:
        """None when the data cannot be read as JSON (a YAML alias that holds itself)."""
        try:
            todo = _refs(json.dumps(resource, default=_fields))
            reached: dict[str, str] = {}
            while todo:
                ref = todo.pop()
                if ref not in reached:
                    if ref not in self._nodes:
                        text = json.dumps(_without_prose(self.schemas._at(ref)), default=repr)
                        self._nodes[ref] = hashlib.sha256(text.encode()).hexdigest(), _refs(text)
                    reached[ref], inner = self._nodes[ref]
                    todo += inner
        except (TypeError, ValueError, RecursionError):
            return None
        return fingerprint(sorted(reached.items()))


_REF_TEXT = re.compile(r'"(#/(?:[^"\\]|\\.)*)"')


def _refs(text: str) -> list[str]:
    """Every string of a JSON text that reads as a local reference: more than the $refs is only a
    larger key."""
    return [json.loads(f'"{ref}"') if "\\" in ref else ref for ref in _REF_TEXT.findall(text)]


def _fields(value: Any) -> Any:
    """json.dumps' fallback: a model object as its fields, anything else as its repr."""
    return vars(value) if hasattr(value, "__dataclass_fields__") else repr(value)


def _without_prose(node: Any) -> Any:
    """`node` without its objects' _PROSE keywords; names, data (an example's `value`, an
    extension's) and what is below them kept as they are: a `title` in an example is data."""
    if isinstance(node, list):
        return [_without_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: {name: _without_prose(item) for name, item in value.items()}
        if key in _NAME_MAPS and isinstance(value, dict)
        else value
        if key in _DATA_KEYWORDS or key == "value" or str(key).startswith("x-")
        else _without_prose(value)
        for key, value in node.items()
        if key not in _PROSE
    }


def _entry(text: str | None) -> tuple[str, str | None] | None:
    """A resource's test module and upload test module, read back; None for a miss or an entry
    that does not read as one."""
    try:
        entry = json.loads(text) if text is not None else None
    except ValueError:
        return None
    if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str) and isinstance(entry[1], (str, type(None))):
        return entry[0], entry[1]
    return None


def render_tests(
    api: Api, env: jinja2.Environment, context: dict[str, Any], cache_dir: Path | None = None
) -> dict[PurePosixPath, str]:
    """The test modules. With `cache_dir`, which model imports each module uses is kept there, and
    each resource's modules by the digest of the resource, the API's outline and what the resource
    reaches of the document (modules/): a one-schema change renders again only the resources that
    reach the schema, and not for an edit of its prose (GitHub: ~1 s for all 33)."""
    tests = _tests_dir(api)
    store = TextCache(cache_dir, code_salt(__file__)) if cache_dir is not None else None
    modules = TextCache(cache_dir / "modules", render_salt()) if cache_dir is not None else None
    schemas = Schemas(api.document)  # one for every module: its validators serve them all
    planner = _Planner(api, schemas)
    ctor, _headers, _query = planner.options()
    files = {
        tests / "conftest.py": env.get_template("tests/conftest.py.j2").render(context, support=support_module(api)),
        tests / f"{support_module(api)}.py": env.get_template("tests/support.py.j2").render(
            context,
            ctor=ctor,
            base_url=None if api.server_url else TEST_BASE_URL,
            api_key=API_KEY,
            username=USERNAME,
            password=PASSWORD,
            models=_imports(planner),
        ),
    }
    shared, reach = outline(api), _Reach(schemas)
    kept: set[PurePosixPath] = set()  # read back, already pruned
    rendered: dict[str, tuple[PurePosixPath, PurePosixPath]] = {}  # key -> the resource's two paths
    for resource in api.resources:
        module = tests / f"test_{api.stem}_{resource.attr}.py"
        upload = tests / f"test_{api.stem}_{resource.attr}_upload.py"
        reached = reach.digest(resource) if modules is not None else None
        key = shared + fingerprint(resource) + reached if reached is not None else ""
        texts = _entry(modules.get(key)) if modules is not None and key else None
        if texts is not None:
            files[module] = texts[0]
            if texts[1] is not None:
                files[upload] = texts[1]
            kept.update((module, upload))
            continue
        resource_planner = _Planner(api, schemas)
        cases = [resource_planner.case(op) for op in resource.operations]
        files[module] = _resource_module(api, env, context, resource, resource_planner, cases)
        uploads = _upload_module(api, env, context, resource, resource_planner, cases)
        if uploads is not None:
            files[upload] = uploads
        if key:
            rendered[key] = (module, upload)
    client_tests = _client_module(api, env, context, schemas)
    if client_tests is not None:
        files[tests / f"test_{api.stem}_client.py"] = client_tests
    pruned = [path for path in files if path.name != "conftest.py" and path not in kept]
    files.update(zip(pruned, _pruned([files[path] for path in pruned], store), strict=True))
    if modules is not None:
        for key, (module, upload) in rendered.items():
            modules.put(key, json.dumps([files[module], files.get(upload)]))
    return files


def custom_tests(api: Api, env: jinja2.Environment, context: dict[str, Any]) -> dict[PurePosixPath, str]:
    """Created once when absent, never overwritten."""
    return {
        _tests_dir(api) / f"test_custom_{api.stem}.py": env.get_template("tests/test_custom.py.j2").render(
            context, support=support_module(api)
        )
    }
