"""Each of the five generated clients, sync and async, against a real loopback server sending
drifted bodies: the call returns, the data that did arrive is right, a WARNING names the drift,
strict mode raises, and a POST whose 2xx body drifted is neither raised nor retried.

The operations and their arguments come from the contract harness (the spec's own examples);
each drifted body is its success example with one change, chosen from the declared model."""

from __future__ import annotations

import copy
import enum
import logging
import types
import typing as t
from dataclasses import dataclass

import pytest
from pydantic import BaseModel, TypeAdapter
from runtime.server import Reply, ScriptedServer

from . import _operations as ops

UNKNOWN = "specgen-unknown-value"


@dataclass(frozen=True)
class Drift:
    name: str
    body: t.Any  # what the server sends (bytes as is, anything else as JSON)
    field: str | None  # the model attribute changed, None for the whole body
    wire: str | None  # its wire name, which the warning names
    sent: t.Any = None  # what the attribute must hold afterwards
    drifted: bool = True  # a schema mismatch: logged, and rejected by strict mode


def _flat(hint: t.Any) -> list[t.Any]:
    """The members of a union hint (Annotated unwrapped)."""
    if t.get_origin(hint) is t.Annotated:
        return _flat(t.get_args(hint)[0])
    if t.get_origin(hint) in (t.Union, types.UnionType):
        return [m for a in t.get_args(hint) for m in _flat(a)]
    return [hint]


def _bare(hint: t.Any) -> list[t.Any]:
    """The non-None members of a hint."""
    return [m for m in _flat(hint) if m is not type(None)]


def _wire_name(name: str, field: t.Any) -> str:
    return field.alias or name


def drifts(model: type[BaseModel], good: dict[str, t.Any]) -> list[Drift]:
    """The drifted bodies for one documented success body."""
    fields = {_wire_name(n, f): (n, f) for n, f in model.model_fields.items()}
    present = [w for w in good if w in fields]
    found = [
        Drift("extra field", {**good, "specgenUnexpected": {"nested": [1]}}, "specgenUnexpected",
              None, {"nested": [1]}, drifted=False),
        Drift("empty body", b"", None, None),
    ]  # fmt: skip
    # A missing field: drift where the model requires it; else it is simply None.
    if present:
        wire = next((w for w in present if fields[w][1].is_required()), present[0])
        required = fields[wire][1].is_required()
        found.append(Drift(f"missing {'required' if required else 'optional'} field",
                           {k: v for k, v in good.items() if k != wire}, fields[wire][0], wire, None,
                           drifted=required))  # fmt: skip
    for wire in present:
        members = _bare(fields[wire][1].annotation)
        if any(isinstance(m, type) and issubclass(m, enum.Enum) for m in members):
            found.append(Drift("unknown enum value", {**good, wire: UNKNOWN}, fields[wire][0], wire, UNKNOWN))
            break
    for wire in present:
        members = _bare(fields[wire][1].annotation)
        if members and not any(t.get_origin(m) is dict or m in (dict, t.Any, object) for m in members):
            wrong = {"wrong": ["type"]}
            found.append(Drift("wrong type", {**good, wire: wrong}, fields[wire][0], wire, wrong))
            break
    # null: drift where the model's type excludes it (a field the document does not say is
    # required is optional in a response model, and so admits null)
    if present:
        wire = next((w for w in present if type(None) not in _flat(fields[w][1].annotation)), present[0])
        nullable = type(None) in _flat(fields[wire][1].annotation)
        found.append(Drift(f"null where {'nullable' if nullable else 'not nullable'}", {**good, wire: None},
                           fields[wire][0], wire, None, drifted=not nullable))  # fmt: skip
    return found


@dataclass(frozen=True)
class Target:
    case: ops.Case
    model: type[BaseModel]
    good: dict[str, t.Any]
    status: int

    @property
    def id(self) -> str:
        return self.case.id


