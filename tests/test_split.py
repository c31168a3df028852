"""The models package: how generator.split cuts the models module, and what a call then imports."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from generator.split import LITERALS_MODULE, name_ids, split_models
from tests.conftest import run_specgen

SOURCE = textwrap.dedent(
    '''
    from __future__ import annotations

    import typing as _typing
    from enum import StrEnum
    from pydantic import BaseModel, ConfigDict, Field, RootModel


    class Status(StrEnum):
        open = "open"


    class Owner(BaseModel):
        """Only Invoice refers to it."""

        model_config = ConfigDict(
            extra="allow",
        )
        name: str | None = None


    class Invoice(BaseModel):
        model_config = ConfigDict(extra="allow")
        status: Status | None = None
        owner: Owner | None = None
        customer: Customer | None = None


    class Customer(BaseModel):
        invoices: list[Invoice] | None = None
        status: Status | None = None


    class Payment(BaseModel):
        status: Status | None = None


    class Ids(RootModel[list[int]]):
        root: list[int]


    Invoice.model_rebuild()
    Customer.model_rebuild()


    # The plain values each string enum also takes in a request (`country="NL"`).
    StatusLiteral: _typing.TypeAlias = _typing.Literal["open"]
    '''
)


def test_cycles_share_a_module_single_referrers_join_it_shared_classes_stand_alone() -> None:
    split = split_models(SOURCE, "# header\n")
    m = split.module_of
    assert m["Invoice"] == m["Customer"]  # a cycle
    assert m["Owner"] == m["Invoice"]  # only the cycle refers to it
    assert m["Status"] not in (m["Invoice"], m["Payment"])  # two modules refer to it
    assert m["Payment"] != m["Invoice"] and m["Ids"] not in (m["Payment"], m["Invoice"])
    assert m["StatusLiteral"] == LITERALS_MODULE
    invoice = split.sources[m["Invoice"]]
    assert invoice.startswith("# header\nfrom __future__ import annotations\n")
    assert f"from .{m['Status']} import Status\n" in invoice
    assert "RootModel" not in invoice and "_typing" not in invoice  # only the imports it uses
    assert '"""Only Invoice refers to it."""' in invoice


def test_models_defer_their_validators_and_drop_eager_rebuilds() -> None:
    split = split_models(SOURCE)
    text = "".join(split.sources.values())
    assert "model_rebuild" not in text
    assert text.count("defer_build=True") == 2  # the classes with a model_config
    for source in split.sources.values():
        ast.parse(source)


def test_the_split_package_imports_module_by_module_and_validates(tmp_path: Path) -> None:
    split = split_models(SOURCE)
    package = tmp_path / "pkg" / "models"
    package.mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    for name, text in split.sources.items():
        (package / f"{name}.py").write_text(text)
    code = f"""
import sys
from pkg.models.{split.module_of['Payment']} import Payment
assert not any(m.endswith({split.module_of['Invoice']!r}) for m in sys.modules)  # nothing else loaded
from pkg.models.{split.module_of['Invoice']} import Invoice
invoice = Invoice.model_validate({{"status": "open", "customer": {{"invoices": [{{"owner": {{"name": "x"}}}}]}}}})
assert invoice.customer.invoices[0].owner.name == "x"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_class_comes_after_the_classes_its_base_names_when_its_module_gets_them(tmp_path: Path) -> None:
    # GitHub: `TimelineIssueEvents(RootModel[... | TimelineReviewedEvent])` stood above the event
    # that joined its module as a single referee, and the module raised NameError on import
    source = textwrap.dedent(
        """
        from __future__ import annotations

        from pydantic import BaseModel, RootModel


        class Events(RootModel[Added | Reviewed]):
            root: Added | Reviewed


        class Added(BaseModel):
            at: str | None = None


        class Reviewed(BaseModel):
            links: ReviewedLinks | None = None
            parent: Events | None = None


        class ReviewedLinks(BaseModel):
            html: str | None = None


        class Page(BaseModel):
            events: Events | None = None
        """
    )
    split = split_models(source)
    module = split.module_of["Events"]
    assert split.module_of["Reviewed"] == split.module_of["Added"] == module
    text = split.sources[module]
    at = {name: text.index(f"class {name}(") for name in ("Added", "Reviewed", "ReviewedLinks", "Events")}
    assert at["Added"] < at["Reviewed"] < at["Events"] < at["ReviewedLinks"], text  # else source order
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, body in split.sources.items():
        (package / f"{name}.py").write_text(body)
    code = f"from pkg.{split.module_of['Page']} import Page; print(Page.model_validate({{'events': {{'at': 'x'}}}}).events.root.at)"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.stdout.strip() == "x", done.stderr


