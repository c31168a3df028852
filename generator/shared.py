"""Inline objects written out alike in several places, generated once.

GitHub's webhook payloads repeat the same inline objects (a pull request, its repository, its
users...) in dozens of schemas: over half of the model generator's input. Each copy became a set of
classes of its own (WebhookPullRequestClosedPullRequest, WebhookPullRequestOpenedPullRequest...),
identical field for field, and cost the generator, the formatter and the consumer's import as much
as the first. An inline object of at least MIN_BYTES of JSON that occurs at least twice, outside any
larger such object, is made a schema of its own, named after what its places share, and each place
refers to it: one set of classes, and the same fields, types and docs as each copy had.
"""

from __future__ import annotations

import json
from typing import Any

from generator.names import dedupe, pascal, words

MIN_BYTES = 2_000
_PREFIX = "#/components/schemas/"
_DATA = frozenset({"example", "examples", "default", "enum", "const"})  # values, not schemas
# What a property says of itself rather than of its type: kept beside the $ref that replaces it
# (the generator writes them on the field: its docstring, Field(title=...)), left out of the shared
# schema and of what decides that two objects are alike.
_SITE = ("description", "title", "readOnly", "writeOnly", "deprecated", "example", "examples", "externalDocs")


def share(schemas: dict[str, Any], taken: set[str]) -> dict[str, Any]:
    """`schemas` with each repeated inline object moved to a schema of its own, added after them
    (repeatedly: a moved object's own parts may repeat elsewhere); `taken` gets the new names.

    A round reads again only the schemas the last one changed or added: the others are the same
    objects, and their large objects (and every node's text) are remembered (GitHub: 1.4 s -> 0.5 s)."""
    schemas = dict(schemas)
    texts = _Texts()
    read: dict[str, tuple[Any, list[_Found]]] = {}  # by schema: the schema read, its large objects
    kept: list[Any] = []  # what texts remembers is keyed by identity: the replaced trees stay alive
    while True:
        found = {}
        for name, schema in schemas.items():
            if name not in read or read[name][0] is not schema:
                read[name] = (schema, _large_objects(schema, texts))
            found[name] = read[name][1]
        repeated = _repeated(found)
        if not repeated:
            return schemas
        names = {text: dedupe(_name(places), taken) for text, places in repeated.items()}
        for name, schema in list(schemas.items()):
            if any(text in names for text, _, _, _ in found[name]):  # else a copy would be the same
                kept.append(schema)
                schemas[name] = _replaced(schema, names, texts)
        for text, name in names.items():
            schema = json.loads(text)
            said = {json.dumps(node.get("description")) for _, _, node in repeated[text]}
            if len(said) == 1 and "description" in repeated[text][0][2]:  # the class docstring a copy had
                schema = {"description": repeated[text][0][2]["description"], **schema}
            schemas[name] = _replaced(schema, names, _Texts())


def _is_object(node: Any) -> bool:
    """An object with properties (a default on it stays where it is written)."""
    if not isinstance(node, dict) or not isinstance(node.get("properties"), dict) or "$ref" in node:
        return False
    if "default" in node:
        return False
    kinds = node.get("type")
    return kinds == "object" or (isinstance(kinds, list) and "object" in kinds)


class _Texts(dict[int, str]):
    """JSON texts of the nodes of one set of schemas, each built once from its children's (as
    json.dumps writes it), by the node's identity: the trees are not changed while it is used."""

    def key(self, node: dict[str, Any]) -> str:
        """What decides that two inline objects are alike: their text without what is the site's."""
        if not any(k in node for k in _SITE):
            return self.of(node)
        # not through of(): a dict made here would be remembered by an identity soon reused
        return "{" + ", ".join(_string(str(k)) + ": " + self.of(v) for k, v in node.items() if k not in _SITE) + "}"

    def of(self, node: Any) -> str:
        if type(node) is str:
            return _string(node)
        if isinstance(node, dict):
            text = self.get(id(node))
            if text is None:
                items = ", ".join(_string(str(k)) + ": " + self.of(v) for k, v in node.items())
                text = self[id(node)] = "{" + items + "}"
            return text
        if isinstance(node, list):
            text = self.get(id(node))
            if text is None:
                text = self[id(node)] = "[" + ", ".join(self.of(v) for v in node) + "]"
            return text
        return json.dumps(node, default=str)


_string = json.encoder.encode_basestring_ascii  # what json.dumps writes a str as


