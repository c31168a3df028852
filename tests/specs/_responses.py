"""The schemas a curated spec's responses reach, and the generated client's response models, for
the specs' "Requests and responses" rule."""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from generator.build import build_api
from generator.load import load
from generator.model import Operation
from tests.contract._operations import package

SPECS = Path(__file__).resolve().parents[2] / "specs"

_SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_SUBSCHEMA_SINGLE = ("items", "additionalProperties", "not", "contains")


def resolve(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for token in ref.removeprefix("#/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def response_schemas(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{pointer: schema} of every schema reachable from a response, $refs followed (components by
    their own pointer, inline schemas by where they sit)."""
    stack: list[tuple[str, Any]] = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            for status, response in op["responses"].items():
                if "$ref" in response:
                    response = resolve(spec, response["$ref"])
                for media_type, media in response.get("content", {}).items():
                    if "schema" in media:
                        where = f"{path} {method} {status} {media_type}"
                        stack.append((where, media["schema"]))
    found: dict[str, dict[str, Any]] = {}
    while stack:
        ptr, node = stack.pop()
        if not isinstance(node, dict) or ptr in found:
            continue
        found[ptr] = node
        if "$ref" in node:
            stack.append((node["$ref"], resolve(spec, node["$ref"])))
        for key in _SUBSCHEMA_MAPS:
            stack.extend((f"{ptr}/{key}/{name}", sub) for name, sub in node.get(key, {}).items())
        for key in _SUBSCHEMA_LISTS:
            stack.extend((f"{ptr}/{key}/{i}", sub) for i, sub in enumerate(node.get(key, [])))
        for key in _SUBSCHEMA_SINGLE:
            if isinstance(node.get(key), dict):
                stack.append((f"{ptr}/{key}", node[key]))
    return found


@cache
def model_operations(stem: str) -> dict[str, tuple[str, Operation]]:
    """operationId -> (resource module name, operation) from the generator's intermediate model, so
    method names come from the generator rather than from the tests."""
    api, _, _ = build_api(load(SPECS / f"{stem}.yaml"), stem)
    return {op.operation_id: (res.attr, op) for res in api.resources for op in res.operations}


def resource_module(stem: str, operation_id: str) -> tuple[ModuleType, Operation]:
    """The generated resource module holding the operation's response models, and the operation."""
    attr, op = model_operations(stem)[operation_id]
    package(stem)
    return importlib.import_module(f"{stem}_client.resources.{attr}"), op
