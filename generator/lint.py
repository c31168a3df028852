"""The curated-spec lint: `specgen lint PATH...`.

On top of validate_document (any OpenAPI document) it enforces the rules of specs/README.md:
operation metadata, examples that exist and validate against their schemas, and well-formed
vendor extensions in their allowed places. Extension and validation failures are errors (the
generator relies on them); the other rules are warnings, which fail the lint and the build of
curated specs.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import (  # type: ignore[import-untyped,unused-ignore]
    Draft202012Validator,
    FormatChecker,
)
from jsonschema.exceptions import best_match  # type: ignore[import-untyped,unused-ignore]
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from generator.diagnostics import (
    Diagnostic,
    Level,
    SpecError,
    escape_token,
    print_diagnostics,
    shorten,
)
from generator.load import Document, load, spec_files
from generator.validate import (
    METHODS,
    deref,
    iter_objects,
    iter_operations,
    reached_schemas,
    schema_children,
    spell,
    validate_document,
)

RULE_OPERATION_ID = "operation-id-present"
RULE_OPERATION_ID_CASE = "operation-id-camel-case"
RULE_SUMMARY = "operation-summary"
RULE_TAG = "operation-tag"
RULE_EXAMPLE_VALID = "example-valid"
RULE_REQUEST_EXAMPLE = "request-example-present"
RULE_RESPONSE_EXAMPLE = "response-example-present"
RULE_RESPONSE_DEFAULT = "response-default"
RULE_EXTENSION_UNKNOWN = "extension-unknown"

_NON_EMPTY = {"type": "string", "minLength": 1}
_DOTTED_PATH = {"type": "string"}  # "" means the body itself is the item array
_PARAM_NAME = {"type": "string", "minLength": 1}

# The shape of each vendor extension of specs/README.md, as JSON Schema 2020-12.
EXTENSION_SHAPES: dict[str, dict[str, Any]] = {
    "x-curation": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["issue", "decision"],
            "properties": {"issue": _NON_EMPTY, "decision": _NON_EMPTY},
            "additionalProperties": False,
        },
    },
    "x-rate-limit": {
        "type": "object",
        "required": ["requests", "period"],
        "properties": {
            "requests": {"type": "integer", "minimum": 1},
            "period": {"type": "number", "exclusiveMinimum": 0},
        },
        "additionalProperties": False,
    },
    "x-pagination": {
        "type": "object",
        "required": ["style", "items"],
        "properties": {"style": {"enum": ["cursor", "page"]}, "items": _DOTTED_PATH},
        "allOf": [
            {
                "if": {"properties": {"style": {"const": "cursor"}}},
                "then": {
                    "required": ["cursor_param", "next_url"],
                    "properties": {
                        "cursor_param": _PARAM_NAME,
                        "next_url": {"type": "string", "minLength": 1},
                        "limit_param": _PARAM_NAME,
                        "max_limit": {"type": "integer", "minimum": 1},
                    },
                },
            },
            {
                "if": {"properties": {"style": {"const": "page"}}},
                "then": {
                    "required": ["page_param"],
                    "properties": {
                        "page_param": _PARAM_NAME,
                        "size_param": _PARAM_NAME,
                        "total": {"type": "string", "minLength": 1},
                        "first_page": {"type": "integer", "minimum": 0},
                    },
                },
            },
        ],
        # Keys of the other style (or typos) are unevaluated and so rejected.
        "unevaluatedProperties": False,
    },
    "x-idempotent": {"type": "boolean"},
    "x-wire-format": {"enum": ["date-dmy", "decimal-2dp"]},
    "x-client-option": {"type": "boolean"},
    "x-enum-varnames": {
        "type": "array",
        "minItems": 1,
        "uniqueItems": True,
        "items": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
    },
    "x-specgen-name": {
        "oneOf": [
            {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
            {
                "type": "object",
                "minProperties": 1,
                "properties": {
                    "name": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                    "members": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
                    },
                },
                "additionalProperties": False,
            },
        ]
    },
    "x-file-upload": {
        "type": "object",
        "required": ["content", "filename"],
        "properties": {"content": _PARAM_NAME, "filename": _PARAM_NAME, "mediaType": _PARAM_NAME},
        "additionalProperties": False,
    },
    "x-breaking-change-ack": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["rule", "location", "reason"],
            "properties": {"rule": _NON_EMPTY, "location": _NON_EMPTY, "reason": _NON_EMPTY},
            "additionalProperties": False,
        },
    },
}
# Where each extension may appear (object kinds of _typed_objects); absent means anywhere.
EXTENSION_PLACES: dict[str, tuple[str, ...]] = {
    "x-rate-limit": ("root",),
    "x-breaking-change-ack": ("root",),
    "x-pagination": ("operation",),
    "x-idempotent": ("operation",),
    "x-wire-format": ("schema",),
    "x-client-option": ("parameter",),
    "x-enum-varnames": ("schema",),
    "x-file-upload": ("schema",),
    "x-specgen-name": ("operation", "schema"),
}
_PLACE_NAMES = {
    "root": "the root object",
    "operation": "operations",
    "schema": "schemas",
    "parameter": "parameters",
}
_SHAPE_VALIDATORS = {name: Draft202012Validator(shape) for name, shape in EXTENSION_SHAPES.items()}
_JSON_MEDIA = re.compile(r"^application/([\w.+-]+\+)?json\s*(;.*)?$", re.IGNORECASE)
_CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
_DOC_URI = "urn:specgen:document"
_MAX_ERRORS_PER_EXAMPLE = 5


def extension_rule(name: str) -> str:
    return "extension-" + name.removeprefix("x-")


# --- the command -------------------------------------------------------------------------------


def lint_command(paths: list[Path]) -> int:
    files = spec_files(paths)
    if not files:
        print("specgen lint: no spec files found in " + " ".join(map(str, paths)), file=sys.stderr)
        return 1
    failed = False
    for path in files:
        try:
            doc = load(path)
        except SpecError as exc:
            print_diagnostics(exc.diagnostics)
            failed = True
            continue
        diagnostics = lint_document(doc)
        if diagnostics:
            print_diagnostics(diagnostics)
            failed = True
        else:
            print(f"{doc.display}: ok ({summary(doc)})")
    return 1 if failed else 0


def summary(doc: Document) -> str:
    operations = sum(1 for _ in iter_operations(doc.data))
    schemas = doc.data.get("components", {}).get("schemas", {})
    curation = sum(
        len(node["x-curation"])
        for _, node in iter_objects(doc.data)
        if isinstance(node.get("x-curation"), list)
    )
    return (
        f"{operations} operations, {len(schemas) if isinstance(schemas, dict) else 0} schemas, "
        f"{curation} curation entries"
    )


def lint_document(doc: Document) -> list[Diagnostic]:
    """validate_document(full=True) plus the curated rules, ordered by position in the file."""
    diagnostics = validate_document(doc, full=True)
    valid = not diagnostics
    objects = list(_typed_objects(doc.data))
    diagnostics += _operation_rules(doc)
    diagnostics += _extension_rules(doc, objects)
    diagnostics += _example_presence(doc, objects)
    diagnostics += _response_defaults(doc, objects)
    if valid:  # example validation resolves $refs, which only a valid document guarantees
        diagnostics += _example_validity(doc, objects)
    return sorted(diagnostics, key=lambda d: (d.line or 0, d.pointer, d.rule, d.message))


# --- typed walk --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Obj:
    kind: str  # root, path-item, operation, parameter, header, request-body, response, media-type, schema
    ptr: str
    node: dict[str, Any]


_COMPONENT_KINDS = {
    "schemas": "schema",
    "parameters": "parameter",
    "headers": "header",
    "requestBodies": "request-body",
    "responses": "response",
    "pathItems": "path-item",
}


def _typed_objects(data: Any) -> Iterator[_Obj]:
    """Every OpenAPI object whose kind the rules care about, where it is defined ($refs not followed)."""
    stack: list[tuple[str, str, Any]] = [("root", "#", data)]
    seen: set[int] = set()
    while stack:
        kind, ptr, node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        yield _Obj(kind, ptr, node)
        stack.extend(_children(kind, ptr, node))


def _children(kind: str, ptr: str, node: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    def named(key: str, child_kind: str) -> Iterator[tuple[str, str, Any]]:
        value = node.get(key)
        if isinstance(value, dict):
            for name, child in value.items():
                yield child_kind, f"{ptr}/{escape_token(key)}/{escape_token(str(name))}", child

    def listed(key: str, child_kind: str) -> Iterator[tuple[str, str, Any]]:
        value = node.get(key)
        if isinstance(value, list):
            for i, child in enumerate(value):
                yield child_kind, f"{ptr}/{key}/{i}", child

    def single(key: str, child_kind: str) -> Iterator[tuple[str, str, Any]]:
        if isinstance(node.get(key), dict):
            yield child_kind, f"{ptr}/{escape_token(key)}", node[key]

    if kind == "root":
        yield from named("paths", "path-item")
        yield from named("webhooks", "path-item")
        components = node.get("components")
        if isinstance(components, dict):
            for key, child_kind in _COMPONENT_KINDS.items():
                value = components.get(key)
                if isinstance(value, dict):
                    for name, child in value.items():
                        yield child_kind, f"#/components/{key}/{escape_token(str(name))}", child
    elif kind == "path-item":
        yield from listed("parameters", "parameter")
        for method in METHODS:
            yield from single(method, "operation")
    elif kind == "operation":
        yield from listed("parameters", "parameter")
        yield from single("requestBody", "request-body")
        responses = node.get("responses")
        if isinstance(responses, dict):
            for status, response in responses.items():
                if not str(status).startswith("x-"):
                    yield "response", f"{ptr}/responses/{escape_token(str(status))}", response
        callbacks = node.get("callbacks")
        if isinstance(callbacks, dict):
            for name, callback in callbacks.items():
                if isinstance(callback, dict):
                    for expr, item in callback.items():
                        where = (
                            f"{ptr}/callbacks/{escape_token(str(name))}/{escape_token(str(expr))}"
                        )
                        yield "path-item", where, item
    elif kind in ("parameter", "header"):
        yield from single("schema", "schema")
        yield from named("content", "media-type")
    elif kind == "request-body":
        yield from named("content", "media-type")
    elif kind == "response":
        yield from named("content", "media-type")
        yield from named("headers", "header")
    elif kind == "media-type":
        yield from single("schema", "schema")
    elif kind == "schema":
        yield from (("schema", child_ptr, child) for child_ptr, child in schema_children(ptr, node))


# --- operation metadata ------------------------------------------------------------------------


def _operation_rules(doc: Document) -> list[Diagnostic]:
    diags: list[Diagnostic] = []

    def warn(ptr: str, message: str, rule: str) -> None:
        diags.append(doc.diagnostic(ptr, message, rule=rule, level=Level.WARNING))

    for path, method, ptr, operation, _item in iter_operations(doc.data):
        where = f"{method.upper()} {path}"
        op_id = operation.get("operationId")
        if not isinstance(op_id, str) or not op_id.strip():
            warn(ptr, f"{where} has no operationId", RULE_OPERATION_ID)
        elif not _CAMEL_CASE.fullmatch(op_id):
            warn(
                ptr + "/operationId",
                f"operationId {op_id!r} is not camelCase",
                RULE_OPERATION_ID_CASE,
            )
        summary_text = operation.get("summary")
        if not isinstance(summary_text, str) or not summary_text.strip():
            warn(ptr, f"{where} has no summary", RULE_SUMMARY)
        tags = operation.get("tags")
        if not (isinstance(tags, list) and tags and all(isinstance(t, str) and t for t in tags)):
            warn(ptr, f"{where} has no tag (tags: [<resource>])", RULE_TAG)
    return diags


# --- vendor extensions -------------------------------------------------------------------------


def _extension_rules(doc: Document, objects: list[_Obj]) -> list[Diagnostic]:
    kinds = {id(obj.node): obj for obj in objects}
    diags: list[Diagnostic] = []
    for chain, node in iter_objects(doc.data):
        for key in node:
            if not (isinstance(key, str) and key.startswith("x-")):
                continue
            ptr = f"{spell(chain)}/{escape_token(key)}"
            if key in EXTENSION_SHAPES:
                diags += _check_extension(doc, key, node, ptr, kinds.get(id(node)))
            elif close := difflib.get_close_matches(key, EXTENSION_SHAPES, n=1, cutoff=0.8):
                # Unknown extensions are ignored by design, so a typo would silently drop one.
                diags.append(
                    doc.diagnostic(
                        ptr,
                        f"unknown extension {key!r}: did you mean {close[0]!r}?",
                        rule=RULE_EXTENSION_UNKNOWN,
                        level=Level.WARNING,
                    )
                )
    return diags


def _check_extension(
    doc: Document, name: str, owner: dict[str, Any], ptr: str, obj: _Obj | None
) -> list[Diagnostic]:
    rule = extension_rule(name)
    value = owner[name]
    places = EXTENSION_PLACES.get(name)
    if places is not None and (obj is None or obj.kind not in places):
        allowed = " or ".join(_PLACE_NAMES[p] for p in places)
        return [doc.diagnostic(ptr, f"{name} is only allowed on {allowed}", rule=rule)]
    errors = list(_SHAPE_VALIDATORS[name].iter_errors(value))
    if errors:
        # A failed `then` also leaves its keys unevaluated; that echo adds nothing.
        specific = [e for e in errors if e.validator != "unevaluatedProperties"]
        return [
            doc.diagnostic(_join(ptr, e.absolute_path), f"{name}: {shorten(e.message, 200)}", rule=rule)
            for e in sorted(specific or errors, key=lambda e: list(map(str, e.absolute_path)))
        ]
    if name == "x-file-upload":
        return [
            doc.diagnostic(_join(ptr, [key] if key else []), message, rule=rule)
            for key, message in _file_upload_problems(owner, value)
        ]
    problem = _misplaced(name, owner, value)
    return [doc.diagnostic(ptr, problem, rule=rule)] if problem else []


def _file_upload_problems(owner: dict[str, Any], value: dict[str, str]) -> list[tuple[str, str]]:
    """(key of the extension, message): each names its own property of the schema that has it.
    The generator flattens only plain object schemas into keyword arguments."""
    combined = any(k in owner for k in ("allOf", "anyOf", "oneOf"))
    if combined or not isinstance(owner.get("properties"), dict):
        return [("", "x-file-upload is only allowed on schemas with `properties` and no allOf/anyOf/oneOf")]
    properties = owner["properties"]
    problems: list[tuple[str, str]] = []
    seen: dict[str, str] = {}
    for key, prop in value.items():
        if prop not in properties:
            problems.append((key, f"x-file-upload {key}: {prop!r} is not a property of this schema"))
        elif prop in seen:
            problems.append((key, f"x-file-upload {key}: {prop!r} is already the {seen[prop]} property"))
        else:
            seen[prop] = key
    return problems


def _misplaced(name: str, owner: dict[str, Any], value: Any) -> str | None:
    """Placement rules that depend on the owning object, beyond its kind."""
    if name == "x-wire-format":
        types = owner.get("type")
        if not (types == "string" or (isinstance(types, list) and "string" in types)):
            return "x-wire-format is only allowed on `type: string` schemas"
        if not isinstance(owner.get("pattern"), str):
            # Without one, examples and mock servers would accept any string as the wire form.
            return "x-wire-format needs a `pattern` that matches the wire form"
    elif name == "x-client-option":
        if owner.get("in") not in ("query", "header"):
            return "x-client-option is only allowed on query or header parameters"
    elif name == "x-specgen-name" and isinstance(value, dict):
        enum = owner.get("enum")
        if "members" in value and not isinstance(enum, list):
            return "x-specgen-name members are only allowed on schemas with an enum"
        if "paths" in owner or "responses" in owner:
            return "x-specgen-name on an operation is a method name (a string)"
        unknown = sorted(set(value.get("members", {})) - {str(e) for e in enum or []})
        if unknown:
            return f"x-specgen-name members names values that are not in the enum: {', '.join(unknown)}"
    elif name == "x-enum-varnames":
        enum = owner.get("enum")
        if not isinstance(enum, list):
            return "x-enum-varnames is only allowed on schemas with an enum"
        if len(value) != len(enum):
            return f"x-enum-varnames has {len(value)} names for {len(enum)} enum values"
    return None


# --- examples ----------------------------------------------------------------------------------


def _is_json(media_type: str) -> bool:
    return bool(_JSON_MEDIA.match(media_type))


def _has_example(media: dict[str, Any]) -> bool:
    examples = media.get("examples")
    return "example" in media or (isinstance(examples, dict) and bool(examples))


def _example_presence(doc: Document, objects: list[_Obj]) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    rules = {"request-body": RULE_REQUEST_EXAMPLE, "response": RULE_RESPONSE_EXAMPLE}
    for obj in objects:
        rule = rules.get(obj.kind)
        content = obj.node.get("content")
        if rule is None or not isinstance(content, dict):
            continue
        for media_type, media in content.items():
            if obj.kind == "response" and isinstance(media, dict) and "schema" not in media:
                continue  # untyped JSON: the document shows no body, so there is nothing to exemplify
            if _is_json(str(media_type)) and isinstance(media, dict) and not _has_example(media):
                what = "request body" if obj.kind == "request-body" else "response"
                diags.append(
                    doc.diagnostic(
                        f"{obj.ptr}/content/{escape_token(str(media_type))}",
                        f"the {what}'s {media_type} content has no example "
                        "(add `example` or `examples`)",
                        rule=rule,
                        level=Level.WARNING,
                    )
                )
    return diags


def _response_defaults(doc: Document, objects: list[_Obj]) -> list[Diagnostic]:
    """A `default` in a schema a response reaches: the client would fill in values the server never
    sent. Follows $refs, so a schema shared with a request is reported where its default is."""
    roots: list[tuple[str, Any]] = []
    for obj in objects:
        content = obj.node.get("content") if obj.kind == "response" else None
        if isinstance(content, dict):
            for media_type, media in content.items():
                if isinstance(media, dict) and "schema" in media:
                    roots.append((f"{obj.ptr}/content/{escape_token(str(media_type))}/schema", media["schema"]))
    found = {f"{ptr}/default" for ptr, node in reached_schemas(doc.data, roots) if "default" in node}
    return [
        doc.diagnostic(
            ptr,
            "a schema reached from a response has a default, which the client would fill in "
            "for a value the server never sent (split it into a request and a response schema)",
            rule=RULE_RESPONSE_DEFAULT,
            level=Level.WARNING,
        )
        for ptr in sorted(found)
    ]


def _example_validity(doc: Document, objects: list[_Obj]) -> list[Diagnostic]:
    checker = _ExampleChecker(doc)
    diags: list[Diagnostic] = []
    for obj in objects:
        if obj.kind in ("media-type", "parameter", "header"):
            schema_ptr = f"{obj.ptr}/schema"
            if not isinstance(obj.node.get("schema"), (dict, bool)):
                continue
            if "example" in obj.node:
                diags += checker.check(obj.node["example"], schema_ptr, f"{obj.ptr}/example")
            examples = obj.node.get("examples")
            if isinstance(examples, dict):
                for name, raw in examples.items():
                    at = f"{obj.ptr}/examples/{escape_token(str(name))}"
                    example = deref(doc.data, raw)
                    if isinstance(example, dict) and "value" in example:
                        diags += checker.check(example["value"], schema_ptr, f"{at}/value")
        elif obj.kind == "schema":
            if "example" in obj.node:
                diags += checker.check(obj.node["example"], obj.ptr, f"{obj.ptr}/example")
            examples = obj.node.get("examples")
            if isinstance(examples, list):
                for i, value in enumerate(examples):
                    diags += checker.check(value, obj.ptr, f"{obj.ptr}/examples/{i}")
    return diags


class _ExampleChecker:
    """Validates values against schemas of the document, resolving $refs within it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        openapi_30 = str(doc.data.get("openapi", "")).startswith("3.0")
        # OpenAPI 3.1 schemas are JSON Schema 2020-12; 3.0 has its own dialect (nullable, ...).
        self.cls: Any = OAS30Validator if openapi_30 else Draft202012Validator
        self.formats = oas30_format_checker if openapi_30 else FormatChecker()
        resource = DRAFT202012.create_resource(doc.data)
        self.registry: Registry[Any] = Registry().with_resource(_DOC_URI, resource)

    def check(self, value: Any, schema_ptr: str, example_ptr: str) -> list[Diagnostic]:
        ref = {"$ref": f"{_DOC_URI}#{quote(schema_ptr[1:], safe='/~')}"}
        validator = self.cls(ref, registry=self.registry, format_checker=self.formats)
        try:
            errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.path)))
        except (Unresolvable, re.error) as exc:  # a schema the validator accepted yet cannot apply
            return [
                self.doc.diagnostic(
                    example_ptr,
                    f"cannot validate the example against {schema_ptr}: {exc}",
                    rule=RULE_EXAMPLE_VALID,
                    level=Level.WARNING,
                )
            ]
        diags = []
        for err in errors[:_MAX_ERRORS_PER_EXAMPLE]:
            shown = best_match([err]) if err.context else err
            diags.append(
                self.doc.diagnostic(
                    _join(example_ptr, shown.absolute_path),
                    f"example does not match its schema {schema_ptr}: {shorten(shown.message, 200)}",
                    rule=RULE_EXAMPLE_VALID,
                    level=Level.WARNING,
                )
            )
        return diags


def _join(ptr: str, tokens: Any) -> str:
    return ptr + "".join("/" + escape_token(str(t)) for t in tokens)
