"""Python values -> wire values for generated operations: path segments, query, header and cookie
parameters in every OpenAPI style, and request bodies built from keyword arguments or a model
instance.

Parameter serialization follows the OpenAPI 3.1 "Style Examples" table (RFC 6570 for path, form
and simple styles), percent-encoded as the table's 3.1.1 edition shows it on the wire."""

from __future__ import annotations

import datetime as _dt
import enum
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import BaseModel, TypeAdapter

from ._types import NO_BODY
from ._wire import Decimal2dp, DMYDate

__all__ = [
    "Encoded",
    "body",
    "cookie",
    "form",
    "header",
    "headers",
    "multipart",
    "param",
    "path",
    "query",
    "require",
    "styled_path",
    "text",
]

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
        v if isinstance(v, Encoded) else f"{k}={quote(text(v), safe='')}"
        for k, v in (cookies or {}).items()
        if v is not None and v != ""
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


# A body property's Encoding Object: (style, explode, allowReserved, contentType).
Encoding = tuple[str, bool, bool, "str | None"]


def form(
    given: object,
    values: Mapping[str, object],
    model: type[BaseModel] | None,
    encoding: Mapping[str, Encoding] | None = None,
) -> Encoded | None:
    """An application/x-www-form-urlencoded body: each property serialized like a query
    parameter in its encoding's style (default form, exploded); a property with a JSON
    contentType is its JSON text. None when no property has a value: then nothing is sent, not
    even a Content-Type (Stripe's spec gives its GETs an empty form)."""
    data = body(given, values, model)
    parts: list[str] = []
    for key, value in (data if isinstance(data, dict) else {}).items():
        style, explode, allow_reserved, content_type = (encoding or {}).get(
            key, ("form", True, False, None)
        )
        json_part = content_type is not None and "json" in content_type
        media_type = "application/json" if json_part else None
        encoded = _urlencoded(key, value, style, explode, allow_reserved, None, media_type, True)
        if encoded:
            parts.append(encoded)
    return Encoded("&".join(parts)) if parts else None


