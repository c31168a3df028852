"""The catalogue of change rules: id, level, direction, source and a one-line description.

Ids, levels and directions are oasdiff's (checker/rules.go) where oasdiff has the check; oasdiff's
ERR is our "breaking", WARN "warning", INFO "info". Rules with source "specgen" exist because the
generated client makes a change matter that oasdiff rates differently or does not check (method
names come from operationId, resources from the first tag, the default base URL from servers[0],
and the generated models validate bounds on both sides). Rules with source "client" judge the
generated client's public surface. `python -m generator review --rules` writes the table to
docs/review-rules.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(str, Enum):
    BREAKING = "breaking"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Level.BREAKING: 0, Level.WARNING: 1, Level.INFO: 2}


@dataclass(frozen=True)
class Rule:
    id: str
    level: Level
    source: str  # "oasdiff", "specgen" or "client"
    direction: str  # "request", "response" or "none"
    description: str


B, W, I = Level.BREAKING, Level.WARNING, Level.INFO
REQ, RESP, NONE = "request", "response", "none"

# id | level | direction | source | description
_TEXT = """
endpoint-added | info | none | oasdiff | an operation was added
api-removed-without-deprecation | breaking | none | oasdiff | an operation was removed without being deprecated first
api-removed-with-deprecation | info | none | oasdiff | a deprecated operation was removed
api-path-removed-without-deprecation | breaking | none | oasdiff | a path was removed without being deprecated first
api-path-removed-with-deprecation | info | none | oasdiff | a deprecated path was removed
api-removed-before-sunset | breaking | none | oasdiff | a deprecated operation was removed before its x-sunset date
endpoint-deprecated | info | none | oasdiff | an operation was deprecated
endpoint-deprecated-with-sunset | info | none | oasdiff | an operation was deprecated with an x-sunset date
endpoint-reactivated | info | none | oasdiff | a deprecated operation is no longer deprecated
sunset-deleted | breaking | none | oasdiff | the x-sunset date of a deprecated operation was removed
api-sunset-date-changed-too-small | breaking | none | oasdiff | the x-sunset date of a deprecated operation moved earlier
api-path-renamed | breaking | none | specgen | an operation (same method and operationId) moved to another path: deployed clients call the old one
new-required-request-parameter | breaking | request | oasdiff | a required request parameter was added
new-optional-request-parameter | info | request | oasdiff | an optional request parameter was added
new-request-path-parameter | breaking | request | oasdiff | a path parameter was added
request-parameter-removed | warning | request | oasdiff | a request parameter was removed
request-parameter-renamed | info | request | specgen | a path parameter was renamed (same position: the URL sent is the same)
request-parameter-became-required | breaking | request | oasdiff | a request parameter became required
request-parameter-became-optional | info | request | oasdiff | a request parameter became optional
request-parameter-type-changed | breaking | request | oasdiff | a request parameter's type/format changed incompatibly
request-parameter-type-generalized | info | request | oasdiff | a request parameter's type/format was widened (e.g. int32 -> int64)
request-parameter-became-enum | breaking | request | oasdiff | a request parameter was restricted to enum values
request-parameter-enum-value-removed | breaking | request | oasdiff | an enum value of a request parameter was removed
request-parameter-enum-value-added | info | request | oasdiff | an enum value of a request parameter was added
request-parameter-became-nullable | info | request | oasdiff | a request parameter became nullable
request-parameter-became-not-nullable | breaking | request | oasdiff | a request parameter is no longer nullable
request-parameter-default-value-changed | breaking | request | oasdiff | the default of a request parameter changed
request-parameter-default-value-added | breaking | request | oasdiff | a default was added to a request parameter
request-parameter-default-value-removed | breaking | request | oasdiff | the default of a request parameter was removed
request-parameter-pattern-added | breaking | request | oasdiff | a pattern was added to a request parameter
request-parameter-pattern-changed | warning | request | oasdiff | the pattern of a request parameter changed
request-parameter-pattern-removed | info | request | oasdiff | the pattern of a request parameter was removed
request-parameter-deprecated | info | request | oasdiff | a request parameter was deprecated
request-parameter-reactivated | info | request | oasdiff | a deprecated request parameter is no longer deprecated
request-parameter-location-changed | breaking | request | specgen | a parameter moved between query/header/path/cookie: deployed clients send it in the old place
request-body-added-required | breaking | request | oasdiff | a required request body was added
request-body-added-optional | info | request | oasdiff | an optional request body was added
request-body-removed | breaking | request | oasdiff | the request body was removed
request-body-became-required | breaking | request | oasdiff | the request body became required
request-body-became-optional | info | request | oasdiff | the request body became optional
request-body-media-type-added | info | request | oasdiff | a request body media type was added
request-body-media-type-removed | breaking | request | oasdiff | a request body media type was removed
new-required-request-property | breaking | request | oasdiff | a required request property was added
new-optional-request-property | info | request | oasdiff | an optional request property was added
request-property-became-enum | breaking | request | oasdiff | a request property was restricted to enum values
request-property-removed | warning | request | oasdiff | a request property was removed
request-property-became-required | breaking | request | oasdiff | a request property became required
request-property-became-optional | info | request | oasdiff | a request property became optional
request-property-enum-value-removed | breaking | request | oasdiff | an enum value of a request property was removed
request-property-enum-value-added | info | request | oasdiff | an enum value of a request property was added
request-property-pattern-added | breaking | request | oasdiff | a pattern was added to a request property
request-property-pattern-changed | warning | request | oasdiff | the pattern of a request property changed
request-property-pattern-removed | info | request | oasdiff | the pattern of a request property was removed
request-property-deprecated | info | request | oasdiff | a request property was deprecated
request-property-reactivated | info | request | oasdiff | a deprecated request property is no longer deprecated
request-required-property-became-read-only | info | request | oasdiff | a required request property became readOnly (no longer sent)
request-optional-property-became-read-only | info | request | oasdiff | an optional request property became readOnly (no longer sent)
request-required-property-became-not-read-only | info | request | oasdiff | a required request property is no longer readOnly
request-optional-property-became-not-read-only | info | request | oasdiff | an optional request property is no longer readOnly
request-required-property-became-write-only | info | request | oasdiff | a required request property became writeOnly
request-optional-property-became-write-only | info | request | oasdiff | an optional request property became writeOnly
response-success-status-removed | breaking | response | oasdiff | a success response status was removed
response-success-status-added | info | response | oasdiff | a success response status was added
response-non-success-status-removed | info | response | oasdiff | a non-success response status was removed
response-non-success-status-added | info | response | oasdiff | a non-success response status was added
response-media-type-removed | breaking | response | oasdiff | a response media type was removed
response-media-type-added | info | response | oasdiff | a response media type was added
required-response-header-removed | breaking | response | oasdiff | a required response header was removed
optional-response-header-removed | warning | response | oasdiff | an optional response header was removed
response-header-added | info | response | oasdiff | a response header was added
response-header-became-optional | breaking | response | oasdiff | a response header became optional
response-header-type-changed | breaking | response | oasdiff | a response header's type/format changed incompatibly
response-header-type-generalized | breaking | response | oasdiff | a response header's type/format was widened
response-header-type-specialized | info | response | oasdiff | a response header's type/format was narrowed
response-required-property-removed | breaking | response | oasdiff | a required response property was removed
response-optional-property-removed | warning | response | oasdiff | an optional response property was removed
response-required-property-added | info | response | oasdiff | a required response property was added
response-optional-property-added | info | response | oasdiff | an optional response property was added
response-property-became-optional | breaking | response | oasdiff | a response property became optional
response-property-became-required | info | response | oasdiff | a response property became required
response-property-enum-value-added | warning | response | oasdiff | an enum value was added to a response property
response-property-enum-value-removed | info | response | oasdiff | an enum value of a response property was removed
response-property-deprecated | info | response | oasdiff | a response property was deprecated
response-property-reactivated | info | response | oasdiff | a deprecated response property is no longer deprecated
response-required-property-became-write-only | info | response | oasdiff | a required response property became writeOnly (no longer returned)
response-optional-property-became-write-only | info | response | oasdiff | an optional response property became writeOnly (no longer returned)
response-required-property-became-not-write-only | warning | response | oasdiff | a required response property is no longer writeOnly
response-optional-property-became-not-write-only | info | response | oasdiff | an optional response property is no longer writeOnly
response-required-property-became-read-only | info | response | oasdiff | a required response property became readOnly
response-optional-property-became-read-only | info | response | oasdiff | an optional response property became readOnly
api-security-component-added | info | none | oasdiff | a security scheme was added
api-security-component-removed | info | none | oasdiff | a security scheme was removed
api-security-component-type-changed | info | none | oasdiff | a security scheme's type changed
api-global-security-added | info | none | oasdiff | a global security requirement was added
api-global-security-removed | info | none | oasdiff | a global security requirement was removed
api-security-added | info | none | oasdiff | an operation's security requirement was added
api-security-removed | info | none | oasdiff | an operation's security requirement was removed (credentials are still accepted)
api-schema-removed | info | none | oasdiff | a component schema was removed
api-schema-renamed | breaking | none | specgen | a component schema was renamed (same content): its generated model is renamed
api-operation-id-changed | breaking | none | specgen | operationId changed: the generated method is renamed
api-resource-changed | breaking | none | specgen | the first tag changed to another client resource: the method moves (a respelling to the same resource is quiet)
server-added | info | none | specgen | a server was added
server-removed | warning | none | specgen | a server was removed
default-server-changed | warning | none | specgen | servers[0], the client's default base URL, changed
spec-removed | warning | none | specgen | a whole spec and its client package went away
spec-added | info | none | specgen | a new spec: a new client package
spec-ref-unresolved | breaking | none | specgen | a $ref of the working-tree spec does not resolve
"""
_TABLE: list[tuple[str, Level, str, str, str]] = [
    (rid, Level(level), direction, source, text)
    for rid, level, direction, source, text in (
        tuple(cell.strip() for cell in line.split("|", 4)) for line in _TEXT.strip().splitlines()
    )
]


def _add(rid: str, level: Level, direction: str, text: str, source: str = "oasdiff") -> None:
    _TABLE.append((rid, level, direction, source, text))


def _side(where: str) -> tuple[str, bool, str]:
    """(direction, is a request, words) of a rule prefix such as "request-body"."""
    return (
        ("request" if where.startswith("request") else "response"),
        where.startswith("request"),
        where.replace("-", " "),
    )


# Type/format per direction: a request may accept more (widening is safe), a response may return
# less (narrowing is safe); oasdiff's integer-within-number and format lattices.
for _where in ("request-parameter", "request-body", "request-property"):
    _d, _, _w = _side(_where)
    _add(f"{_where}-type-changed", B, _d, f"the {_w} type/format changed incompatibly")
    _add(f"{_where}-type-generalized", I, _d, f"the {_w} type/format was widened (accepts more)")
for _where in ("response-body", "response-property", "response-header"):
    _d, _, _w = _side(_where)
    _add(f"{_where}-type-changed", B, _d, f"the {_w} type/format changed incompatibly")
    _add(f"{_where}-type-generalized", B, _d, f"the {_w} type/format was widened")
    _add(f"{_where}-type-specialized", I, _d, f"the {_w} type/format was narrowed")

# nullability, const, default, oneOf/anyOf/allOf and discriminator of a body or property
for _where in ("request-body", "request-property", "response-body", "response-property"):
    _d, _req, _w = _side(_where)
    _add(f"{_where}-became-nullable", I if _req else B, _d, f"the {_w} became nullable")
    _add(f"{_where}-became-not-nullable", B if _req else I, _d, f"the {_w} is no longer nullable")
    _add(f"{_where}-const-added", B if _req else I, _d, f"a const was added to the {_w}")
    _add(f"{_where}-const-removed", I if _req else B, _d, f"the const of the {_w} was removed")
    _add(f"{_where}-const-changed", B, _d, f"the const of the {_w} changed")
    for _change in ("added", "removed", "changed"):
        _add(f"{_where}-default-value-{_change}", I, _d, f"the default of the {_w} was {_change}")
    _add(
        f"{_where}-one-of-added", I if _req else B, _d, f"a oneOf alternative was added to the {_w}"
    )
    _add(
        f"{_where}-one-of-removed",
        B if _req else I,
        _d,
        f"a oneOf alternative of the {_w} was removed",
    )
    _add(f"{_where}-any-of-added", I, _d, f"an anyOf alternative was added to the {_w}")
    _add(
        f"{_where}-any-of-removed",
        B if _req else I,
        _d,
        f"an anyOf alternative of the {_w} was removed",
    )
    _add(f"{_where}-all-of-added", B if _req else I, _d, f"an allOf part was added to the {_w}")
    _add(f"{_where}-all-of-removed", W if _req else I, _d, f"an allOf part of the {_w} was removed")
    for _change in ("added", "removed", "property-name-changed"):
        _add(
            f"{_where}-discriminator-{_change}", I, _d, f"the discriminator of the {_w}: {_change}"
        )
    for _change in ("added", "deleted", "changed"):
        _add(
            f"{_where}-discriminator-mapping-{_change}",
            I,
            _d,
            f"a discriminator mapping of the {_w} was {_change}",
        )

# Bounds. A request bound that tightens refuses what deployed clients send; a response bound that
# loosens returns what their models refuse (the generated models validate responses too).
# Setting a request bound where there was none is oasdiff's warning; specgen makes it breaking,
# since the generated models validate it and a value deployed clients send may now be refused.
_BOUNDS = (  # (name, keyword, a larger value tightens)
    ("max", "maximum", False),
    ("exclusive-max", "exclusiveMaximum", False),
    ("min", "minimum", True),
    ("exclusive-min", "exclusiveMinimum", True),
    ("max-length", "maxLength", False),
    ("min-length", "minLength", True),
    ("max-items", "maxItems", False),
    ("min-items", "minItems", True),
)
BOUND_KEYWORDS = {name: keyword for name, keyword, _ in _BOUNDS}
# the bound rules oasdiff has (the others are this project's, the same policy carried over)
_OASDIFF_BOUNDS = {
    "request-body": "exclusive-max-decreased exclusive-max-increased exclusive-max-set exclusive-min-decreased exclusive-min-increased exclusive-min-set max-decreased max-increased max-length-decreased max-length-increased max-length-set max-set min-decreased min-increased min-items-increased min-items-set min-length-decreased min-length-increased min-set",
    "request-parameter": "exclusive-max-decreased exclusive-max-increased exclusive-max-set exclusive-min-decreased exclusive-min-increased exclusive-min-set max-decreased max-increased max-items-decreased max-items-increased max-length-decreased max-length-increased max-length-set max-set min-decreased min-increased min-items-decreased min-items-increased min-items-set min-length-decreased min-length-increased min-set",
    "request-property": "exclusive-max-decreased exclusive-max-increased exclusive-max-set exclusive-min-decreased exclusive-min-increased exclusive-min-set max-decreased max-increased max-length-decreased max-length-increased max-length-set max-set min-decreased min-increased min-items-increased min-items-set min-length-decreased min-length-increased min-set",
    "response-body": "exclusive-max-increased exclusive-min-decreased max-increased max-length-increased max-length-unset min-decreased min-items-decreased min-items-unset min-length-decreased",
    "response-property": "exclusive-max-increased exclusive-min-decreased max-increased max-length-increased max-length-unset min-decreased min-items-decreased min-items-unset min-length-decreased",
}
for _where in (
    "request-parameter",
    "request-body",
    "request-property",
    "response-body",
    "response-property",
):
    _d, _req, _w = _side(_where)
    for _name, _kw, _up in _BOUNDS:
        _tighter, _looser = ("increased", "decreased") if _up else ("decreased", "increased")
        _levels = {  # tightening breaks a request, loosening a response
            _tighter: B if _req else I,
            _looser: I if _req else B,
            "set": B if _req else I,
            "unset": I if _req else B,
        }
        for _change, _level in _levels.items():
            _known = f"{_name}-{_change}" in _OASDIFF_BOUNDS[_where].split()
            _text = f"{_kw} of the {_w}: {_change}"
            if _known and _change == "set" and _req:
                _text += " (oasdiff: warning; the generated models enforce it)"
            _known = _known and not (_change == "set" and _req)
            _add(
                f"{_where}-{_name}-{_change}", _level, _d, _text, "oasdiff" if _known else "specgen"
            )


# The generated client's public surface, read from its source: breaking when code written against
# the old package can stop working.
_CLIENT: list[tuple[str, Level, str]] = [
    ("client-method-removed", B, "a resource method was removed"),
    ("client-method-renamed", B, "a resource method was renamed or moved to another resource"),
    ("client-method-added", I, "a resource method was added"),
    ("client-overload-added", I, "an overload of a method was added"),
    ("client-constructor-removed", B, "a client class was removed"),
    ("client-constructor-renamed", B, "a client class was renamed"),
    ("client-constructor-added", I, "a client class was added"),
    ("client-parameter-removed", B, "a parameter of a method or constructor was removed"),
    ("client-parameter-renamed", B, "a parameter of a method or constructor was renamed"),
    ("client-parameter-added-required", B, "a required parameter was added"),
    ("client-parameter-added-optional", I, "an optional parameter was added"),
    ("client-parameter-became-required", B, "a parameter became required"),
    ("client-parameter-became-optional", I, "a parameter became optional"),
    ("client-parameter-kind-changed", B, "a parameter changed between positional and keyword"),
    ("client-parameter-type-changed", B, "a parameter's type changed"),
    ("client-parameter-type-widened", I, "a parameter's type accepts more than before"),
    ("client-parameter-order-changed", B, "positional parameters were reordered"),
    ("client-return-type-changed", B, "a method's return type changed"),
    ("client-model-removed", B, "a model was removed"),
    ("client-model-renamed", B, "a model was renamed"),
    ("client-model-added", I, "a model was added"),
    ("client-model-kind-changed", B, "a model became an enum or the reverse"),
    ("client-enum-removed", B, "an enum was removed"),
    ("client-enum-renamed", B, "an enum was renamed"),
    ("client-enum-added", I, "an enum was added"),
    ("client-enum-member-removed", B, "an enum member was removed"),
    ("client-enum-member-renamed", B, "an enum member was renamed (same value)"),
    ("client-enum-member-added", I, "an enum member was added"),
    ("client-field-removed", B, "a model field was removed"),
    ("client-field-added-required", B, "a required model field was added"),
    ("client-field-added-optional", I, "an optional model field was added"),
    ("client-field-type-changed", B, "a model field's type changed"),
    ("client-field-became-required", B, "a model field became required"),
    ("client-field-became-optional", I, "a model field became optional"),
    ("client-exception-removed", B, "an exception class was removed"),
    (
        "client-exception-base-changed",
        B,
        "an exception class's bases changed (except clauses catch differently)",
    ),
    ("client-exception-added", I, "an exception class was added"),
    ("client-export-removed", B, "a name is no longer importable from the package"),
    ("client-export-added", I, "a name became importable from the package"),
]

RULES: dict[str, Rule] = {}
for _id, _level, _dir, _source, _text in _TABLE:
    RULES.setdefault(_id, Rule(_id, _level, _source, _dir, _text))
for _id, _level, _text in _CLIENT:
    RULES[_id] = Rule(_id, _level, "client", NONE, _text)


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]


def rules_markdown() -> str:
    """The rule table for docs/review-rules.md."""
    out = [
        "# Review rules",
        "",
        "Generated from `generator/review/rules.py` by",
        "`python -m generator review --rules docs/review-rules.md`; do not",
        "edit. Levels: `breaking` fails `make review` unless acknowledged (`x-breaking-change-ack`),",
        "`warning` and `info` are reported only. Source `oasdiff`: the id, level and direction are",
        "oasdiff's; `specgen`: a rule of this project (or a level it sets differently, said in the",
        "description); `client`: the generated client's public surface.",
        "",
        f"{len(RULES)} rules: "
        + ", ".join(f"{sum(r.level is lv for r in RULES.values())} {lv.value}" for lv in Level)
        + ".",
        "",
        "| id | level | direction | source | description |",
        "| --- | --- | --- | --- | --- |",
    ]
    for r in sorted(RULES.values(), key=lambda r: (r.source != "oasdiff", r.source, r.id)):
        out.append(f"| `{r.id}` | {r.level.value} | {r.direction} | {r.source} | {r.description} |")
    return "\n".join(out) + "\n"
