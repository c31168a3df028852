"""Client impact from generated sources: hand-written snippets in the generator's layout."""

from __future__ import annotations

from pathlib import PurePosixPath

from generator.review.api import diff_surfaces, surface
from generator.review.rules import Level

RES = PurePosixPath("notify/notify_client/resources/invoices.py")
MODELS = PurePosixPath("notify/notify_client/models.py")

RESOURCE_BEFORE = """
from __future__ import annotations
from ..models import Invoice, NewInvoice


class Invoices:
    def __init__(self, transport):
        self._transport = transport

    def create_invoice(self, *, amount: float, due_date: str | None = None, note: str | None = None) -> Invoice:
        ...

    def get_invoice(self, invoice_id: str, /) -> Invoice:
        ...

    def delete_invoice(self, invoice_id: str) -> None:
        ...

    def _helper(self) -> None:
        ...


class AsyncInvoices:
    async def create_invoice(self, *, amount: float) -> Invoice:
        ...
"""

RESOURCE_AFTER = """
from __future__ import annotations
from ..models import Invoice, InvoiceDetail


class Invoices:
    def __init__(self, transport):
        self._transport = transport

    def create_invoice(self, *, amount: Decimal, due_date: str, customer: str | None = None) -> Invoice:
        ...

    def get_invoice(self, invoice_id: str, /) -> InvoiceDetail:
        ...

    def list_invoices(self, *, limit: int = 50) -> Iterator[Invoice]:
        ...


class AsyncInvoices:
    async def create_invoice(self, *, amount: int, due_date: str) -> InvoiceDetail:
        ...
"""

MODELS_BEFORE = """
from enum import Enum
from pydantic import BaseModel, ConfigDict, Field


class Status(str, Enum):
    draft = "draft"
    sent = "sent"


class Invoice(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    amount: str
    note: str | None = None
    total: float = Field(..., alias="grossTotal")
    lines: list[str] = Field(default_factory=list)
    legacy: int | None = None


class Removed(BaseModel):
    x: int
"""

MODELS_AFTER = """
from enum import Enum
from pydantic import BaseModel, ConfigDict, Field


class Status(str, Enum):
    draft = "draft"
    paid = "paid"


class Invoice(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    id: str
    amount: Decimal
    note: str
    total: float = Field(alias="grossTotal", default=0)
    lines: list[str] = Field(default_factory=list)
    currency: str
    tags: list[str] | None = None


class InvoiceDetail(Invoice):
    pdf_url: str | None = None
"""


def _changes() -> list[str]:
    old = surface({RES: RESOURCE_BEFORE, MODELS: MODELS_BEFORE})
    new = surface({RES: RESOURCE_AFTER, MODELS: MODELS_AFTER})
    return [str(c) for c in diff_surfaces(old, new)]


def test_surface_reads_sync_resources_and_models_only() -> None:
    s = surface(
        {RES: RESOURCE_BEFORE, MODELS: MODELS_BEFORE, PurePosixPath("x/README.md"): "# not python"}
    )
    assert sorted(s.methods) == [
        "client.invoices.create_invoice",
        "client.invoices.delete_invoice",
        "client.invoices.get_invoice",
    ]
    (create,) = s.methods["client.invoices.create_invoice"]
    assert [(p.name, p.kind, p.annotation, p.has_default) for p in create.params] == [
        ("amount", "keyword-only", "float", False),
        ("due_date", "keyword-only", "str | None", True),
        ("note", "keyword-only", "str | None", True),
    ]
    assert create.returns == "Invoice"
    invoice = s.models["models.Invoice"]
    assert {n: (f.annotation, f.required) for n, f in invoice.fields.items()} == {
        "id": ("str", True),
        "amount": ("str", True),
        "note": ("str | None", False),
        "total": ("float", True),
        "lines": ("list[str]", False),
        "legacy": ("int | None", False),
    }
    assert s.models["models.Status"].members == ("draft = 'draft'", "sent = 'sent'")


def test_method_changes() -> None:
    changes = _changes()
    assert "client.invoices.create_invoice: parameter due_date became required" in changes
    assert "client.invoices.create_invoice: parameter amount: type float -> Decimal" in changes
    assert "client.invoices.create_invoice: parameter note removed" in changes
    assert "client.invoices.create_invoice: parameter customer added (optional)" in changes
    assert "client.invoices.get_invoice: return type Invoice -> InvoiceDetail" in changes
    assert "client.invoices.delete_invoice: method removed" in changes
    assert "client.invoices.list_invoices: method added: (limit=...)" in changes
    # the async twin is not reported separately
    assert not [c for c in changes if "Async" in c or "async" in c]


def test_model_changes() -> None:
    changes = _changes()
    assert "models.Invoice.amount: type str -> Decimal" in changes
    assert "models.Invoice.note: type str | None -> str" in changes
    assert "models.Invoice.note: became required" in changes
    assert "models.Invoice.total: became optional" in changes
    assert "models.Invoice.currency: field added (required): str" in changes
    assert "models.Invoice.tags: field added (optional): list[str] | None" in changes
    assert "models.Invoice.legacy: field removed" in changes
    assert "models.Removed: model removed" in changes
    assert "models.InvoiceDetail: model added" in changes
    assert "models.Status: member sent = 'sent' removed" in changes
    assert "models.Status: member paid = 'paid' added" in changes
    assert not [c for c in changes if "model_config" in c or ".lines" in c or ".id:" in c]


def test_levels_and_order() -> None:
    old = surface({RES: RESOURCE_BEFORE, MODELS: MODELS_BEFORE})
    new = surface({RES: RESOURCE_AFTER, MODELS: MODELS_AFTER})
    changes = diff_surfaces(old, new)
    by_text = {str(c): c.level for c in changes}
    assert (
        by_text["client.invoices.create_invoice: parameter due_date became required"]
        is Level.BREAKING
    )
    assert by_text["client.invoices.list_invoices: method added: (limit=...)"] is Level.INFO
    assert by_text["models.Invoice.total: became optional"] is Level.INFO
    ranks = [c.level.rank for c in changes]
    assert ranks == sorted(ranks)
    assert diff_surfaces(new, new) == []


def test_positional_reorder_and_kind_change_are_breaking() -> None:
    before = "class Invoices:\n    def f(self, a: int, b: int) -> None: ...\n"
    after = "class Invoices:\n    def f(self, b: int, *, a: int) -> None: ...\n"
    changes = [str(c) for c in diff_surfaces(surface({RES: before}), surface({RES: after}))]
    assert changes == ["client.invoices.f: parameter a: positional -> keyword-only"]
    after2 = "class Invoices:\n    def f(self, b: int, a: int) -> None: ...\n"
    changes2 = [str(c) for c in diff_surfaces(surface({RES: before}), surface({RES: after2}))]
    assert changes2 == ["client.invoices.f: positional parameter order (a, b) -> (b, a)"]


def test_unparsable_source_is_an_empty_surface() -> None:
    s = surface({RES: "class Invoices(:\n", MODELS: "def ("})
    assert s.methods == {} and s.models == {}
