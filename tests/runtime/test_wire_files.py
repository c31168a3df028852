"""Wire-format types (DMYDate, Decimal2dp) and file inputs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import BaseModel, ValidationError


@pytest.fixture
def Invoice(rt):
    class Invoice(BaseModel):
        invoiceDate: rt.DMYDate
        invoiceTotal: rt.Decimal2dp
        dueDate: rt.DMYDate | None = None

    return Invoice


def test_wire_values_round_trip(Invoice):
    wire = '{"invoiceDate":"28-01-2021","invoiceTotal":"480.00","dueDate":null}'
    invoice = Invoice.model_validate_json(wire)
    assert invoice.invoiceDate == dt.date(2021, 1, 28)
    assert invoice.invoiceTotal == Decimal("480.00")
    assert invoice.model_dump_json() == wire
    assert invoice.model_dump(mode="json") == {"invoiceDate": "28-01-2021", "invoiceTotal": "480.00", "dueDate": None}
    # Python mode keeps the Python types.
    assert invoice.model_dump()["invoiceDate"] == dt.date(2021, 1, 28)


@pytest.mark.parametrize("value", [dt.date(2021, 1, 28), "2021-01-28", "28-01-2021"])
def test_dmy_date_accepts_date_iso_and_dmy(Invoice, value):
    invoice = Invoice(invoiceDate=value, invoiceTotal=1)
    assert invoice.invoiceDate == dt.date(2021, 1, 28)
    assert invoice.model_dump(mode="json")["invoiceDate"] == "28-01-2021"


@pytest.mark.parametrize("value", ["31-02-2021", "2021/01/28", "1-1-2021", "28-01-21", "tomorrow", 20210128.5])
def test_dmy_date_rejects_other_forms(Invoice, value):
    with pytest.raises(ValidationError):
        Invoice(invoiceDate=value, invoiceTotal=1)


@pytest.mark.parametrize(
    ("value", "wire"),
    [(480, "480.00"), (480.5, "480.50"), ("480.5", "480.50"), (Decimal("0.1"), "0.10"), ("-12.34", "-12.34"), ("1e2", "100.00")],
)
def test_decimal_2dp_accepts_numbers_and_strings(Invoice, value, wire):
    invoice = Invoice(invoiceDate="01-01-2021", invoiceTotal=value)
    assert invoice.model_dump(mode="json")["invoiceTotal"] == wire
    assert Invoice.model_validate_json(invoice.model_dump_json()).invoiceTotal == Decimal(wire)


@pytest.mark.parametrize("value", ["1.005", "NaN", "Infinity", True, "abc", 0.1 + 0.2])
def test_decimal_2dp_rejects_more_than_cents_and_non_numbers(Invoice, value):
    with pytest.raises(ValidationError):
        Invoice(invoiceDate="01-01-2021", invoiceTotal=value)


def test_json_schema_describes_the_wire_strings(Invoice):
    props = Invoice.model_json_schema()["properties"]
    assert props["invoiceDate"]["type"] == "string" and "pattern" in props["invoiceDate"]
    assert props["invoiceTotal"]["type"] == "string"


def test_multipart_files(rt, tmp_path):
    doc = tmp_path / "scan.png"
    doc.write_bytes(b"png")
    parts = rt.multipart_files({"a": b"raw", "b": doc, "c": ("x.csv", b"1,2"), "d": ("y.bin", b"\x00", "application/x-y")})
    assert parts == [
        ("a", ("a", b"raw", "application/octet-stream")),
        ("b", ("scan.png", b"png", "image/png")),
        ("c", ("x.csv", b"1,2", "text/csv")),
        ("d", ("y.bin", b"\x00", "application/x-y")),
    ]
