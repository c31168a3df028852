"""Specs outside specs/ degrade the part they cannot handle and generate the rest (issue 14); the
curated specs stay strict: there, each of these parts is an error. One small fixture per part."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from generator.diagnostics import Level
from generator.pipeline import RenderResult, render_spec
from tests.conftest import models_source

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
    models = models_source(result.files)
    assert "class Item(" in models and "definition: Any | None" in models
    assert "def list(" in _file(result, "resources/items.py")


def test_unresolved_ref_is_untyped():
    result = _render("unresolved_ref")
    assert result.ok
    assert _degraded(result) == [
        (
            "#/components/schemas/Modifier/properties/toggle/$ref",
            "$ref '#/components/schemas/CatalogModifierToggleOverrideType' does not resolve; untyped (Any)",
        )
    ]
    assert "toggle: Any | None" in models_source(result.files)


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
    assert "class InvoicePaid(" in models_source(result.files)


def test_class_the_model_generator_gave_to_another_schema_is_found_and_reported():
    """Stripe's mix-up: the inline item of `coupon.applies_to.products` takes the name `Product`,
    the `product` component's class is renamed; the method must return the real product class."""
    result = _render("misnamed_class")
    assert result.ok
    # With inline models named after their owner the mix-up no longer happens: the item is
    # CouponAppliesToProduct and `product` keeps its class (misnamed_classes has nothing to report).
    assert _degraded(result) == []
    models = models_source(result.files)
    assert "class CouponAppliesToProduct(RootModel[str])" in models and "class Product(BaseModel)" in models
    assert ") -> Product:" in _file(result, "resources/products.py")


@pytest.mark.parametrize(
    "name", ["model_rejected", "unresolved_ref", "undeclared_path_param", "webhooks_only", "misnamed_class"]
)
def test_curated_specs_stay_strict(name):
    result = _render(name, strict=True)
    assert not result.ok and not result.files
    assert any(d.level is Level.ERROR for d in result.diagnostics)


def test_examples_that_contradict_their_schemas_are_replaced_and_the_generated_tests_pass(tmp_path):
    """Public specs ship examples their own schemas reject (Square wraps bodies in request_body,
    Xero gives JSON text for objects, an enum parameter's example is not a member, a schema's
    example lacks required fields, a synthesised string must respect maxLength): the generated
    tests use values synthesised from the schema instead, and pass in strict mode."""
    import subprocess
    import sys

    from tests.conftest import run_specgen

    result = run_specgen("generate", str(FIXTURES / "contradicting_examples.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    package = tmp_path / "contradicting_examples"
    tests = "".join(p.read_text() for p in (package / "tests").glob("test_*.py"))
    assert "request_body" not in tests and "Name DESC" not in tests and '{ "name"' not in tests
    assert "does not match its schema" in tests
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                         cwd=package, capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]


def test_a_required_name_no_property_declares_is_not_required(tmp_path):
    """Xero's `Folder` declares `Name` and requires `name`: a client that required `name` would
    refuse every folder Xero sends, and make its callers send a field Xero does not know."""
    import subprocess
    import sys

    from tests.conftest import run_specgen

    result = _render("undeclared_required")
    assert result.ok
    assert _degraded(result) == [
        (
            "#/components/schemas/Folder/required",
            "requires 'name', 'releaseDate', which its properties do not declare (they declare 'Name'); not required",
        )
    ]  # not NamedFile's allOf part (its sibling declares `name`), nor Open (it allows other names)
    models = models_source(result.files)
    assert "name: Annotated[str | None, Field(alias='Name')] = None" in models
    assert "release_date" not in models
    strict = _render("undeclared_required", strict=True)
    assert not strict.ok and "required-declared" in {d.rule for d in strict.diagnostics}
    generated = run_specgen("generate", str(FIXTURES / "undeclared_required.yaml"), "--out", str(tmp_path))
    assert generated.returncode == 0, generated.stderr
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                         cwd=tmp_path / "undeclared_required", capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
