"""The catalogue of spec-change rules: id, level and where the classification comes from.

Ids and levels are oasdiff's (checker/rules.go) where oasdiff has the check; oasdiff's ERR is our
"breaking", WARN "warning", INFO "info". Rules marked specgen exist because the generated client
makes a change matter that oasdiff rates differently or does not check (method names come from
operationId, resources from the first tag, the default base URL from servers[0]).
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
    source: str  # "oasdiff" or "specgen"


B, W, I = Level.BREAKING, Level.WARNING, Level.INFO

_OASDIFF: dict[str, Level] = {
    # operations
    "endpoint-added": I,
    "api-removed-without-deprecation": B,
    "api-removed-with-deprecation": I,
    "api-path-removed-without-deprecation": B,
    "api-path-removed-with-deprecation": I,
    "endpoint-deprecated": I,
    "endpoint-reactivated": I,
    # parameters
    "new-required-request-parameter": B,
    "new-optional-request-parameter": I,
    "new-request-path-parameter": B,
    "request-parameter-removed": W,
    "request-parameter-became-required": B,
    "request-parameter-became-optional": I,
    "request-parameter-type-changed": B,
    "request-parameter-became-enum": B,
    "request-parameter-enum-value-removed": B,
    "request-parameter-enum-value-added": I,
    "request-parameter-became-nullable": I,
    "request-parameter-became-not-nullable": B,
    "request-parameter-default-value-changed": I,
    "request-parameter-max-length-decreased": B,
    "request-parameter-pattern-added": B,
    "request-parameter-pattern-changed": W,
    # request body
    "request-body-added-required": B,
    "request-body-added-optional": I,
    "request-body-removed": B,
    "request-body-became-required": B,
    "request-body-became-optional": I,
    "request-body-media-type-added": I,
    "request-body-media-type-removed": B,
    "request-body-type-changed": B,
    "request-body-became-nullable": I,
    "request-body-became-not-nullable": B,
    # request properties
    "new-required-request-property": B,
    "new-optional-request-property": I,
    "request-property-removed": W,
    "request-property-became-required": B,
    "request-property-became-optional": I,
    "request-property-type-changed": B,
    "request-property-became-nullable": I,
    "request-property-became-not-nullable": B,
    "request-property-became-enum": B,
    "request-property-enum-value-removed": B,
    "request-property-enum-value-added": I,
    "request-property-max-length-decreased": B,
    "request-property-pattern-added": B,
    "request-property-pattern-changed": W,
    # responses
    "response-success-status-removed": B,
    "response-success-status-added": I,
    "response-non-success-status-removed": I,
    "response-non-success-status-added": I,
    "response-media-type-removed": B,
    "response-media-type-added": I,
    "response-body-type-changed": B,
    "response-body-became-nullable": B,
    "response-body-became-not-nullable": I,
    # response properties
    "response-required-property-removed": B,
    "response-optional-property-removed": I,
    "response-required-property-added": I,
    "response-optional-property-added": I,
    "response-property-became-optional": B,
    "response-property-became-required": I,
    "response-property-type-changed": B,
    "response-property-became-nullable": B,
    "response-property-became-not-nullable": I,
    "response-property-enum-value-added": W,
    "response-property-enum-value-removed": I,
    # security
    "api-security-component-added": I,
    "api-security-component-removed": I,
    "api-security-component-type-changed": I,
    "api-global-security-added": I,
    "api-global-security-removed": B,
    "api-security-added": I,
    "api-security-removed": B,
    # components
    "api-schema-removed": I,
}

_SPECGEN: dict[str, Level] = {
    # the generated method is named after the operationId, so renaming it renames the method
    "api-operation-id-changed": B,
    # the generated resource (client.<tag>) comes from the first tag
    "api-resource-changed": B,
    # a parameter moved between query/header/path/cookie: deployed clients send it in the old place
    "request-parameter-location-changed": B,
    # servers[0] is the generated client's default base URL
    "server-added": I,
    "server-removed": W,
    "default-server-changed": W,
    # a whole spec (and so its client package) disappears; nowhere left to acknowledge it
    "spec-removed": W,
    "spec-added": I,
}

RULES: dict[str, Rule] = {
    **{rid: Rule(rid, lvl, "oasdiff") for rid, lvl in _OASDIFF.items()},
    **{rid: Rule(rid, lvl, "specgen") for rid, lvl in _SPECGEN.items()},
}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
