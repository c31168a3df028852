"""Specs outside specs/ degrade the part they cannot handle and generate the rest (issue 14); the
curated specs stay strict: there, each of these parts is an error. One small fixture per part."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.diagnostics import Level
from generator.pipeline import RenderResult, render_spec

FIXTURES = Path(__file__).parent / "fixtures" / "degraded"


def _render(name: str, *, strict: bool = False) -> RenderResult:
    return render_spec(FIXTURES / f"{name}.yaml", strict=strict, format=False)


def _file(result: RenderResult, suffix: str) -> str:
    return next(text for path, text in result.files.items() if str(path).endswith(suffix))


def _degraded(result: RenderResult) -> list[tuple[str, str]]:
    return [(d.pointer, d.message) for d in result.diagnostics if d.rule == "degraded"]


def test_schema_the_model_generator_rejects_is_untyped_with_its_location():
    result = _render("model_rejected")
    assert result.ok
    [(pointer, message)] = _degraded(result)
    assert pointer == "#/components/schemas/ItemDefinition"
    assert message.startswith("the model generator rejects this schema; untyped (Any)")
    models = _file(result, "models.py")
    assert "class Item(" in models and "definition: Any | None" in models
    assert "def list_items(" in _file(result, "resources/items.py")


def test_unresolved_ref_is_untyped():
    result = _render("unresolved_ref")
    assert result.ok
    assert _degraded(result) == [
        (
            "#/components/schemas/Modifier/properties/toggle/$ref",
            "$ref '#/components/schemas/CatalogModifierToggleOverrideType' does not resolve; untyped (Any)",
        )
    ]
    assert "toggle: Any | None" in _file(result, "models.py")


def test_undeclared_path_parameter_becomes_a_required_str():
    result = _render("undeclared_path_param")
    assert result.ok
    [(pointer, message)] = _degraded(result)
    assert pointer.endswith("/get") and "{vendor_id}" in message
    resource = _file(result, "resources/vendors.py")
    assert "vendor_id: str,\n        item_id: int,\n        /," in resource
    assert "'/vendors/' + _serialize.path(vendor_id) + '/items/' + _serialize.path(item_id)" in resource


def test_bad_example_is_replaced_in_the_generated_tests():
    result = _render("bad_example")
    assert result.ok
    tests = "".join(text for path, text in result.files.items() if PurePosixPath(path).name.startswith("test_"))
    assert "not-a-uuid" not in tests
    assert "3fa85f64-5717-4562-b3fc-2c963f66afa6" in tests


def test_webhooks_without_paths_are_reported():
    result = _render("webhooks_only")
    assert result.ok and result.operations == 0
    assert [p for p, _ in _degraded(result)] == ["#/webhooks"]
    assert "class InvoicePaid(" in _file(result, "models.py")


def test_class_the_model_generator_gave_to_another_schema_is_found_and_reported():
    """Stripe's mix-up: the inline item of `coupon.applies_to.products` takes the name `Product`,
    the `product` component's class is renamed; the method must return the real product class."""
    result = _render("misnamed_class")
    assert result.ok
    [(pointer, message)] = _degraded(result)
    assert pointer == "#/components/schemas/product"
    assert "gave class Product to another schema" in message
    assert "class Product(RootModel[str])" in _file(result, "models.py")
    assert ") -> Product1:" in _file(result, "resources/products.py")


@pytest.mark.parametrize(
    "name", ["model_rejected", "unresolved_ref", "undeclared_path_param", "webhooks_only", "misnamed_class"]
)
def test_curated_specs_stay_strict(name):
    result = _render(name, strict=True)
    assert not result.ok and not result.files
    assert any(d.level is Level.ERROR for d in result.diagnostics)
