"""Identifier cleaning. Every name that reaches generated code passes through here exactly once,
so templates never see raw spec text in an identifier position."""

from __future__ import annotations

import builtins
import keyword
import re
from dataclasses import dataclass
from functools import cache
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



# -- method names -------------------------------------------------------------------------------
#
# The Stainless convention: `client.customers.list()`, `.create()`, `.retrieve()`, `.update()`,
# `.delete()` for a resource's own collection and items; any other operation is named without the
# resource words its path already puts before it (`client.invoices.mark_as_paid(id)`).

# Python keywords cannot be method names; builtins can (`list`), except the types the generated
# signatures themselves use, which a method of that name would shadow in the class body (`list`
# is handled there: resolve.shadow_builtins).
_METHOD_RESERVED = (
    frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
    | {"str", "int", "float", "bool", "bytes", "dict", "object", "type", "tuple", "set", "frozenset"}
    | {"with_raw_response", "with_streaming_response"}  # resource attributes beside the methods
)  # fmt: skip
_HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# Words an operationId uses for plain CRUD beside the resource's own words (`getCustomerById`).
_CRUD_VERBS = frozenset(
    {"get", "list", "create", "update", "delete", "add", "remove", "fetch", "find", "retrieve", "read",
     "patch", "put", "post", "new", "edit", "modify", "replace", "show", "destroy", "query", "search"}
)  # fmt: skip
_CRUD_FILLER = frozenset({"all", "by", "id", "details", "detail", "info", "one", "single", "a", "an", "the"})
# A trailing path segment starting with one of these is an action, not a sub-collection.
_ACTION_VERBS = frozenset(
    {"search", "find", "download", "upload", "export", "import", "preview", "validate", "verify", "check",
     "count", "lookup", "send", "cancel", "confirm", "capture", "close", "approve", "reject", "submit",
     "publish", "refund", "void", "finalize", "pay", "resend", "reset", "archive", "restore", "mark",
     "attach", "detach", "expire", "accept", "decline", "activate", "deactivate", "enable", "disable",
     "start", "stop", "retry", "apply", "run", "generate", "calculate", "process", "sync",
     "create", "update", "delete", "remove", "add", "list"}
)  # fmt: skip
_PREFIX_SEGMENT = re.compile(r"^(v\d+(\.\d+)*|api|rest)$", re.IGNORECASE)


def method_ident(text: str, *, fallback: str = "call") -> PyIdent:
    """snake_case for a method: builtins allowed, keywords and the signature's own types not."""
    name = "_".join(w.lower() for w in words(text)) or fallback
    if name[0].isdigit():
        name = f"n{name}"
    return PyIdent(name + "_" if name in _METHOD_RESERVED else name)


# Words that look plural, or singular nouns an English singularizer would mangle ("meta" is no
# plural of "metum"; GitHub has a /meta resource).
_NOT_PLURAL = frozenset({"meta"})


@cache
def singular(word: str) -> str:
    """`invoices` -> `invoice`, `people` -> `person`; words that only look plural stay.

    `inflection` (Rails' inflector) rather than `inflect`, which datamodel-code-generator uses: the
    latter's import takes over 2 s (typeguard instruments it), more than the rest of a small spec."""
    lowered = word.lower()
    if len(lowered) < 3 or lowered.endswith(("ss", "us", "is", "ics")) or lowered in _NOT_PLURAL:
        return lowered
    import inflection

    return inflection.singularize(lowered) or lowered


def _is_plural(word: str) -> bool:
    return singular(word) != word.lower()


@dataclass(frozen=True)
class OperationShape:
    """What naming needs from an operation."""

    method: str  # lower case
    path: str
    operation_id: str | None  # None: absent
    override: str | None = None  # x-specgen-name


def _segments(path: str) -> list[str]:
    """Path segments, a version/api prefix dropped; a parameter segment reads as `{}`."""
    result: list[str] = []
    for seg in (s for s in path.split("/") if s):
        if re.fullmatch(r"\{[^}]*\}", seg):
            result.append("{}")
        else:
            literal = re.sub(r"\{[^}]*\}", "", seg)  # `incidents.{format}` -> `incidents.`
            if words(literal) and not (not result and _PREFIX_SEGMENT.match(literal)):
                result.append(literal)
    return result


def _ends_with(items: list[str], tail: list[str]) -> bool:
    return bool(tail) and len(tail) <= len(items) and items[len(items) - len(tail) :] == tail


def _sing(text_words: list[str]) -> list[str]:
    return [singular(w) for w in text_words]


def _looks_generated(op: OperationShape) -> bool:
    """An operationId spelled from the method and the path (Stripe `PostAccountsAccountBankAccountsId`,
    bikewise `GET--version-incidents---format-`) says nothing the path does not."""
    if not op.operation_id:
        return True
    op_words = _sing(words(op.operation_id))
    if not op_words or op_words[0] not in _HTTP_METHODS:
        return False
    path_words = set(_sing(words(op.path)))
    if not all(w in path_words | {"version", "format", "id", "api"} for w in op_words[1:]):
        return False
    # `getInvoiceCalculations` on /pay-int-api/invoices/{id}/calculations is hand-written:
    # camelCase and leaves path words out; Stripe's spell every segment.
    literal = {w for s in _segments(op.path) for w in _sing(words(s))}
    return op.operation_id[0].isupper() or bool(re.search(r"[-_]", op.operation_id)) or literal <= set(op_words)


