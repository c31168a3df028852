"""Checks that hold for any OpenAPI 3.0/3.1 document, curated or not.

The structural checks (references, path parameters, operationIds) are one linear walk, cheap enough
for the largest public specs. openapi-spec-validator is thorough but takes seconds on big documents
(about 18 s on GitHub's 5.7 MB spec), so `full=False` skips it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from generator.diagnostics import Diagnostic, Level, escape_token
from generator.load import Document

RULE_VALID = "openapi-valid"
RULE_REF = "ref-resolves"
RULE_REF_CYCLE = "ref-cycle"
RULE_PATH_PARAMS = "path-params-declared"
RULE_OPERATION_ID = "operation-id-unique"
RULE_REQUIRED = "required-declared"

MAX_VALIDATOR_ERRORS = 20
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# Values under these keys are data, not OpenAPI objects: a "$ref" inside them is not a reference.
LITERAL_KEYS = frozenset({"example", "default", "const", "enum"})
# Under these keys every key is a user-chosen name (a property called "example" is a schema).
NAME_MAPS = frozenset(
    {
        "paths", "webhooks", "callbacks", "properties", "patternProperties", "$defs",
        "definitions", "dependentSchemas", "schemas", "responses", "parameters", "requestBodies",
        "headers", "securitySchemes", "links", "pathItems", "content", "encoding", "variables",
    }
)  # fmt: skip
# Objects whose keys are names but which also allow extensions (Paths, Responses, Callback).
PATTERNED = frozenset({"paths", "responses", "callbacks"})
_TEMPLATE_PARAM = re.compile(r"\{([^{}]+)\}")
_VERSION = re.compile(r"3\.[01]\.\d+")

# A parent-linked chain of tokens: the pointer is only spelled out when a message needs it.
Chain = tuple["Chain", str] | None


def validate_document(doc: Document, *, full: bool = True) -> list[Diagnostic]:
    """All structural errors; with full=True also openapi-spec-validator's, unless references are broken."""
    data = doc.data
    diags: list[Diagnostic] = []
    version = data.get("openapi")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        shown = repr(version) if version is not None else "missing"
        diags.append(
            doc.diagnostic(
                "#/openapi",
                f"unsupported OpenAPI version {shown}: expected 3.0.x or 3.1.x",
                rule=RULE_VALID,
            )
        )
    diags += check_objects(doc)
    diags += check_path_params(doc)
    diags += check_operation_ids(doc)
    # With broken references the validator would fetch, fail to resolve, or recurse forever.
    if full and not diags:
        # imported here: openapi-spec-validator and its schemas cost ~0.2 s to import, and public
        # specs (full=False) never need them
        from generator.spec_validator import run_spec_validator

        diags += run_spec_validator(doc)
    return diags


# --- references --------------------------------------------------------------------------------


def iter_objects(data: Any) -> Iterator[tuple[Chain, dict[str, Any]]]:
    """Every OpenAPI object (a mapping of fields, not of names or example data), in document order.

    Skips values that are data (examples, defaults, enums) and vendor extensions' contents.
    """
    seen: set[int] = set()  # YAML aliases share objects; visiting each once keeps the walk linear
    # (node, chain, mode): "object" has fields, "names" has user-chosen keys, "patterned" has
    # user-chosen keys and extensions, "example" is an Example Object whose `value` is data.
    stack: list[tuple[Any, Chain, str]] = [(data, None, "object")]
    while stack:
        node, chain, mode = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        if mode in ("object", "example", "patterned") and isinstance(node, dict):
            yield chain, node
        stack.extend(reversed(list(_children(node, chain, mode))))


def _children(node: Any, chain: Chain, mode: str) -> Iterator[tuple[Any, Chain, str]]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield item, (chain, str(i)), "object"
        return
    for raw_key, value in node.items():
        key = str(raw_key)
        if not isinstance(value, (dict, list)):
            continue
        if mode == "names" or (mode == "patterned" and not key.startswith("x-")):
            yield value, (chain, key), "object"
        elif (
            mode == "patterned"
            or key in LITERAL_KEYS
            or key.startswith("x-")
            or (mode == "example" and key == "value")
        ):
            continue
        elif key == "examples":
            # A map of Example Objects (media types, parameters); a list is schema data (3.1).
            if isinstance(value, dict):
                for name, example in value.items():
                    yield example, ((chain, key), str(name)), "example"
        else:
            kind = "patterned" if key in PATTERNED else "names" if key in NAME_MAPS else "object"
            yield value, (chain, key), kind


