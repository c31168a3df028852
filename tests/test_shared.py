"""Inline objects written out alike in several places are generated once (generator/shared.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator import shared
from generator.schemas import ModelSet

ADDRESS = {"type": "object", "properties": {"street": {"type": "string"}, "city": {"type": "string"}}}
REF = "#/components/schemas/"


@pytest.fixture(autouse=True)
def _small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared, "MIN_BYTES", 10)  # these objects are tiny


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def test_an_object_found_twice_becomes_one_schema_and_each_place_keeps_its_own_words():
    schemas = {
        "CustomerOrder": _obj(home={**ADDRESS, "description": "Where it goes."}),
        "CustomerInvoice": _obj(home={**ADDRESS, "description": "Where it is billed.", "title": "home_param"}),
    }
    taken = {"CustomerOrder", "CustomerInvoice"}
    out = shared.share(schemas, taken)
    assert list(out) == ["CustomerOrder", "CustomerInvoice", "CustomerHome"]  # named after what they share
    assert out["CustomerHome"] == ADDRESS  # the descriptions differ: neither is the class's
    assert out["CustomerOrder"]["properties"]["home"] == {"$ref": REF + "CustomerHome", "description": "Where it goes."}
    assert out["CustomerInvoice"]["properties"]["home"] == {
        "$ref": REF + "CustomerHome", "description": "Where it is billed.", "title": "home_param"
    }
    assert "CustomerHome" in taken
    assert schemas["CustomerOrder"]["properties"]["home"]["type"] == "object"  # the input is not changed


def test_one_description_for_every_copy_is_the_shared_schemas():
    said = {**ADDRESS, "description": "A postal address."}
    out = shared.share({"A": _obj(x=said), "B": _obj(y={"type": "array", "items": said})}, set())
    [new] = [name for name in out if name not in ("A", "B")]
    assert out[new] == {"description": "A postal address.", **ADDRESS}
    assert out["B"]["properties"]["y"]["items"] == {"$ref": REF + new, "description": "A postal address."}


def test_what_is_not_shared():
    schemas = {
        "Small": _obj(a=ADDRESS),
        "Once": _obj(b={"type": "object", "properties": {"only": {"type": "integer"}}}),
        "WithDefault": _obj(c={**ADDRESS, "default": {"street": "x"}}),  # a default stays where it is
        # an allOf member, and anything in it: the generator merges the members' fields
        "Merged": {"allOf": [_obj(d=ADDRESS), _obj(e={"type": "object"})]},
        "Again": _obj(f={**ADDRESS, "default": {"street": "x"}}),
    }
    out = shared.share(schemas, set())
    assert out == schemas  # ADDRESS is found once where it may be shared (in Small)


def test_a_larger_object_is_shared_whole_and_what_it_holds_only_where_found_outside_it():
    person = _obj(name={"type": "string"}, home=ADDRESS)
    out = shared.share({"A": _obj(p=person), "B": _obj(q=person), "C": _obj(r=ADDRESS)}, set())
    new = [name for name in out if name not in ("A", "B", "C")]
    assert len(new) == 2  # the person, then the address it holds, which C has too
    person_schema, address = (out[n] for n in new)
    assert person_schema["properties"]["home"] == {"$ref": REF + new[1]} and address == ADDRESS
    assert out["C"]["properties"]["r"] == {"$ref": REF + new[1]}


def test_a_new_name_avoids_every_taken_one():
    out = shared.share({"Foo": _obj(bar=ADDRESS), "FooBaz": _obj(bar=ADDRESS)}, {"Foo", "FooBaz", "FooBar"})
    assert "FooBar_2" in out


def test_the_generated_models_have_one_class_for_the_shared_object(tmp_path):
    schemas = {
        "Order": _obj(ship_to={**ADDRESS, "description": "Where it goes."}),
        "Invoice": _obj(bill_to=ADDRESS),
    }
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}
    source, _ = ModelSet(json.loads(json.dumps(doc)), "pkg").generate("3.1.0", cache_dir=tmp_path)
    namespace: dict[str, Any] = {}
    exec(compile(source, "models.py", "exec"), namespace)  # noqa: S102 - our own generated code
    for value in list(namespace.values()):
        if isinstance(value, type) and hasattr(value, "model_rebuild") and value.__module__ == "builtins":
            value.model_rebuild(_types_namespace=namespace)
    order, invoice = namespace["Order"], namespace["Invoice"]
    ship, bill = order.model_fields["ship_to"].annotation, invoice.model_fields["bill_to"].annotation
    assert ship == bill  # one class, `X | None` in both
    assert order.model_validate({"ship_to": {"street": "s", "city": "c"}}).ship_to.city == "c"
    assert '"""\n    Where it goes.\n    """' in source  # the field's own docstring stays
    assert source.count("street: str | None = None") == 1


def test_a_regeneration_reads_the_shared_schemas_back_from_the_cache(tmp_path, monkeypatch):
    schemas = {"Order": _obj(ship_to=ADDRESS), "Invoice": _obj(bill_to=ADDRESS)}
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}

    def generate() -> str:
        return ModelSet(json.loads(json.dumps(doc)), "pkg").generate("3.1.0", cache_dir=tmp_path)[0]

    cold = generate()
    calls: list[int] = []
    real = shared.share
    monkeypatch.setattr(shared, "share", lambda *args: calls.append(1) or real(*args))
    assert generate() == cold and calls == []
    for entry in (tmp_path / "shared").rglob("*"):
        if entry.is_file():
            entry.write_text("{not json", encoding="utf-8")  # a damaged entry is a miss
    assert generate() == cold and calls == [1]


def test_a_schemas_own_description_edited_reads_the_sharing_back(tmp_path, monkeypatch):
    schemas = {"Order": {**_obj(ship_to=ADDRESS), "description": "An order."}, "Invoice": _obj(bill_to=ADDRESS)}
    doc = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": schemas}}

    def generate(data: dict, cache: Path | None) -> str:
        return ModelSet(json.loads(json.dumps(data)), "pkg").generate("3.1.0", cache_dir=cache)[0]

    generate(doc, tmp_path)
    edited = json.loads(json.dumps(doc))
    edited["components"]["schemas"]["Order"]["description"] = "An order, edited."
    edited["components"]["schemas"]["Invoice"]["title"] = "A bill"  # a site key added at a schema's top
    calls: list[int] = []
    real = shared.share
    monkeypatch.setattr(shared, "share", lambda *args: calls.append(1) or real(*args))
    warm = generate(edited, tmp_path)
    assert calls == []  # read back
    assert warm == generate(edited, None) and "An order, edited." in warm
    edited["components"]["schemas"]["Order"]["properties"]["ship_to"]["description"] = "Where."
    calls.clear()
    assert generate(edited, tmp_path) == generate(edited, None) and len(calls) == 2  # below the top: shared again