def _strip_resource(op_words: list[str], resource: list[str]) -> list[str]:
    """operationId words without the resource words that follow its leading verb, or start it:
    `submitInvoiceCardPayment` on invoices -> submit card payment; `listCustomerInvoices` keeps
    customer invoices (the resource words are not the object there)."""
    sing = _sing(op_words)
    for start in (0, 1):  # GitHub's `codes-of-conduct/get-all-codes-of-conduct` starts with them
        for size in range(len(resource), 0, -1):
            tail = resource[len(resource) - size :]
            if sing[start : start + size] == tail and len(op_words) > size:
                return op_words[:start] + op_words[start + size :]
    return op_words


def _crud(op: OperationShape, resource: list[str]) -> str | None:
    """list/create/retrieve/update/delete when the path is the resource's collection or an item of it."""
    segs = _segments(op.path)
    trailing = 0
    while segs and segs[-1] == "{}":
        segs.pop()
        trailing += 1
    if not segs or "{}" in segs:
        return None  # nested under another item: /accounts/{account}/bank_accounts
    noun = words(segs[-1])
    if not noun or not _ends_with(resource, _sing(noun)):
        return None
    if not _looks_generated(op):
        rest = _strip_resource(words(op.operation_id or ""), resource)
        rest = [w.lower() for w in rest if w.lower() not in _CRUD_FILLER]
        if len(rest) > 1 or (rest and rest[0] not in _CRUD_VERBS):
            return None  # the operationId says more than CRUD: `listCustomersForOrg`
    if trailing:
        return {"get": "retrieve", "put": "update", "patch": "update", "post": "update", "delete": "delete"}.get(
            op.method
        )
    if op.method == "get":
        # a singular collection is a singleton (`/v1/balance`) unless the operationId says list
        listing = _is_plural(noun[-1]) or (op.operation_id or "").lower().startswith("list")
        return "list" if listing else "retrieve"
    return {"post": "create", "put": "update", "patch": "update", "delete": "delete"}.get(op.method)


def _from_path(op: OperationShape, resource: list[str]) -> str:
    """A name from the method and the path segments after the resource's own."""
    segs = _segments(op.path)
    item = bool(segs) and segs[-1] == "{}"
    literal = [s for s in segs if s != "{}"]
    own = [i for i, s in enumerate(literal) if set(_sing(words(s))) <= set(resource)]
    if own:
        literal = literal[own[-1] + 1 :]  # what follows the resource's own segment
    if not literal:
        return _crud(OperationShape(op.method, op.path, None), resource) or op.method
    last = words(literal[-1])
    after_param = len(segs) >= 2 and segs[-2] == "{}" and not item
    if not item and (last[0].lower() in _ACTION_VERBS or (op.method == "post" and after_param and len(last) == 1 and not _is_plural(last[0]))):
        # POST /charges/{charge}/capture -> capture; POST /charges/{charge}/dispute/close -> close_dispute
        objects = [singular(w) for s in literal[:-1] for w in words(s)]
        return "_".join([*(w.lower() for w in last), *objects])
    obj = [w.lower() for s in literal for w in words(s)]
    if item or op.method != "get" or not _is_plural(obj[-1]):
        obj[-1] = singular(obj[-1])
    verb = {
        "get": "retrieve" if item or not _is_plural(last[-1]) else "list",
        "post": "update" if item else "create",
        "put": "update",
        "patch": "update",
        "delete": "delete",
    }.get(op.method, op.method)
    return "_".join([verb, *obj])


def _fallback(op: OperationShape, resource: list[str]) -> str:
    if _looks_generated(op):
        return _from_path(op, resource)
    return "_".join(w.lower() for w in _strip_resource(words(op.operation_id or ""), resource))


def method_names(resource: str, operations: list[OperationShape]) -> tuple[list[PyIdent], list[tuple[int, str]]]:
    """Method names for a resource's operations, unique, in their order; and (index, message) for
    each operation whose natural name another took.

    Overrides (x-specgen-name) come first; a CRUD name goes to the shortest path that wants it (then
    the first in the spec); everything else is named from its operationId or its path, falling
    back to the operationId in full and then a numeric suffix."""
    res = _sing(words(resource))
    names: list[PyIdent | None] = [None] * len(operations)
    taken: set[str] = set()
    notes: list[tuple[int, str]] = []
    for i, op in enumerate(operations):
        if op.override:
            names[i] = PyIdent(dedupe(method_ident(op.override), taken))
    wanted: dict[str, list[int]] = {}
    for i, op in enumerate(operations):
        crud = _crud(op, res) if names[i] is None else None
        if crud:
            wanted.setdefault(crud, []).append(i)
    for crud, indices in wanted.items():
        best = min(indices, key=lambda i: (len(_segments(operations[i].path)), i))
        if crud not in taken:
            names[best] = PyIdent(crud)
            taken.add(crud)
    for i, op in enumerate(operations):
        if names[i] is not None:
            continue
        natural = method_ident(_fallback(op, res), fallback=op.method)
        if natural in taken:
            full = method_ident(op.operation_id or f"{op.method} {op.path}", fallback=op.method)
            chosen = PyIdent(dedupe(full, taken))
            notes.append((i, f"method name {natural!r} is taken in this resource; using {chosen!r}"))
        else:
            chosen = natural
            taken.add(chosen)
        names[i] = chosen
    return [n for n in names if n is not None], notes
