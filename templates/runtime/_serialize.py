"""Python values -> wire values for generated operations: path segments, query and header
parameters, and request bodies built from keyword arguments or a model instance."""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, TypeAdapter

from ._types import NO_BODY
from ._wire import Decimal2dp, DMYDate

__all__ = ["body", "fields", "headers", "multipart", "param", "path", "require", "text"]

_WIRE_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _wire(value: object, wire_format: str) -> object:
    adapter = _WIRE_ADAPTERS.get(wire_format)
    if adapter is None:
        adapter = TypeAdapter({"date-dmy": DMYDate, "decimal-2dp": Decimal2dp}[wire_format])
        _WIRE_ADAPTERS[wire_format] = adapter
    return adapter.dump_python(adapter.validate_python(value), mode="json")


def _scalar(value: object) -> object:
    if isinstance(value, enum.Enum):
        return _scalar(value.value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value


def text(value: object) -> str:
    """A scalar's wire text, the same in paths, queries, headers, cookies and forms."""
    scalar = _scalar(value)
    return ("true" if scalar else "false") if isinstance(scalar, bool) else str(scalar)


def param(value: object, wire_format: str | None = None) -> object:
    """A query or header value; lists keep their items (the client repeats the key)."""
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        return [param(v, wire_format) for v in value]
    if wire_format is not None:
        return _wire(value, wire_format)
    return _scalar(value)


def path(value: object) -> str:
    """One path segment, percent-encoded so that '/', '?' and '#' stay inside it."""
    return quote(text(value), safe="")


def headers(
    values: Mapping[str, object], cookies: Mapping[str, object] | None = None
) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        out[name] = ",".join(map(text, value)) if isinstance(value, list) else text(value)
    jar = "; ".join(
        f"{k}={quote(text(v), safe='')}" for k, v in (cookies or {}).items() if v is not None
    )
    if jar:
        out["Cookie"] = jar
    return out


def _jsonable(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def body(given: object, values: Mapping[str, object], model: type[BaseModel] | None) -> object:
    """The JSON body: a model instance passed as body=, or the keyword arguments (wire names),
    validated through the body model so a wrong type fails before anything is sent."""
    if given is not None and any(v is not None for v in values.values()):
        raise TypeError("pass either body= or the body's fields as keyword arguments, not both")
    if given is None and not values:
        return NO_BODY
    if given is None:
        payload: object = {k: _jsonable(v) for k, v in values.items() if v is not None}
    else:
        payload = given
    if model is not None:
        if isinstance(payload, model):
            _no_extras(payload)
            instance = payload
        else:
            # Models keep unknown fields (for responses); a request must not carry any.
            instance = model.model_validate(payload, extra="forbid")
        return instance.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return _to_json(payload)


def _no_extras(value: object, where: str = "body") -> None:
    """A request model built by hand holds only fields its schema declares, nested ones too."""
    if isinstance(value, BaseModel):
        if value.model_extra:
            names = ", ".join(sorted(value.model_extra))
            raise TypeError(f"{where} has field(s) its schema does not declare: {names}")
        for name in type(value).model_fields:
            _no_extras(getattr(value, name, None), f"{where}.{name}")
    elif isinstance(value, (list, tuple)):
        for item in value:
            _no_extras(item, where)


def _to_json(value: object) -> object:
    value = _jsonable(value)
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    return _scalar(value)


def fields(
    given: object, values: Mapping[str, object], model: type[BaseModel] | None
) -> dict[str, Any]:
    """Form fields: like body(), as a flat mapping."""
    data = body(given, values, model)
    return dict(data) if isinstance(data, dict) else {}


def multipart(
    given: object, values: Mapping[str, object], model: type[BaseModel] | None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Multipart text fields and file parts: the bytes values (the schema's `format: binary`
    properties) are the files, sent untouched; everything else is a form field."""
    files = {k: bytes(v) for k, v in values.items() if isinstance(v, (bytes, bytearray))}
    rest = {k: v for k, v in values.items() if k not in files}
    return fields(given, rest, None if files else model), files


def require(*pairs: tuple[str, object]) -> None:
    missing = [name for name, value in pairs if value is None]
    if missing:
        raise TypeError(f"missing required body field(s): {', '.join(missing)} (or pass body=)")
