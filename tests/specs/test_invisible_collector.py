"""Decisive facts of the curated Invisible Collector spec (specs/invisible_collector.yaml)."""

from pathlib import Path

import pytest
import yaml

SPEC_PATH = Path(__file__).parents[2] / "specs" / "invisible_collector.yaml"


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def op(spec):
    return spec["paths"]["/payments"]["post"]


def test_openapi_version_and_server(spec):
    assert spec["openapi"] == "3.1.0"
    assert [s["url"] for s in spec["servers"]] == ["https://api.invisiblecollector.com"]


def test_single_endpoint_is_post_payments(spec):
    assert list(spec["paths"]) == ["/payments"]
    assert list(spec["paths"]["/payments"]) == ["post"]


def test_operation_identity(op):
    assert op["operationId"] == "createPayment"
    assert op["tags"] == ["Payments"]
    assert op["summary"]


def test_post_is_marked_idempotent(op):
    assert op["x-idempotent"] is True
    assert any("idempotent" in entry["issue"] for entry in op["x-curation"])


def test_bearer_security_declared_once_and_required(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {"bearerAuth": {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}}
    assert spec["security"] == [{"bearerAuth": []}]


def test_documented_statuses(op):
    assert set(op["responses"]) == {"200", "401", "404", "409", "422"}
    for code in ("401", "404", "409", "422"):
        assert "content" not in op["responses"][code]
        assert op["responses"][code]["x-curation"]


def test_request_uses_payment_schema(op):
    assert op["requestBody"]["required"] is True
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Payment"


def test_success_body_is_untyped_json(op):
    # The document prints no response body: the client must return whatever JSON arrives
    # instead of validating it against an assumed Payment.
    media = op["responses"]["200"]["content"]["application/json"]
    assert "schema" not in media
    assert any("untyped JSON" in e["decision"] for e in op["responses"]["200"]["x-curation"])


def test_status_is_required_with_its_default_recorded(spec):
    payment = spec["components"]["schemas"]["Payment"]
    assert payment["properties"]["status"]["enum"] == ["FINAL", "CANCELLED"]
    assert payment["properties"]["status"]["default"] == "FINAL"
    assert set(payment["required"]) == {"number", "status", "type", "date", "currency", "lines"}
    assert any("Default: FINAL" in e["issue"] for e in payment["x-curation"])


def test_types_resolved_from_table(spec):
    props = spec["components"]["schemas"]["Payment"]["properties"]
    assert props["date"] == {**props["date"], "type": "string", "format": "date"}
    for name in ("netTotal", "tax", "grossTotal"):
        assert props[name]["type"] == "number"
    assert props["currency"]["pattern"] == "^[A-Z]{3}$"
    assert props["currency"]["minLength"] == props["currency"]["maxLength"] == 3


def test_lines_reference_payment_line(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["Payment"]["properties"]["lines"]["items"]["$ref"] == "#/components/schemas/PaymentLine"
    line = schemas["PaymentLine"]
    assert set(line["required"]) == {"number", "amount"}
    assert line["properties"]["amount"]["type"] == "number"
    assert "referenceNumber" in line["properties"]


def test_request_example_is_the_document_sample(op):
    example = op["requestBody"]["content"]["application/json"]["example"]
    assert example["number"] == "RG TEST/001"
    assert example["date"] == "2016-07-01"  # kept a string, not a YAML date
    assert [line["amount"] for line in example["lines"]] == [10.75, 20.0]
    assert example["lines"][1]["referenceNumber"] == "NC NC/001"


def test_curation_is_recorded_throughout(spec):
    count = 0

    def walk(node):
        nonlocal count
        if isinstance(node, dict):
            for entry in node.get("x-curation", []):
                assert entry["issue"] and entry["decision"]
                count += 1
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert count >= 15
