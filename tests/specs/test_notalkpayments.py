"""Decisive facts of the curated NoTalkPayments spec (specs/notalkpayments.yaml)."""
from pathlib import Path

import pytest
import yaml

SPEC_PATH = Path(__file__).parents[2] / "specs" / "notalkpayments.yaml"
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(SPEC_PATH.read_text())


def _ops(spec):
    return {
        (method, path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def _curations(obj):
    out = []
    if isinstance(obj, dict):
        out.extend(obj.get("x-curation", []))
        for v in obj.values():
            out.extend(_curations(v))
    elif isinstance(obj, list):
        for v in obj:
            out.extend(_curations(v))
    return out


def test_openapi_version_and_rate_limit(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["x-rate-limit"] == {"requests": 40, "period": 1}


def test_resolved_paths_and_methods(spec):
    got = {(m, p): op["operationId"] for (m, p), op in _ops(spec).items()}
    assert got == {
        ("post", "/api/BusinessUnit"): "createBusinessUnit",
        ("get", "/api/BusinessUnit/{id}"): "getBusinessUnit",
        ("put", "/api/BusinessUnit/{id}"): "updateBusinessUnit",
        ("delete", "/api/BusinessUnit/{id}"): "deleteBusinessUnit",
        ("post", "/api/Debtor"): "createDebtor",
        ("get", "/api/Debtor/{id}"): "getDebtor",
        ("put", "/api/Debtor/{id}"): "updateDebtor",
        ("delete", "/api/Debtor/{id}"): "deleteDebtor",
        ("post", "/api/Invoice"): "createInvoice",
        ("get", "/api/Invoice/{id}"): "getInvoice",
        ("put", "/api/Invoice/{id}"): "updateInvoice",
        ("delete", "/api/Invoice/{id}"): "deleteInvoice",
    }


def test_invoice_get_not_on_debtor_url(spec):
    op = spec["paths"]["/api/Invoice/{id}"]["get"]
    assert op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Invoice")
    assert any("/api/Debtor/{id}" in c["issue"] for c in op["x-curation"])
    debtor_get = spec["paths"]["/api/Debtor/{id}"]["get"]
    assert debtor_get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Debtor")


def test_business_unit_put_resolution_recorded(spec):
    op = spec["paths"]["/api/BusinessUnit/{id}"]["put"]
    assert "put" not in spec["paths"]["/api/BusinessUnit"]
    assert any("POST /api/BusinessUnit" in c["issue"] for c in op["x-curation"])


def test_every_operation_has_tag_summary_and_security(spec):
    tags = {t["name"] for t in spec["tags"]}
    assert tags == {"Business Units", "Debtors", "Invoices"}
    for (method, path), op in _ops(spec).items():
        assert op["summary"]
        assert op["tags"][0] in tags
        expected = {"BusinessUnit": "Business Units", "Debtor": "Debtors", "Invoice": "Invoices"}[path.split("/")[2]]
        assert op["tags"] == [expected]
    assert spec["security"] == [{"bearerAuth": []}]


def test_security_scheme_is_single_http_bearer(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {"bearerAuth": {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}}
    assert len(schemes) == 1


def test_server_uses_variable_because_url_is_tbd(spec):
    (server,) = spec["servers"]
    assert server["url"].startswith("https://{")
    assert "host" in server["variables"]


def test_error_responses_documented(spec):
    for (method, path), op in _ops(spec).items():
        codes = set(op["responses"])
        assert {"200", "400", "401", "429", "500"} <= codes, (method, path)
        assert ("404" in codes) == ("{id}" in path), (method, path)
    # The document shows no error body: no invented Error schema, the 429 message stays in prose.
    responses = spec["components"]["responses"]
    for name in ("BadRequest", "Unauthorized", "NotFound", "TooManyRequests", "InternalServerError"):
        assert "content" not in responses[name], name
        assert responses[name]["x-curation"], name
    assert "rate limit" in responses["TooManyRequests"]["description"]
    assert "Error" not in spec["components"]["schemas"]


def test_delete_has_no_body(spec):
    deleted = spec["components"]["responses"]["Deleted"]
    assert "content" not in deleted
    for path in ("/api/BusinessUnit/{id}", "/api/Debtor/{id}", "/api/Invoice/{id}"):
        assert spec["paths"][path]["delete"]["responses"]["200"] == {"$ref": "#/components/responses/Deleted"}


def test_ids_are_integers(spec):
    for name in ("BusinessUnitId", "DebtorId", "InvoiceId"):
        p = spec["components"]["parameters"][name]
        assert p["in"] == "path" and p["required"] is True and p["schema"]["type"] == "integer"
    s = spec["components"]["schemas"]
    assert s["Invoice"]["properties"]["debtorId"]["type"] == "integer"
    assert s["Debtor"]["properties"]["customerId"]["type"] == "integer"


def test_invoice_amount_number_and_dates_iso(spec):
    s = spec["components"]["schemas"]
    # Requests send the samples' number; the response also admits the tables' "string".
    assert s["Invoice"]["properties"]["amount"]["type"] == ["number", "string"]
    for name in ("Invoice", "InvoiceRequest", "InvoiceUpdateRequest"):
        props = s[name]["properties"]
        if name != "Invoice":
            assert props["amount"]["type"] == "number"
        assert props["dueDate"] == {**props["dueDate"], "type": "string", "format": "date"}
        assert props["invoiceDate"]["format"] == "date"
        assert "x-wire-format" not in props["amount"]
    assert s["Debtor"]["properties"]["dateOfBirth"]["format"] == "date"


def test_invoice_references_nested_with_wire_spellings(spec):
    s = spec["components"]["schemas"]
    refs = s["Invoice"]["properties"]["references"]
    assert refs["type"] == "array"
    assert refs["items"]["$ref"] == "#/components/schemas/InvoiceReference"
    ref_props = s["InvoiceReference"]["properties"]
    assert {"otherPhone", "occuppation", "email"} <= set(ref_props)
    assert not {"OtherPhone", "Occuppation", "Email"} & set(ref_props)
    assert "firstName" not in s["Invoice"]["properties"]
    assert ref_props["email"]["format"] == "email"


def test_misspelt_wire_names_kept(spec):
    s = spec["components"]["schemas"]
    for name in ("Debtor", "DebtorRequest", "DebtorUpdateRequest"):
        assert "employeerName" in s[name]["properties"]
        assert "employerName" not in s[name]["properties"]


def test_two_letter_codes(spec):
    for name in ("BusinessUnit", "BusinessUnitRequest", "Debtor", "DebtorRequest", "DebtorUpdateRequest"):
        for field in ("provinceCode", "countryCode"):
            prop = spec["components"]["schemas"][name]["properties"][field]
            assert prop["minLength"] == 2 and prop["maxLength"] == 2


def test_business_unit_id_optional_in_response(spec):
    bu = spec["components"]["schemas"]["BusinessUnit"]
    assert "id" in bu["properties"] and "id" not in bu.get("required", [])
    get_example = spec["paths"]["/api/BusinessUnit/{id}"]["get"]["responses"]["200"]["content"]["application/json"]["example"]
    assert "id" not in get_example


def test_invoice_put_sample_repaired(spec):
    body = spec["paths"]["/api/Invoice/{id}"]["put"]["requestBody"]
    assert body["content"]["application/json"]["example"]["id"] == 1
    assert any("comma" in c["issue"] for c in body["x-curation"])


def test_curation_entries_are_thorough(spec):
    entries = _curations(spec)
    assert len(entries) >= 25
    assert all(set(e) == {"issue", "decision"} and e["issue"] and e["decision"] for e in entries)


def test_no_schema_requires_a_field(spec):
    # No field table of the document marks a body field required, in requests or responses.
    for name, schema in spec["components"]["schemas"].items():
        assert "required" not in schema, name
    assert spec["components"]["schemas"]["Debtor"]["x-curation"]