def iter_refs(data: Any) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(pointer of the object holding $ref, that object, the $ref string) for every reference."""
    for chain, node in iter_objects(data):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield spell(chain), node, ref


def resolve_pointer(data: Any, ref: str) -> tuple[bool, Any]:
    """(found, node) for a local reference "#/a/b" (URI-fragment form, percent-decoded)."""
    if not ref.startswith("#"):
        return False, None
    body = unquote(ref[1:])
    if body and not body.startswith("/"):
        return False, None
    node = data
    for raw in body.split("/")[1:] if body else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False, None
    return True, node


RULE_DEGRADED = "degraded"


def degrade(doc: Document, diags: list[Diagnostic]) -> list[Diagnostic]:
    """For a spec outside specs/: the parts that cannot be handled are degraded, not fatal. A $ref
    that does not resolve (or is external) is dropped, leaving an untyped (Any) schema; a path
    parameter missing from the template or its declarations becomes a warning (the builder adds
    an undeclared one as a required str); a required name no property declares is not required
    (what the server sends is read, what the caller sends is what the properties say). Each such
    part is one `degraded` warning."""
    out: list[Diagnostic] = []
    for diag in diags:
        if diag.rule == RULE_REF and diag.pointer.endswith("/$ref") and "cycle" not in diag.message:
            found, holder = resolve_pointer(doc.data, diag.pointer.removesuffix("/$ref"))
            if found and isinstance(holder, dict):
                holder.pop("$ref", None)
                out.append(_degraded(diag, diag.message + "; untyped (Any)"))
                continue
        if diag.rule == RULE_REQUIRED:
            found, schema = resolve_pointer(doc.data, diag.pointer.removesuffix("/required"))
            if found and isinstance(schema, dict) and isinstance(schema.get("properties"), dict):
                schema["required"] = [n for n in schema["required"] if n in schema["properties"]]
                out.append(_degraded(diag, diag.message + "; not required"))
                continue
        if diag.rule == RULE_PATH_PARAMS:
            out.append(_degraded(diag, diag.message + ("; ignored" if "does not appear" in diag.message else "; sent as a required str")))
            continue
        out.append(diag)
    return out


def _degraded(diag: Diagnostic, message: str) -> Diagnostic:
    return Diagnostic(diag.file, diag.pointer, message, Level.WARNING, RULE_DEGRADED, diag.line)


def check_objects(doc: Document) -> list[Diagnostic]:
    """The checks that look at every object, in one walk (GitHub's spec: ~0.5 s a walk)."""
    refs: list[tuple[str, dict[str, Any], str]] = []
    diags: list[Diagnostic] = []
    for chain, node in iter_objects(doc.data):
        ref = node.get("$ref")
        if isinstance(ref, str):
            refs.append((spell(chain), node, ref))
        if type(node.get("required")) is list:
            diags += _undeclared_required(doc, chain, node)
    return check_refs(doc, refs) + diags


def _undeclared_required(doc: Document, chain: Chain, schema: dict[str, Any]) -> list[Diagnostic]:
    """A schema that declares its properties, allows no others, yet requires a name it does not
    declare: Xero's `Folder` declares `Name` and requires `name`, and what Xero sends has `Name`.
    Under allOf/anyOf/oneOf a sibling may declare the name, so those are left alone."""
    props = schema.get("properties")
    if (
        not isinstance(props, dict)
        or not props
        or schema.get("additionalProperties") not in (None, False)
        or schema.get("patternProperties")
        or any(k in schema for k in ("allOf", "anyOf", "oneOf", "$ref"))
        or (chain is not None and chain[0] is not None and chain[0][1] in ("allOf", "anyOf", "oneOf"))
    ):
        return []
    missing = [name for name in schema["required"] if isinstance(name, str) and name not in props]
    if not missing:
        return []
    folded = {str(k).lower(): str(k) for k in props}
    near = [folded[name.lower()] for name in missing if name.lower() in folded]
    return [
        doc.diagnostic(
            spell(chain) + "/required",
            f"requires {', '.join(map(repr, missing))}, which its properties do not declare"
            + (f" (they declare {', '.join(map(repr, near))})" if near else ""),
            level=Level.WARNING,
            rule=RULE_REQUIRED,
        )
    ]


def check_refs(doc: Document, refs: list[tuple[str, dict[str, Any], str]] | None = None) -> list[Diagnostic]:
    """References that are external, do not resolve, or form a cycle of bare $refs; `refs` as
    iter_refs gives them, when a walk has already found them."""
    diags: list[Diagnostic] = []
    holders: dict[int, str] = {}  # id of an object holding $ref -> its pointer
    edges: dict[str, str] = {}  # pointer of a $ref holder -> pointer of the holder it targets
    targets: list[tuple[str, Any]] = []
    for ptr, node, ref in iter_refs(doc.data) if refs is None else refs:
        holders.setdefault(id(node), ptr)
        if not ref.startswith("#"):
            diags.append(
                doc.diagnostic(
                    ptr + "/$ref", f"external $ref not supported: {ref!r}", rule=RULE_REF
                )
            )
            continue
        found, target = resolve_pointer(doc.data, ref)
        if not found:
            diags.append(
                doc.diagnostic(ptr + "/$ref", f"$ref {ref!r} does not resolve", rule=RULE_REF)
            )
            continue
        targets.append((ptr, target))
    for ptr, target in targets:
        if id(target) in holders:
            edges[ptr] = holders[id(target)]
    diags += _ref_cycles(doc, edges)
    return diags


def _ref_cycles(doc: Document, edges: dict[str, str]) -> list[Diagnostic]:
    """Cycles made only of $refs never reach a schema; recursion through properties is fine.

    Every holder has one outgoing edge, so following edges with three colours is linear.
    """
    state: dict[str, int] = {}  # 1 = on the current trail, 2 = done
    diags: list[Diagnostic] = []
    for start in sorted(edges):
        trail: list[str] = []
        node: str | None = start
        while node is not None and node not in state:
            state[node] = 1
            trail.append(node)
            node = edges.get(node)
        if node is not None and state[node] == 1:
            cycle = trail[trail.index(node) :]
            first = min(cycle)
            at = cycle.index(first)
            cycle = cycle[at:] + cycle[:at]
            shown = " -> ".join([*cycle, first])
            diags.append(
                doc.diagnostic(
                    first + "/$ref",
                    f"$ref cycle never reaches a schema: {shown}",
                    rule=RULE_REF_CYCLE,
                )
            )
        for item in trail:
            state[item] = 2
    return diags


def spell(chain: Chain) -> str:
    tokens: list[str] = []
    while chain is not None:
        chain, token = chain
        tokens.append(escape_token(token))
    return "#" + "".join("/" + t for t in reversed(tokens))


def deref(data: Any, node: Any, limit: int = 32) -> Any:
    """Follow local $refs to the object they name (None when one does not resolve)."""
    for _ in range(limit):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            return node
        found, node = resolve_pointer(data, node["$ref"])
        if not found:
            return None
    return None


# --- schemas reached from a place -------------------------------------------------------------

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SCHEMA_SINGLE = (
    "items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "not",
    "contains", "propertyNames", "if", "then", "else", "additionalItems",
)  # fmt: skip


def schema_children(ptr: str, node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(pointer, subschema) of each schema written inside the schema `node` at `ptr`."""
    for key in _SCHEMA_MAPS:
        value = node.get(key)
        if isinstance(value, dict):
            for name, child in value.items():
                yield f"{ptr}/{escape_token(key)}/{escape_token(str(name))}", child
    for key in (*_SCHEMA_LISTS, "items"):  # a list of items: draft-4 style tuple items
        value = node.get(key)
        if isinstance(value, list):
            for i, child in enumerate(value):
                yield f"{ptr}/{key}/{i}", child
    for key in _SCHEMA_SINGLE:
        if isinstance(node.get(key), dict):
            yield f"{ptr}/{escape_token(key)}", node[key]


def reached_schemas(data: Any, roots: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, schema) of every schema object reachable from the (pointer, schema) `roots`, each
    once: a $ref is followed to its target, which is given at its own pointer."""
    visited: set[str] = set()
    stack = list(roots)
    while stack:
        ptr, node = stack.pop()
        if not isinstance(node, dict) or ptr in visited:
            continue
        visited.add(ptr)
        yield ptr, node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#"):
            stack.append(("#" + unquote(ref[1:]), deref(data, {"$ref": ref})))
        stack.extend(schema_children(ptr, node))


# --- paths and operations ----------------------------------------------------------------------


def iter_operations(data: Any) -> Iterator[tuple[str, str, str, dict[str, Any], dict[str, Any]]]:
    """(path, method, pointer, operation, resolved path item) for every operation under paths."""
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return
    for path, raw_item in paths.items():
        item = deref(data, raw_item)
        if not isinstance(item, dict):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                ptr = f"#/paths/{escape_token(str(path))}/{method}"
                yield str(path), method, ptr, operation, item


def _path_params(data: Any, params: Any, base: str) -> dict[str, str]:
    """name -> pointer of every `in: path` parameter of a parameters list."""
    found: dict[str, str] = {}
    if not isinstance(params, list):
        return found
    for i, raw in enumerate(params):
        param = deref(data, raw)
        if (
            isinstance(param, dict)
            and param.get("in") == "path"
            and isinstance(param.get("name"), str)
        ):
            found.setdefault(param["name"], f"{base}/parameters/{i}")
    return found


def check_path_params(doc: Document) -> list[Diagnostic]:
    data = doc.data
    diags: list[Diagnostic] = []
    paths = data.get("paths")
    if not isinstance(paths, dict):
        return diags
    for path, raw_item in paths.items():
        item = deref(data, raw_item)
        if not isinstance(item, dict):
            continue
        item_ptr = "#/paths/" + escape_token(str(path))
        template = set(_TEMPLATE_PARAM.findall(str(path)))
        shared = _path_params(data, item.get("parameters"), item_ptr)
        for name, ptr in shared.items():
            if name not in template:
                diags.append(_undeclared_in_template(doc, ptr, name, str(path)))
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            op_ptr = f"{item_ptr}/{method}"
            own = _path_params(data, operation.get("parameters"), op_ptr)
            for name, ptr in own.items():
                if name not in template:
                    diags.append(_undeclared_in_template(doc, ptr, name, str(path)))
            for name in sorted(template - shared.keys() - own.keys()):
                diags.append(
                    doc.diagnostic(
                        op_ptr,
                        f"path template parameter {{{name}}} is not declared as an `in: path` "
                        "parameter of the operation or path item",
                        rule=RULE_PATH_PARAMS,
                    )
                )
    return diags


def _undeclared_in_template(doc: Document, ptr: str, name: str, path: str) -> Diagnostic:
    return doc.diagnostic(
        ptr,
        f"path parameter {name!r} does not appear in the path template {path!r}",
        rule=RULE_PATH_PARAMS,
    )


def check_operation_ids(doc: Document) -> list[Diagnostic]:
    first: dict[str, str] = {}
    diags: list[Diagnostic] = []
    for _path, _method, ptr, operation, _item in iter_operations(doc.data):
        op_id = operation.get("operationId")
        if not isinstance(op_id, str):
            continue
        if op_id in first:
            diags.append(
                doc.diagnostic(
                    ptr + "/operationId",
                    f"operationId {op_id!r} is already used by {first[op_id]}",
                    rule=RULE_OPERATION_ID,
                )
            )
        else:
            first[op_id] = ptr
    return diags


def real_pointer(data: Any, tokens: list[str], *, follow_last: bool = False) -> str:
    """The pointer of the node a logical path reaches, following $refs on the way."""
    node = data
    resolved: list[str] = []
    for token in [*tokens, None] if follow_last else tokens:
        for _ in range(32):
            if isinstance(node, dict) and token not in node and isinstance(node.get("$ref"), str):
                ref = node["$ref"]
                found, node = resolve_pointer(data, ref)
                if not found:
                    break
                body = unquote(ref[1:])
                resolved = [t.replace("~1", "/").replace("~0", "~") for t in body.split("/")[1:]]
            else:
                break
        if token is None:
            break
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            node = None
        resolved.append(token)
    return "#" + "".join("/" + escape_token(t) for t in resolved)