def multipart(
    given: object,
    values: Mapping[str, object],
    model: type[BaseModel] | None,
    encoding: Mapping[str, Encoding] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Multipart text fields and file parts: the bytes values (the schema's `format: binary`
    properties), given as arguments or in body=, are the files, sent untouched; an array of
    scalars repeats its field; an object or an array of objects is one application/json part (or
    its encoding's contentType)."""
    files: dict[str, Any] = _bytes_in(values)
    rest = {k: v for k, v in values.items() if k not in files}
    if given is not None:
        # body= a model (or a mapping): its bytes would otherwise go out as JSON text fields
        top = _top_level(given)
        given_files = _bytes_in(top)
        if given_files:
            files.update(given_files)
            given = {k: v for k, v in top.items() if k not in given_files}
    data = body(given, rest, None if files else model)
    out: dict[str, Any] = {}
    for key, value in (data if isinstance(data, dict) else {}).items():
        content_type = ((encoding or {}).get(key) or ("form", True, False, None))[3]
        nested = isinstance(value, dict) or (
            isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
        )
        if nested or (content_type is not None and "json" in content_type):
            files[key] = ("", _json_text(value).encode(), content_type or "application/json")
        elif isinstance(value, list):
            out[key] = [text(v) for v in value if v is not None]
        elif value is not None:
            out[key] = value
    return out, files


def _bytes_in(values: Mapping[str, object]) -> dict[str, bytes]:
    return {k: bytes(v) for k, v in values.items() if isinstance(v, (bytes, bytearray))}


def _top_level(given: object) -> dict[str, object]:
    """A body's properties by wire name, as given: a model's fields set (by alias), or a mapping."""
    if isinstance(given, BaseModel):
        fields = type(given).model_fields
        names = [name for name in fields if name in given.model_fields_set]
        return {
            (fields[name].alias or name) if name in fields else name: getattr(given, name)
            for name in [*names, *(given.model_extra or {})]
        }
    return {str(k): v for k, v in given.items()} if isinstance(given, Mapping) else {}


def require(*pairs: tuple[str, object]) -> None:
    missing = [name for name, value in pairs if value is None]
    if missing:
        raise TypeError(f"missing required body field(s): {', '.join(missing)} (or pass body=)")


# -- parameter styles -----------------------------------------------------------------------------

# allowReserved: RFC 3986 reserved characters go out as they are, except those that would end
# the query parameter itself (& = + #).
_RESERVED = ":/?[]@!$'()*,;"


class Encoded(str):
    """Parameter text already serialized and percent-encoded: the client sends it untouched."""


def _enc(value: str, allow_reserved: bool = False, plus: bool = False) -> str:
    """Percent-encoded; `plus`: a space is '+', as application/x-www-form-urlencoded bodies have it."""
    return (quote_plus if plus else quote)(value, safe=_RESERVED if allow_reserved else "")


@dataclass(frozen=True, slots=True)
class _Shape:
    """A value as RFC 6570 sees it: a string, an array's items, or an object's properties. None
    items and properties are left out (undefined)."""

    scalar: str | None = None
    items: tuple[str, ...] = ()
    pairs: tuple[tuple[str, str], ...] | None = None

    @property
    def flat(self) -> list[str]:
        """Items, or an object's names and values alternating (the unexploded object form)."""
        if self.pairs is None:
            return list(self.items)
        return [part for pair in self.pairs for part in pair]


def _shape(value: object, wire_format: str | None) -> _Shape:
    value = _jsonable(value)
    if isinstance(value, Mapping):
        return _Shape(
            pairs=tuple((str(k), _leaf(v, wire_format)) for k, v in value.items() if v is not None)
        )
    if isinstance(value, (list, tuple)):
        return _Shape(items=tuple(_leaf(v, wire_format) for v in value if v is not None))
    return _Shape(scalar=_leaf(value, wire_format))


def _leaf(value: object, wire_format: str | None) -> str:
    if isinstance(value, (Mapping, list, tuple)):
        # Nesting the styles do not define: the value's JSON text.
        return json.dumps(_to_json(value), separators=(",", ":"), ensure_ascii=False)
    return text(_wire(value, wire_format) if wire_format is not None else value)


def _deep(prefix: str, value: object) -> list[tuple[str, str]]:
    """deepObject, nested as Stripe and Rails read it: `a[b][c]=v`, arrays indexed `a[0][b]=v`."""
    value = _jsonable(value)
    if isinstance(value, Mapping):
        items: list[tuple[str, object]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, (list, tuple)):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return [(prefix, text(value))]
    pairs: list[tuple[str, str]] = []
    for key, item in items:
        if item is not None:
            pairs.extend(_deep(f"{prefix}[{key}]", item))
    return pairs


def _json_text(value: object) -> str:
    return json.dumps(_to_json(value), separators=(",", ":"), ensure_ascii=False)


def _query_pairs(
    name: str,
    value: object,
    style: str,
    explode: bool,
    wire_format: str | None,
) -> list[tuple[str, str]] | tuple[str, list[str]]:
    """Unencoded (name, value) pairs, or (name, items) for the delimited styles, whose delimiter
    must stay unencoded among encoded items."""
    if style == "deepObject":
        return _deep(name, value)
    shaped = _shape(value, wire_format)
    if shaped.scalar is not None:
        return [(name, shaped.scalar)]
    if style in ("spaceDelimited", "pipeDelimited") or not explode:
        return (name, shaped.flat)
    if shaped.pairs is not None:
        return list(shaped.pairs)
    return [(name, item) for item in shaped.items]


_DELIMITERS = {"spaceDelimited": "%20", "pipeDelimited": "%7C"}


def query(
    name: str,
    value: object,
    style: str = "form",
    explode: bool = True,
    allow_reserved: bool = False,
    wire_format: str | None = None,
    media_type: str | None = None,
) -> Encoded | None:
    """A query parameter as it goes in the query string: `color=blue&color=black`, or None (left
    out). `media_type` is set for a `content` parameter: the value's JSON text."""
    return _urlencoded(name, value, style, explode, allow_reserved, wire_format, media_type, False)


def _urlencoded(
    name: str,
    value: object,
    style: str,
    explode: bool,
    allow_reserved: bool,
    wire_format: str | None,
    media_type: str | None,
    plus: bool,
) -> Encoded | None:
    if value is None:
        return None
    if media_type is not None:
        return Encoded(f"{_enc(name, plus=plus)}={_enc(_json_text(value), allow_reserved, plus)}")
    pairs = _query_pairs(name, value, style, explode, wire_format)
    if isinstance(pairs, tuple):
        key, items = pairs
        delimiter = _DELIMITERS.get(style, ",")
        joined = delimiter.join(_enc(i, allow_reserved, plus) for i in items)
        return Encoded(f"{_enc(key, plus=plus)}={joined}")
    return Encoded(
        "&".join(f"{_enc(k, plus=plus)}={_enc(v, allow_reserved, plus)}" for k, v in pairs)
    )


def styled_path(
    name: str,
    value: object,
    style: str = "simple",
    explode: bool = False,
    wire_format: str | None = None,
    media_type: str | None = None,
) -> str:
    """A path template expansion: simple `blue,black`, label `.blue.black`, matrix
    `;color=blue;color=black`. Every reserved character is percent-encoded, '/' included."""
    if media_type is not None:
        return _enc(_json_text(value))
    shaped = _shape(value, wire_format)
    prefix = {"label": ".", "matrix": ";"}.get(style, "")
    if shaped.scalar is not None:
        if style == "matrix":
            return f";{_enc(name)}" + (f"={_enc(shaped.scalar)}" if shaped.scalar else "")
        return prefix + _enc(shaped.scalar)
    if explode and shaped.pairs is not None:
        sep = {"label": ".", "matrix": ";"}.get(style, ",")
        return prefix + sep.join(f"{_enc(k)}={_enc(v)}" for k, v in shaped.pairs)
    items = [_enc(v) for v in shaped.flat]
    if explode and style == "matrix":
        return "".join(f";{_enc(name)}={v}" for v in items)
    if explode and style == "label":
        return "." + ".".join(items)
    joined = ",".join(items)
    return f";{_enc(name)}={joined}" if style == "matrix" else prefix + joined


def header(
    value: object,
    explode: bool = False,
    wire_format: str | None = None,
    media_type: str | None = None,
) -> str | None:
    """A header parameter (style simple): `blue,black,brown`, `R=100,G=200` when exploded."""
    if value is None:
        return None
    if media_type is not None:
        return _json_text(value)
    shaped = _shape(value, wire_format)
    if shaped.scalar is not None:
        return shaped.scalar
    if explode and shaped.pairs is not None:
        return ",".join(f"{k}={v}" for k, v in shaped.pairs)
    return ",".join(shaped.flat)


def cookie(
    name: str,
    value: object,
    explode: bool = True,
    wire_format: str | None = None,
    media_type: str | None = None,
) -> Encoded | None:
    """A cookie parameter (style form): `color=blue,black` unexploded; exploded, each value or
    property is its own cookie, `; `-separated as the Cookie header requires."""
    if value is None:
        return None
    if media_type is not None:
        return Encoded(f"{name}={_enc(_json_text(value))}")
    pairs = _query_pairs(name, value, "form", explode, wire_format)
    if isinstance(pairs, tuple):
        key, items = pairs
        return Encoded(f"{key}=" + ",".join(_enc(i) for i in items))
    return Encoded("; ".join(f"{k}={_enc(v)}" for k, v in pairs))