def test_module_names_are_bounded_and_distinct_ignoring_case() -> None:
    long = "A" + "b" * 300
    source = f"from pydantic import BaseModel\n\n\nclass {long}(BaseModel):\n    x: int\n\n\nclass Ab(BaseModel):\n    x: int\n\n\nclass AB(BaseModel):\n    x: int\n"
    split = split_models(source)
    names = list(split.sources)
    assert all(len(n) <= 61 for n in names)
    assert len({n.lower() for n in names}) == len(names) == 3


PETS = """
openapi: 3.1.0
info: {title: Pets, version: "1"}
servers: [{url: "https://api.pets.test"}]
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}
        "404":
          description: not found
          content: {application/json: {schema: {$ref: "#/components/schemas/Problem"}}}
  /stores:
    post:
      operationId: createStore
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/Store"}}}
      responses:
        "201":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Store"}}}
components:
  schemas:
    Pet:
      type: object
      properties: {id: {type: string}, tag: {$ref: "#/components/schemas/Tag"}}
    Tag:
      type: object
      properties: {name: {type: string}}
    Store:
      type: object
      properties: {name: {type: string}}
    Problem:
      type: object
      properties: {detail: {type: string}}
"""


def test_a_call_imports_the_models_it_uses_and_its_error_models_only_on_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "pets.yaml"
    spec.write_text(PETS, encoding="utf-8")
    out = tmp_path / "out"
    done = run_specgen("generate", str(spec), "--out", str(out))
    assert done.returncode == 0, done.stderr
    code = """
import json, sys, httpx
import pets_client
models = lambda: sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith("pets_client.models."))
client = pets_client.PetsClient(max_retries=0, http_client=httpx.Client(transport=httpx.MockTransport(
    lambda request: httpx.Response(200, json={"id": "1", "tag": {"name": "x"}}) if request.url.path == "/pets/1"
    else httpx.Response(404, json={"detail": "gone"}))))
before = models()
pet = client.pets.retrieve("1")
after = models()
try:
    client.pets.retrieve("2")
except pets_client.NotFoundError as exc:
    problem = type(exc.body).__name__, exc.body.detail
print(json.dumps({"before": before, "after": after, "tag": pet.tag.name, "error": models(), "problem": problem}))
"""
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=out / "pets", capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["before"] == []  # importing the package and building a client load no model
    assert report["after"] == ["_pet"]  # Pet and Tag (only Pet refers to it), not Store nor the error
    assert report["tag"] == "x"
    assert report["error"] == ["_pet", "_problem"]  # the error model, once an error arrives
    assert report["problem"] == ["Problem", "gone"]


