"""Decisive facts of the curated Novicap spec (specs/novicap.yaml)."""
import json
from pathlib import Path

import pytest
import yaml
from pydantic import TypeAdapter

from tests.specs._responses import resource_module, response_schemas

SPEC_PATH = Path(__file__).parents[2] / "specs" / "novicap.yaml"
METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(SPEC_PATH.read_text())


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def schema(spec, name):
    return spec["components"]["schemas"][name]


def test_openapi_version_and_server(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["servers"][0]["url"] == "https://api.novicap.com"


def test_every_endpoint_with_resolved_paths_and_methods(spec):
    found = {(path, method) for path, method, _ in operations(spec)}
    assert found == {
        ("/v1/dynamic_discounting/suppliers", "post"),
        ("/v1/dynamic_discounting/suppliers", "get"),
        ("/v1/dynamic_discounting/invoices", "post"),
        ("/v1/dynamic_discounting/invoices", "get"),
        ("/v1/dynamic_discounting/invoices/{transaction_id}", "delete"),
        ("/v1/dynamic_discounting/payment_instructions", "post"),
        ("/v1/dynamic_discounting/payment_instructions", "get"),
        ("/v1/dynamic_discounting/payment_adjustments", "post"),
        ("/v1/dynamic_discounting/payment_adjustments", "get"),
        ("/v1/dynamic_discounting/payment_adjustments/{transaction_id}", "delete"),
        ("/v1/confirming_standard/invoices", "post"),
        ("/v1/confirming_standard/invoices", "get"),
        ("/v1/confirming_standard/invoices/{transaction_id}", "delete"),
        ("/v1/confirming_standard/payment_instructions", "get"),
    }
    assert not any(":" in path for path in spec["paths"])


def test_operation_ids_unique_and_tags_distinguish_products(spec):
    ids = [op["operationId"] for _, _, op in operations(spec)]
    assert len(ids) == len(set(ids)) == 14
    for path, _, op in operations(spec):
        assert op["summary"]
        prefix = "DynamicDiscounting" if "/dynamic_discounting/" in path else "Confirming"
        assert op["tags"][0].startswith(prefix), (path, op["tags"])
    by_id = {op["operationId"]: op for _, _, op in operations(spec)}
    assert by_id["listDynamicDiscountingInvoices"]["tags"] == ["DynamicDiscountingInvoices"]
    assert by_id["listConfirmingInvoices"]["tags"] == ["ConfirmingInvoices"]


def test_security_schemes_are_bearer_or_query_key_alternatives(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert (schemes["apiKeyQuery"]["type"], schemes["apiKeyQuery"]["in"], schemes["apiKeyQuery"]["name"]) == (
        "apiKey", "query", "api_key")
    assert len(schemes) == 2
    assert spec["security"] == [{"bearerAuth": []}, {"apiKeyQuery": []}]
    body_key = [c for c in spec["x-curation"] if "JSON-body" in c["decision"] and "api_key" in c["decision"]]
    assert body_key, "the unmodelled JSON-body api_key form must be recorded"


def test_product_id_is_a_required_integer_client_option_on_every_operation(spec):
    param = spec["components"]["parameters"]["ProductId"]
    assert param["name"] == "product_id" and param["in"] == "query" and param["required"] is True
    assert param["schema"]["type"] == "integer"
    assert param["x-client-option"] is True
    for _, _, op in operations(spec):
        assert {"$ref": "#/components/parameters/ProductId"} in op["parameters"], op["operationId"]
    assert any("body form" in c["decision"] for c in param["x-curation"])


def test_amounts_are_numbers_despite_string_tables(spec):
    for name in ("DynamicDiscountingInvoiceCreate", "ConfirmingInvoiceCreate"):
        prop = schema(spec, name)["properties"]["amount"]
        assert prop["type"] == "number"
        assert prop["x-curation"]


def test_contact_phone_requests_send_a_string_responses_admit_a_number(spec):
    for name in ("SupplierCreate", "ConfirmingInvoiceCreate"):
        prop = schema(spec, name)["properties"]["contact_phone"]
        assert prop["type"] == "string"
        assert prop["x-curation"]
    prop = schema(spec, "Supplier")["properties"]["contact_phone"]
    assert prop["type"] == ["string", "number"] and prop["x-curation"]


def test_debtor_id_of_payment_instruction_is_string(spec):
    prop = schema(spec, "CreatePaymentInstructionRequest")["properties"]["debtor_id"]
    assert prop["type"] == "string"
    assert "Number" in prop["x-curation"][0]["issue"]
    op = spec["paths"]["/v1/dynamic_discounting/payment_instructions"]["post"]
    assert op["requestBody"]["required"] is False


def test_supplier_field_resolutions(spec):
    request = schema(spec, "SupplierCreate")
    assert set(request["required"]) == {"supplier_id", "supplier_name", "contact_email"}
    props = request["properties"]
    assert props["early_payment_cutoff_in_days"]["type"] == "integer"
    assert props["early_payment_cutoff_in_days"]["default"] == 10
    assert props["custom_supplier_data"]["default"] == {}
    assert props["country_code"]["default"] == "ES"
    add = spec["paths"]["/v1/dynamic_discounting/suppliers"]["post"]["requestBody"]["content"]["application/json"]
    assert schema(spec, "CreateSuppliersRequest")["properties"]["suppliers"]["items"] == {
        "$ref": "#/components/schemas/SupplierCreate"
    } and add["schema"] == {"$ref": "#/components/schemas/CreateSuppliersRequest"}
    # the response item: the same fields and required ones, no defaults, a plain e-mail string
    response = schema(spec, "Supplier")
    assert set(response["required"]) == set(request["required"])
    assert set(response["properties"]) == set(props)
    assert not [name for name, prop in response["properties"].items() if "default" in prop]
    assert "format" not in response["properties"]["contact_email"]
    assert props["contact_email"]["format"] == "email"
    country = schema(spec, "CountryCode")
    assert country["minLength"] == country["maxLength"] == 2


def test_dates_are_iso_dates(spec):
    assert schema(spec, "DynamicDiscountingInvoiceCreate")["properties"]["due_at"]["format"] == "date"
    confirming = schema(spec, "ConfirmingInvoiceCreate")["properties"]
    assert confirming["issued_at"]["format"] == "date" and confirming["due_at"]["format"] == "date"
    assert confirming["self_confirming"] == {**confirming["self_confirming"], "type": "boolean", "default": False}
    for name, field in (
        ("DynamicDiscountingInvoice", "accepted_at"),
        ("DynamicDiscountingInvoice", "due_at"),
        ("RectifiedInvoice", "issued_at"),
        ("ConfirmingInvoice", "due_at"),
    ):  # response dates: any ISO 8601 text, as the document says
        assert "format" not in schema(spec, name)["properties"][field], (name, field)


def test_list_responses_are_wrapped_and_suppliers_also_bare(spec):
    def body(path):
        return spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    for path, key in (
        ("/v1/dynamic_discounting/invoices", "invoices"),
        ("/v1/dynamic_discounting/payment_adjustments", "payment_adjustments"),
        ("/v1/dynamic_discounting/payment_instructions", "payment_instructions"),
        ("/v1/confirming_standard/invoices", "invoices"),
        ("/v1/confirming_standard/payment_instructions", "payment_instructions"),
    ):
        wrapper = schema(spec, body(path)["$ref"].rsplit("/", 1)[1])
        assert list(wrapper["properties"]) == [key] and "required" not in wrapper
    suppliers = spec["paths"]["/v1/dynamic_discounting/suppliers"]["get"]["responses"]["200"]
    assert body("/v1/dynamic_discounting/suppliers")["anyOf"] == [
        {"type": "array", "items": {"$ref": "#/components/schemas/Supplier"}},
        {"$ref": "#/components/schemas/SupplierList"},
    ]
    assert "array of Supplier objects" in suppliers["x-curation"][0]["issue"]
    assert schema(spec, "SupplierList")["properties"]["suppliers"]["items"] == {
        "$ref": "#/components/schemas/Supplier"
    }


def test_response_schemas_carry_no_default_and_require_only_what_tables_mark(spec):
    reached = response_schemas(spec)
    assert not {ptr for ptr, node in reached.items() if "default" in node}
    required = {ptr: node["required"] for ptr, node in reached.items() if "required" in node}
    assert required == {
        "#/components/schemas/Supplier": ["supplier_id", "supplier_name", "contact_email"],
        "#/components/schemas/InvoiceAdjustment": ["adjustment_id", "adjustment"],
    }


def test_undescribed_payload_is_untyped_json(spec):
    op = spec["paths"]["/v1/dynamic_discounting/payment_adjustments"]["post"]
    media = op["responses"]["201"]["content"]["application/json"]
    assert "schema" not in media and media["example"] == {}  # the example only feeds mock servers
    assert op["responses"]["201"]["x-curation"]


def test_delete_returns_200_with_curation(spec):
    for path in (
        "/v1/dynamic_discounting/invoices/{transaction_id}",
        "/v1/dynamic_discounting/payment_adjustments/{transaction_id}",
        "/v1/confirming_standard/invoices/{transaction_id}",
    ):
        responses = spec["paths"][path]["delete"]["responses"]
        assert "200" in responses and "202" not in responses
        assert "ACCEPTED" in responses["200"]["x-curation"][0]["issue"]
        assert spec["paths"][path]["x-curation"], "the :transaction_id rewrite must be recorded"


def test_documented_errors_on_every_operation(spec):
    errors = {"400", "401", "403", "404", "500", "502", "503", "504"}
    for _, _, op in operations(spec):
        assert errors <= set(op["responses"]), op["operationId"]


def test_confirming_sample_repaired_and_email_deobfuscated(spec):
    post = spec["paths"]["/v1/confirming_standard/invoices"]["post"]["requestBody"]
    assert post["content"]["application/json"]["example"]["invoices"][0]["due_at"] == "2024-10-30"
    assert "trailing comma" in post["x-curation"][0]["issue"]
    supplier_example = spec["paths"]["/v1/dynamic_discounting/suppliers"]["post"]["requestBody"]["content"][
        "application/json"]["example"]
    assert "protected" not in supplier_example["suppliers"][0]["contact_email"]


def test_every_body_has_an_example(spec):
    for _, _, op in operations(spec):
        if "requestBody" in op:
            assert "example" in op["requestBody"]["content"]["application/json"]
        for status, response in op["responses"].items():
            for media in response.get("content", {}).values():
                if "schema" in media:  # untyped JSON has nothing to exemplify
                    assert "example" in media, (op["operationId"], status)


def test_generated_client_reads_both_supplier_list_shapes_and_numeric_phones():
    module, op = resource_module("novicap", "listDynamicDiscountingSuppliers")
    adapter = TypeAdapter(getattr(module, f"_response_{op.py_name}")().success)
    supplier = {"supplier_id": "00445790", "supplier_name": "Tesco PLC", "contact_email": "a@b.c"}
    bare = adapter.validate_json(json.dumps([{**supplier, "contact_phone": 44724565898}]))
    assert isinstance(bare, list) and bare[0].contact_phone == 44724565898
    wrapped = adapter.validate_json(json.dumps({"suppliers": [{**supplier, "contact_phone": "+44724565898"}]}))
    assert wrapped.suppliers[0].contact_phone == "+44724565898"
    # no request default leaks into a parsed response
    assert (wrapped.suppliers[0].country_code, wrapped.suppliers[0].early_payment_cutoff_in_days) == (None, None)
    assert wrapped.suppliers[0].custom_supplier_data is None


def test_generated_client_reads_any_iso_8601_response_date():
    module, op = resource_module("novicap", "listDynamicDiscountingInvoices")
    adapter = TypeAdapter(getattr(module, f"_response_{op.py_name}")().success)
    body = {"invoices": [{"due_at": "2021-10-30T00:00:00Z", "accepted_at": "2021-09-15"}]}
    invoice = adapter.validate_json(json.dumps(body)).invoices[0]
    assert (invoice.due_at, invoice.accepted_at) == ("2021-10-30T00:00:00Z", "2021-09-15")