def _success_example(case: ops.Case) -> tuple[int, t.Any] | None:
    document = ops.spec(case.stem)
    operation = ops.resolve(document, document["paths"][case.path])[case.method.lower()]
    for status, response in operation.get("responses", {}).items():
        if not str(status).startswith("2"):
            continue
        for media in (ops.resolve(document, response).get("content") or {}).values():
            has, example = ops._example(document, media)
            if has and isinstance(example, dict):
                return int(status), example
    return None


def targets() -> list[Target]:
    """Per spec, the first GET and the first POST whose documented 2xx body is an object model."""
    chosen: list[Target] = []
    for stem in ops.STEMS:
        client = ops.client_class(stem)(api_key=ops.API_KEY, base_url="http://127.0.0.1:9", **ops.client_options(stem))
        seen: set[str] = set()
        for case in ops.cases(stem):
            if case.method in seen or case.method not in ("GET", "POST") or case.pagination:
                continue
            example = _success_example(case)
            if example is None:
                continue
            members = _bare(ops.return_type(ops.bound_method(client, case)))
            models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
            if len(models) != 1:
                continue
            seen.add(case.method)
            chosen.append(Target(case, models[0], example[1], example[0]))
        client.close()
    return chosen


TARGETS = targets()
CASES = [
    pytest.param(target, drift, id=f"{target.id}-{drift.name}")
    for target in TARGETS
    for drift in drifts(target.model, target.good)
]


# Invisible Collector's document prints no response body: its one operation is untyped JSON.
UNTYPED = {"invisible_collector"}


def test_every_spec_with_a_typed_response_has_a_drift_target() -> None:
    assert {target.case.stem for target in TARGETS} == set(ops.STEMS) - UNTYPED
    assert any(target.case.method == "POST" for target in TARGETS)


def _call(target: Target, url: str, kind: str, **per_call: t.Any) -> t.Any:
    return ops.call(target.case, kind, per_call, base_url=url, max_retries=2)


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(("target", "drift"), CASES)
def test_drifted_body_is_returned_and_logged(
    target: Target, drift: Drift, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    package = f"{target.case.stem}_client"
    caplog.set_level(logging.WARNING, logger=package)
    server = ScriptedServer().start()
    try:
        server.route = lambda received: Reply(status=target.status, body=copy.deepcopy(drift.body))
        result = _call(target, server.url, kind)
        assert len(server.received) == 1  # never retried, POST included
        warnings = [r.getMessage() for r in caplog.records if r.name == package and r.levelno == logging.WARNING]
        if drift.body == b"":
            assert result is None
            assert any(target.case.operation_id in w and "empty body" in w for w in warnings)
        else:
            assert isinstance(result, target.model)
            assert getattr(result, drift.field) == drift.sent
            if drift.drifted:
                assert any(target.case.operation_id in w and f" at {drift.wire}" in w for w in warnings), warnings
            else:  # no mismatch: nothing to log
                assert warnings == []
            if drift.wire is None:  # an unknown field is kept, reachable and dumped
                assert result.model_dump(by_alias=True)[drift.field] == drift.sent
            # Everything else that arrived is typed as in the documented body.
            expected = TypeAdapter(target.model).validate_python(target.good)
            for name in target.model.model_fields:
                if name != drift.field:
                    assert getattr(result, name) == getattr(expected, name), name
        if drift.drifted:
            with pytest.raises(ops.package(target.case.stem).ResponseValidationError):
                _call(target, server.url, kind, strict_response_validation=True)
        else:
            assert isinstance(_call(target, server.url, kind, strict_response_validation=True), target.model)
    finally:
        server.stop()


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("stem", sorted(UNTYPED))
def test_untyped_response_is_returned_as_sent(stem: str, kind: str) -> None:
    (case,) = [c for c in ops.cases(stem) if c.method == "POST"][:1]
    body = {"id": "p1", "lines": [{"amount": "12.50"}], "unexpected": None}
    target = Target(case, BaseModel, {}, 200)
    server = ScriptedServer().start()
    try:
        server.route = lambda received: Reply(status=201, body=body)
        assert _call(target, server.url, kind) == body
        assert _call(target, server.url, kind, strict_response_validation=True) == body
        assert len(server.received) == 2
    finally:
        server.stop()
