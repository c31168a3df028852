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


PKG = PurePosixPath("notify/notify_client")


def _diff(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    a = surface({PKG / k: v for k, v in before.items()})
    b = surface({PKG / k: v for k, v in after.items()})
    return [(c.rule, c.subject, c.message) for c in diff_surfaces(a, b)]


OVERLOADED = """
import typing as _t


class Documents:
    @_t.overload
    def create(self, *, invoice: str, file: bytes{extra}) -> Doc: ...

    @_t.overload
    def create(self, *, body: DocCreate) -> Doc: ...

    def create(self, *, invoice: str | None = None, file: bytes | None = None,
               body: DocCreate | None = None{impl}) -> Doc:
        \"\"\"Create.

        `POST /documents`
        \"\"\"
"""


def test_every_overload_is_compared_not_only_the_implementation() -> None:
    before = OVERLOADED.format(extra="", impl="")
    after = OVERLOADED.format(extra=", kind: str", impl=", kind: str | None = None")
    changes = _diff({"resources/documents.py": before}, {"resources/documents.py": after})
    assert changes == [
        (
            "client-parameter-added-required",
            "client.documents.create",
            "overload (invoice, file): parameter kind added (required)",
        )
    ]
    [create] = surface({PKG / "resources/documents.py": before}).methods.values()
    assert [m.operation for m in create] == ["POST /documents", "POST /documents"]


def test_method_and_model_renames_are_renames() -> None:
    res = 'class Invoices:\n    def {name}(self, invoice_id: str) -> Invoice:\n        """`GET /invoices/{{id}}`"""\n'
    models = "from pydantic import BaseModel\n\nclass {name}(BaseModel):\n    id: str\n\nclass Invoice(BaseModel):\n    ref: {name}\n"
    changes = _diff(
        {
            "resources/invoices.py": res.format(name="get_invoice"),
            "models.py": models.format(name="Ref"),
        },
        {
            "resources/invoices.py": res.format(name="fetch_invoice"),
            "models.py": models.format(name="Reference"),
        },
    )
    # the field that names the renamed model is no second change
    assert changes == [
        (
            "client-method-renamed",
            "client.invoices.get_invoice",
            "method renamed to client.invoices.fetch_invoice",
        ),
        ("client-model-renamed", "models.Ref", "renamed to models.Reference"),
    ]


def test_renamed_positional_parameter_and_enum_member() -> None:
    res = "class Invoices:\n    def get(self, {p}: str, /) -> None: ...\n"
    enum = "from enum import StrEnum\n\nclass Status(StrEnum):\n    {m} = 'draft'\n"
    changes = _diff(
        {"resources/invoices.py": res.format(p="id"), "models.py": enum.format(m="draft")},
        {"resources/invoices.py": res.format(p="invoice_id"), "models.py": enum.format(m="DRAFT")},
    )
    assert changes == [
        ("client-parameter-renamed", "client.invoices.get", "parameter id renamed to invoice_id"),
        (
            "client-enum-member-renamed",
            "models.Status",
            "member draft renamed to DRAFT (value 'draft')",
        ),
    ]


def test_constructor_exceptions_and_exports() -> None:
    client = "class NotifyClient:\n    def __init__(self, *, api_key: str | None = None{extra}) -> None: ...\n\nclass AsyncNotifyClient:\n    def __init__(self, *, api_key: str | None = None) -> None: ...\n"
    exc = "class APIError(Exception): ...\n\nclass {name}({base}): ...\n"
    init = "from ._client import NotifyClient\nfrom ._pagination import {page}\n"
    before = {
        "_client.py": client.format(extra=", auth_scheme: str | None = None"),
        "_exceptions.py": exc.format(name="RateLimitError", base="APIError"),
        "__init__.py": init.format(page="Page"),
    }
    after = {
        "_client.py": client.format(extra=""),
        "_exceptions.py": exc.format(name="RateLimitError", base="Exception"),
        "__init__.py": init.format(page="Pager"),
    }
    assert _diff(before, after) == [
        ("client-parameter-removed", "NotifyClient(...)", "parameter auth_scheme removed"),
        ("client-export-removed", "Page", "no longer importable from the package"),
        ("client-exception-base-changed", "RateLimitError", "bases (APIError) -> (Exception)"),
        ("client-export-added", "Pager", "importable from the package"),
    ]


def test_a_wider_parameter_type_is_not_breaking() -> None:
    res = "class Invoices:\n    def list(self, *, limit: {t} = None) -> None: ...\n"
    changes = _diff(
        {"resources/invoices.py": res.format(t="int | None")},
        {"resources/invoices.py": res.format(t="int | float | None")},
    )
    assert [c[0] for c in changes] == ["client-parameter-type-widened"]


def test_a_builtin_spelled_through_builtins_is_the_same_type() -> None:
    """A resource with a method named `list` annotates `_builtins.list[...]`: no client change."""
    res = "class Invoices:\n    def create(self, *, items: {t}) -> {t}: ...\n"
    changes = _diff(
        {"resources/invoices.py": res.format(t="list[Line]")},
        {"resources/invoices.py": res.format(t="_builtins.list[Line]")},
    )
    assert changes == []


def test_a_lazy_field_is_the_same_type() -> None:
    """A class that joins a cut cycle of models (generator.split) marks its fields into the cycle
    `_lazy.LAZY`: no model change."""
    model = "from pydantic import BaseModel, Field\n\n\nclass Invoice(BaseModel):\n    customer: {t} = None\n"
    changes = _diff(
        {"models/_invoice.py": model.format(t='Annotated[Customer | None, Field(title="C")]')},
        {"models/_invoice.py": model.format(t='Annotated[Customer | None, _lazy.LAZY, Field(title="C")]')},
    )
    assert changes == []
    changes = _diff(
        {"models/_invoice.py": model.format(t="Customer | None")},
        {"models/_invoice.py": model.format(t="Annotated[Customer | str | None, _lazy.LAZY]")},
    )
    assert [c[0] for c in changes] == ["client-field-type-changed"]