# A large inline object: its text (_Texts.key), property path, node, and the index of the nearest
# large object around it in its schema's list (-1: none).
_Found = tuple[str, list[str], dict[str, Any], int]


def _large_objects(schema: Any, texts: _Texts) -> list[_Found]:
    """The inline objects of MIN_BYTES or more under a schema that may be shared, in document order."""
    found: list[_Found] = []
    stack: list[tuple[Any, list[str], int, int]] = [(schema, [], PINNED, -1)]
    while stack:
        node, path, state, around = stack.pop()
        if not isinstance(node, dict):
            continue
        if state == FREE and _is_object(node):
            text = texts.key(node)
            if len(text) >= MIN_BYTES:
                found.append((text, path, node, around))
                around = len(found) - 1
        stack.extend((child, at, kind, around) for child, at, kind in reversed(_children(node, path, state)))
    return found


def _repeated(found: dict[str, list[_Found]]) -> dict[str, list[tuple[str, list[str], dict[str, Any]]]]:
    """The text of each large inline object found twice or more, outside any larger one so found,
    with its places: (schema name, property path, the object)."""
    counts: dict[str, int] = {}
    for objects in found.values():
        for text, _, _, _ in objects:
            counts[text] = counts.get(text, 0) + 1
    candidates = {text for text, n in counts.items() if n > 1}
    if not candidates:
        return {}
    places: dict[str, list[tuple[str, list[str], dict[str, Any]]]] = {}
    for name, objects in found.items():
        inside: list[bool] = []  # whether the object is inside a candidate
        for text, path, node, around in objects:
            inside.append(around >= 0 and (inside[around] or objects[around][0] in candidates))
            if text in candidates and not inside[-1]:
                places.setdefault(text, []).append((name, path, node))
    return {text: at for text, at in places.items() if len(at) > 1}


# How a node may be shared: FREE; PINNED, itself not; MEMBER, an allOf member, nor anything in it: the
# generator merges the members' properties, at every depth, with the other members' and reads each
# whole (a $ref merged with `{"type": "object"}` became `dict[str, Any]`).
FREE, PINNED, MEMBER = 0, 1, 2


def _children(node: dict[str, Any], path: list[str], state: int) -> list[tuple[Any, list[str], int]]:
    """A node's subschemas, in order, with their property paths and states."""
    out: list[tuple[Any, list[str], int]] = []
    inner = MEMBER if state == MEMBER else FREE
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out += [(v, [*path, str(k)], inner) for k, v in value.items()]
        elif key in ("items", "additionalProperties"):
            out.append((value, [*path, "item"], inner))
        elif key == "allOf" and isinstance(value, list):
            out += [(v, path, MEMBER) for v in value]
        elif isinstance(value, list) and key not in _DATA:
            out += [(v, path, inner) for v in value]
        elif isinstance(value, dict) and key not in _DATA:
            out.append((value, path, inner))
    return out


def _replaced(node: Any, names: dict[str, str], texts: _Texts, state: int = PINNED) -> Any:
    """A copy of `node` whose repeated inline objects are $refs to their new schemas."""
    if not isinstance(node, dict):
        return node
    if state == FREE and _is_object(node):
        name = names.get(texts.key(node))
        if name is not None:
            return {"$ref": _PREFIX + name, **{k: node[k] for k in _SITE if k in node}}
    children = iter(_children(node, [], state))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {k: _replaced(v, names, texts, next(children)[2]) for k, v in value.items()}
        elif key in ("items", "additionalProperties") or (isinstance(value, dict) and key not in _DATA):
            out[key] = _replaced(value, names, texts, next(children)[2])
        elif isinstance(value, list) and key not in _DATA:
            out[key] = [_replaced(v, names, texts, next(children)[2]) for v in value]
        else:
            out[key] = value
    return out


def _name(places: list[tuple[str, list[str], dict[str, Any]]]) -> str:
    """The words the owning schemas' names begin with alike, then the last property name the places
    share (else the first place's): the pull request of every WebhookPullRequest* payload is
    WebhookPullRequestPullRequest."""
    owners = [words(owner) for owner, _, _ in places]
    common: list[str] = []
    for group in zip(*owners, strict=False):
        if len({w.lower() for w in group}) != 1:
            break
        common.append(group[0])
    lasts = {path[-1] if path else "" for _, path, _ in places}
    last = lasts.pop() if len(lasts) == 1 else (places[0][1][-1] if places[0][1] else "")
    return pascal(" ".join([*(common or owners[0][:1]), last]), fallback="Shared")