def test_parsing_in_chunks_gives_what_one_parse_gives(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import generator.split as split_module

    # a top-level string whose continuation lines start at column 0: a cut there cannot parse
    tricky = SOURCE + '\n\nNOTE = """first\nsecond line at column 0\nthird"""\n'
    whole = split_models(tricky)
    for size in (1, 3, 7):
        monkeypatch.setattr(split_module, "CHUNK_LINES", size)
        chunked = split_models(tricky)
        assert chunked.sources == whole.sources and chunked.module_of == whole.module_of
    assert "second line at column 0" in whole.sources[whole.module_of["NOTE"]]


def test_name_ids_finds_what_ast_walk_finds() -> None:
    runtime = Path(__file__).resolve().parents[1] / "templates" / "runtime"
    sources = [p.read_text(encoding="utf-8") for p in sorted(runtime.glob("*.py"))]
    assert len(sources) > 5
    sources.append(
        "@deco(a)\nclass C(B, metaclass=M):\n    x: T[U] = f'{v!r:>{w}}'\n"
        "    def m(self, p: P = d, *q: Q, **r: R) -> Z:\n        return [i for i in j if k] or (lambda y: y + l)(n)\n"
        "match s:\n    case Point(x=0) | [*rest] if g:\n        pass\n"
    )
    for source in sources:
        tree = ast.parse(source)
        assert name_ids(tree) == {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


# Invoice and Customer refer to each other through fields, Owner only through Invoice, Batch holds
# Invoices in its base class (needed at class creation), Tag (text not ASCII) is shared.
CYCLE = textwrap.dedent(
    '''
    from __future__ import annotations

    from typing import Annotated
    from pydantic import BaseModel, ConfigDict, Field, RootModel


    class Owner(BaseModel):
        name: str | None = None
        invoice: Invoice | None = None


    class Invoice(BaseModel):
        model_config = ConfigDict(extra="allow")
        amount: int
        owner: Owner | None = None
        customer: Annotated[str | Customer | None, Field(title="Kunde")] = None
        tag: Tag | None = None


    class Customer(BaseModel):
        id: str
        invoices: list[Invoice] | None = None
        latest: str | Invoice | Batch | None = None
        tags: list[Tag] = []


    class Batch(RootModel[list[Invoice]]):
        root: list[Invoice]


    class Tag(BaseModel):
        label: Annotated[str, Field(description="é")] = "ü"
        customer: dict[str, Customer] | None = None
    '''
)
INVOICE = {
    "amount": 1,
    "owner": {"name": "o"},
    "customer": {"id": "c", "invoices": [{"amount": 2, "customer": "c2"}], "latest": [{"amount": 3}]},
    "tag": {"customer": {"k": {"id": "d"}}},
}


def _package(tmp_path: Path, source: str, lazy_cycle: int) -> dict[str, str]:
    """The split models as `pkg.models` beside the runtime (as a generated package has them)."""
    split = split_models(source, lazy_cycle=lazy_cycle)
    package = tmp_path / "pkg"
    (package / "models").mkdir(parents=True)
    for runtime in (Path(__file__).parents[1] / "templates" / "runtime").glob("*.py"):
        (package / runtime.name).write_text(runtime.read_text(encoding="utf-8"), encoding="utf-8")
    (package / "__init__.py").write_text("")
    (package / "models" / "__init__.py").write_text("")
    for name, text in split.sources.items():
        (package / "models" / f"{name}.py").write_text(text, encoding="utf-8")
    return split.module_of


def test_a_large_cycle_is_cut_by_lazy_fields() -> None:
    split = split_models(CYCLE, lazy_cycle=2)
    m = split.module_of
    assert len({m["Invoice"], m["Customer"], m["Tag"]}) == 3  # a module each
    assert m["Owner"] == m["Invoice"]  # only Invoice refers to it
    assert m["Batch"] == m["Invoice"]  # RootModel[list[Invoice]] needs the class itself
    invoice, customer = split.sources[m["Invoice"]], split.sources[m["Customer"]]
    assert "customer: Annotated[str | Customer | None, _lazy.LAZY, Field(title=\"Kunde\")] = None" in invoice
    assert "owner: Owner | None = None" in invoice  # same module: a plain reference
    assert "invoices: Annotated[list[Invoice] | None, _lazy.LAZY] = None" in customer
    assert "latest: Annotated[str | Invoice | Batch | None, _lazy.LAZY] = None" in customer
    assert f'    Invoice = _lazy.ref(__package__, ".{m["Invoice"]}", "Invoice")\n' in customer
    assert "from typing import TYPE_CHECKING\n" in customer  # Annotated is imported already
    checking = customer.split("if TYPE_CHECKING:\n")[1].split("else:\n")[0]
    assert f"    from .{m['Invoice']} import Batch, Invoice\n" in checking
    assert f"from .{m['Invoice']} import" not in customer.split("if TYPE_CHECKING")[0]
    tag = split.sources[m["Tag"]]
    assert 'label: Annotated[str, Field(description="é")] = "ü"' in tag  # untouched
    assert "customer: Annotated[dict[str, Customer] | None, _lazy.LAZY] = None" in tag
    for source in split.sources.values():
        ast.parse(source)
    # below the threshold nothing changes
    assert split_models(CYCLE, lazy_cycle=6).sources == split_models(CYCLE, lazy_cycle=99).sources


def test_lazy_fields_validate_serialize_and_describe_as_eager_ones(tmp_path: Path) -> None:
    results = []
    for lazy_cycle, where in ((99, "eager"), (2, "lazy")):
        module_of = _package(tmp_path / where, CYCLE, lazy_cycle)
        code = f"""
import json, sys
from pydantic import ValidationError
from pkg.models.{module_of['Invoice']} import Invoice
loaded = sorted(m for m in sys.modules if m.startswith("pkg.models."))
invoice = Invoice.model_validate_json({json.dumps(json.dumps(INVOICE))})
customer = invoice.customer
types = [type(customer).__name__, type(customer.invoices[0]).__name__, type(customer.latest).__name__,
         type(invoice.tag.customer["k"]).__name__]
try:
    Invoice.model_validate({{"amount": 1, "customer": {{"id": 5, "invoices": [{{"amount": "x"}}]}}}})
except ValidationError as exc:
    errors = [(list(e["loc"]), e["type"]) for e in exc.errors()]
print(json.dumps({{"loaded": loaded, "types": types, "dump": invoice.model_dump(mode="json"),
    "alias": invoice.model_dump_json(exclude_none=True), "errors": errors,
    "schema": Invoice.model_json_schema(), "round": Invoice.model_validate(invoice.model_dump()) == invoice}}))
"""
        run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path / where, capture_output=True, text=True, check=False)
        assert run.returncode == 0, run.stderr
        results.append(json.loads(run.stdout))
    eager, lazy = results
    assert lazy["loaded"] == [f"pkg.models.{module_of['Invoice']}"]  # Customer's module waits
    assert len(eager["loaded"]) == 1  # the whole cycle
    assert lazy["types"] == eager["types"] == ["Customer", "Invoice", "Batch", "Customer"]
    # pydantic titles a field unless its core schema is a model's: a lazy `Tag | None` is a function
    assert lazy["schema"]["$defs"]["Invoice"]["properties"]["tag"].pop("title") == "Tag"
    for key in ("dump", "alias", "errors", "schema", "round"):
        assert lazy[key] == eager[key], key
    assert lazy["round"] is True


def test_a_lazy_field_that_does_not_validate_is_built_tolerantly(tmp_path: Path) -> None:
    module_of = _package(tmp_path, CYCLE, 2)
    code = f"""
from pkg import _response
from pkg.models.{module_of['Invoice']} import Invoice
built = _response.lenient(Invoice, {{"amount": 1, "customer": {{"id": "c", "invoices": "many", "extra": 1}}}})
customer = built.customer
print(type(built).__name__, type(customer).__name__, customer.id, customer.invoices, customer.extra)
"""
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["Invoice", "Customer", "c", "many", "1"]


def test_a_split_with_a_cache_reads_again_only_the_chunk_that_changed(tmp_path, monkeypatch):
    from generator import split

    def models(changed: int | None = None) -> str:
        head = "from __future__ import annotations\n\nfrom pydantic import BaseModel, ConfigDict\n\n\n"
        body = [
            f"# note {i}\nclass M{i}(BaseModel):\n    model_config = ConfigDict(\n        extra='allow',\n    )\n"
            f"    x: M{(i + 1) % 400} | None = None\n    y: {'int' if i == changed else 'str'} = 'é'\n"
            for i in range(400)
        ]
        return head + "\n\n".join(body)

    def same(a: split.ModelModules, b: split.ModelModules) -> bool:
        return a.sources == b.sources and a.module_of == b.module_of

    reads: list[str] = []
    real = split._read_chunk
    monkeypatch.setattr(split, "_read_chunk", lambda text: reads.append(text) or real(text))
    plain = split_models(models(), lazy_cycle=10)
    chunks = len(reads)
    assert chunks > 1  # the module is read a chunk at a time
    cold = split_models(models(), lazy_cycle=10, cache=tmp_path)
    reads.clear()
    assert same(split_models(models(), lazy_cycle=10, cache=tmp_path), cold) and same(cold, plain)
    assert reads == []  # every chunk read back
    edited = split_models(models(changed=200), lazy_cycle=10, cache=tmp_path)
    assert len(reads) == 1 and "class M200" in reads[0]  # only the chunk around the change
    assert same(edited, split_models(models(changed=200), lazy_cycle=10))
    assert "defer_build=True" in edited.sources[edited.module_of["M3"]]
