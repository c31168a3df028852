"""A body property that needs a class of its own (an inline enum, object, union or array of
objects) is typed, as an argument, with the class the body model's own field has: no second class
is generated for the operation (adyen's 15 `PostAuthoriseAdditionalData*` copies of the 15 classes
of `PaymentRequest.additionalData`), and the argument and the model agree."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from generator.model import TypeRef
from generator.schemas import ClassFields, ModelSet, TypeResolver
from tests.conftest import models_source, run_specgen

SPEC = textwrap.dedent(
    """
    openapi: 3.1.0
    info: {title: Orders, version: "1"}
    servers: [{url: https://api.orders.test}]
    paths:
      /orders:
        post:
          operationId: createOrder
          tags: [orders]
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: "#/components/schemas/Order"}
          responses:
            "204": {description: created}
      /quotes:
        post:
          operationId: createQuote
          tags: [orders]
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    speed: {type: string, enum: [slow, fast]}
          responses:
            "204": {description: created}
    components:
      schemas:
        Card: {type: object, properties: {last4: {type: string}}}
        Wallet: {type: object, properties: {provider: {type: string}}}
        Order:
          type: object
          required: [kind]
          properties:
            kind: {type: string, enum: [standard, express]}
            shipTo:
              type: object
              properties:
                street: {type: string}
            payWith:
              anyOf: [{$ref: "#/components/schemas/Card"}, {$ref: "#/components/schemas/Wallet"}]
            lines:
              type: array
              items:
                type: object
                properties:
                  sku: {type: string}
                  quantity: {type: integer}
            note: {type: string}
    """
)

CALLS = textwrap.dedent(
    """
    import json
    import httpx
    import orders_client
    from orders_client.models import Card, OrderKind, OrderShipTo

    seen = []
    def handler(request):
        seen.append(json.loads(request.content))
        return httpx.Response(204)

    client = orders_client.OrdersClient(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.orders.create(
        kind="express", ship_to={"street": "Main 1"}, pay_with=Card(last4="4242"),
        lines=[{"sku": "A1", "quantity": 2}], note="ring twice",
    )
    client.orders.create(kind=OrderKind.standard, ship_to=OrderShipTo(street="Side 2"))
    client.orders.create_quote(speed="fast")
    print(json.dumps(seen))
    """
)


def _arguments(source: str, method: str) -> dict[str, str]:
    """The keyword arguments of the first `method` of a resource module, with their annotations."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef) and node.name == method:
            return {a.arg: ast.unparse(a.annotation) for a in node.args.kwonlyargs if a.annotation is not None}
    raise AssertionError(f"no method {method}")


def test_body_arguments_take_the_classes_of_the_models_fields(tmp_path: Path) -> None:
    spec = tmp_path / "orders.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = run_specgen("generate", str(spec), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    package = tmp_path / "out" / "orders"
    resource = (package / "orders_client" / "resources" / "orders.py").read_text(encoding="utf-8")
    arguments = _arguments(resource, "create")
    assert arguments["kind"] == "OrderKind | OrderKindLiteral"
    assert arguments["ship_to"] == "OrderShipTo | None"
    assert arguments["pay_with"] == "Card | Wallet | None"
    assert arguments["lines"] == "list[OrderLine] | None"
    assert arguments["note"] == "str | None"
    assert _arguments(resource, "create_quote")["speed"] == "CreateQuoteRequestSpeed | CreateQuoteRequestSpeedLiteral | None"

    classes = set(re.findall(r"^class (\w+)", models_source(package), re.MULTILINE))
    # the model's classes and nothing made for the operation beside them
    assert {"Order", "OrderKind", "OrderShipTo", "OrderLine", "CreateQuoteRequestSpeed"} <= classes
    assert not {c for c in classes if c.startswith(("CreateOrder", "CreateQuoteSpeed"))}, classes

    run = subprocess.run([sys.executable, "-c", CALLS], cwd=package, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [
        {"kind": "express", "shipTo": {"street": "Main 1"}, "payWith": {"last4": "4242"},
         "lines": [{"sku": "A1", "quantity": 2}], "note": "ring twice"},
        {"kind": "standard", "shipTo": {"street": "Side 2"}},
        {"speed": "fast"},
    ]  # fmt: skip


MODULE = textwrap.dedent(
    """
    class Base(BaseModel):
        inherited: Annotated[dict[str, str] | None, Field(alias="inheritedMap")] = None

    class Kind(StrEnum):
        a = "a"
        b = "b"

    class Owner(Base):
        wide: Annotated[
            V0 | V1 | V2 | V3 | V4 | V5 | V6 | V7 | V8 | V9 | V10 | V11 | V12 | V13 | V14 | None,
            Field(alias="wideUnion"),
        ] = None
        kind: Kind
        when: list[Annotated[AwareDatetime, Field(description="x")]] | None = None
        mode: Literal["on", "off"] | None = None
        amount: Decimal | None = None
    """
)
_VARIANTS = {f"V{i}" for i in range(15)}


def _resolver(source: str = MODULE) -> TypeResolver:
    public = {"Base", "Kind", "Owner", *_VARIANTS}
    models = ModelSet({}, "pkg")
    return TypeResolver(models, public, fields=ClassFields(source, public))


def test_a_fields_annotation_is_read_into_the_arguments_type() -> None:
    resolver = _resolver()

    def argument(prop: str) -> str:
        return resolver.input_annotation(TypeRef("field", "Owner", member=prop))

    # a union of 15 classes is one union, not 14 nested ones past the resolver's depth limit
    assert argument("wideUnion") == " | ".join([*(f"V{i}" for i in range(15)), "None"])
    assert argument("inheritedMap") == "dict[str, str] | None"  # found on the base class, by its alias
    assert argument("kind") == "Kind | KindLiteral"  # the enum also takes its plain values
    assert resolver.aliases["Kind"] == ("KindLiteral", ["a", "b"])
    assert argument("when") == "list[_dt.datetime] | None"
    assert argument("mode") == "_t.Literal['on', 'off'] | None"
    assert argument("amount") == "_t.Any"  # a type the resource modules do not import
    assert not resolver.unresolved


def test_a_property_the_class_has_no_field_for_is_untyped_and_reported() -> None:
    resolver = _resolver()
    assert resolver.input_annotation(TypeRef("field", "Owner", member="missing")) == "_t.Any"
    assert resolver.input_annotation(TypeRef("field", "Nowhere", member="kind")) == "_t.Any"
    assert list(resolver.unresolved) == [("Owner", "missing"), ("Nowhere", "kind")]
    # a class whose text does not parse on its own is no class to read fields from
    broken = _resolver("class Owner(BaseModel):\n    kind: Kind\n@decorator\n")
    assert broken.input_annotation(TypeRef("field", "Owner", member="kind")) == "_t.Any"


def test_the_warning_names_the_property(tmp_path: Path, monkeypatch) -> None:
    from generator import schemas
    from generator.pipeline import render_spec

    spec = tmp_path / "orders.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    monkeypatch.setattr(schemas.ClassFields, "field", lambda self, name, wire, _depth=0: None)
    result = render_spec(spec, strict=False, cache_dir=None)
    found = {(d.pointer, d.message) for d in result.diagnostics if "no field" in d.message}
    assert (
        "#/components/schemas/Order/properties/shipTo",
        "the model generator made class Order no field for property 'shipTo'; its argument is untyped (Any)",
    ) in found
    assert result.ok
