"""Pydantic types for the non-ISO wire formats of the specs (`x-wire-format`).

The Python side holds the natural type; the wire form is produced in JSON mode
(`model_dump(mode="json")`, `model_dump_json()`), which is what the client sends.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

__all__ = ["DMYDate", "Decimal2dp"]

_DMY = re.compile(r"(\d{2})-(\d{2})-(\d{4})")
_CENT = Decimal("0.01")


def _parse_dmy(value: object) -> object:
    # Only the DD-MM-YYYY form is handled here; date objects and ISO strings fall through to
    # pydantic's own date validation.
    if isinstance(value, str):
        match = _DMY.fullmatch(value)
        if match is not None:
            day, month, year = (int(group) for group in match.groups())
            return _dt.date(year, month, day)  # ValueError (e.g. 31-02) becomes a ValidationError
    return value


def _format_dmy(value: _dt.date) -> str:
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def _format_2dp(value: Decimal) -> str:
    return format(value.quantize(_CENT), "f")


DMYDate = Annotated[
    _dt.date,
    BeforeValidator(_parse_dmy),
    PlainSerializer(_format_dmy, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^\d{2}-\d{2}-\d{4}$"}),
]
"""A `datetime.date` sent and received as DD-MM-YYYY ("28-01-2021"); ISO accepted on input."""

Decimal2dp = Annotated[
    Decimal,
    # Money: more than two decimals is an error, never a silent rounding.
    Field(decimal_places=2, allow_inf_nan=False),
    PlainSerializer(_format_2dp, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$"}),
]
"""A `decimal.Decimal` sent as a string with two decimals ("480.00"); numbers accepted on input."""
