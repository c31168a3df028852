"""Decisive facts of the curated PaymentIntegrations spec (specs/payment_integrations.yaml)."""

from pathlib import Path

import pytest
import yaml

SPEC_PATH = Path(__file__).parents[2] / "specs" / "payment_integrations.yaml"
PREFIX = "/pay-int-api/invoices"
API_VERSION_REF = {"$ref": "#/components/parameters/ApiVersion"}
INVOICE_ID_REF = {"$ref": "#/components/parameters/InvoiceId"}

EXPECTED_OPERATIONS = {
    ("post", PREFIX): "createInvoice",
    ("get", PREFIX): "listInvoices",
    ("get", PREFIX + "/{invoiceId}"): "getInvoice",
    ("put", PREFIX + "/{invoiceId}"): "updateInvoice",
    ("delete", PREFIX + "/{invoiceId}"): "deleteInvoice",
    ("post", PREFIX + "/{invoiceId}/submit"): "submitInvoiceCardPayment",
    ("post", PREFIX + "/{invoiceId}/ach/submit"): "submitInvoiceAchPayment",
    ("get", PREFIX + "/{invoiceId}/calculations"): "getInvoiceCalculations",
    ("post", PREFIX + "/publish"): "publishInvoice",
    ("put", PREFIX + "/{invoiceId}/cancel"): "cancelInvoice",
    ("put", PREFIX + "/{invoiceId}/mark-as-paid"): "markInvoiceAsPaid",
    ("post", PREFIX + "/{invoiceId}/send-published-sms-notification"): "sendInvoiceSmsNotification",
    ("get", PREFIX + "/{invoiceId}/download-pdf"): "downloadInvoicePdf",
}


@pytest.fixture(scope="module")
def spec():
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def operations(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in {"get", "put", "post", "delete", "patch"}:
                yield method, path, op


def op(spec, method, path):
    return spec["paths"][path][method]


def test_all_thirteen_operations_with_resolved_paths(spec):
    found = {(m, p): o["operationId"] for m, p, o in operations(spec)}
    assert found == EXPECTED_OPERATIONS
    for _, _, o in operations(spec):
        assert o["tags"] == ["Invoices"] and o["summary"]


def test_submit_paths_use_invoice_id_not_id(spec):
    assert PREFIX + "/{id}/submit" not in spec["paths"]
    card = op(spec, "post", PREFIX + "/{invoiceId}/submit")
    assert INVOICE_ID_REF in card["parameters"]
    assert any('"id"' in e["issue"] for e in card["x-curation"])


def test_server_is_a_variable(spec):
    server = spec["servers"][0]
    assert server["url"] == "{baseUrl}"
    assert "baseUrl" in server["variables"]


def test_single_bearer_scheme(spec):
    assert spec["components"]["securitySchemes"] == {
        "bearerAuth": {**spec["components"]["securitySchemes"]["bearerAuth"], "type": "http", "scheme": "bearer"}
    }
    assert spec["security"] == [{"bearerAuth": []}]
    assert any("Bearer or Bearer" in e["issue"] for e in spec["x-curation"])


def test_api_version_header_is_a_client_option_on_every_operation(spec):
    param = spec["components"]["parameters"]["ApiVersion"]
    assert param["name"] == "x-api-version" and param["in"] == "header"
    assert param["x-client-option"] is True
    assert param["schema"]["type"] == "string"
    assert "default" not in param["schema"]  # the document never gives a version value
    for _, _, o in operations(spec):
        assert o["parameters"].count(API_VERSION_REF) == 1, o["operationId"]


def test_list_pagination(spec):
    listing = op(spec, "get", PREFIX)
    assert listing["x-pagination"] == {
        "style": "page", "items": "items", "page_param": "page",
        "size_param": "pageSize", "total": "total", "first_page": 1,
    }
    names = [p["name"] for p in listing["parameters"] if "name" in p]
    assert {"page", "pageSize", "status", "orderBy", "asc", "search", "issueDateFrom"} <= set(names)
    page = spec["components"]["schemas"]["InvoicePage"]
    assert page["properties"]["items"]["items"] == {"$ref": "#/components/schemas/Invoice"}
    assert "required" not in page  # the pager copes with a missing items or total


def test_integer_enums_have_varnames(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["InvoiceStatus"]["enum"] == [1, 2, 3, 4, 5, 6, 7]
    assert schemas["InvoiceStatus"]["x-enum-varnames"] == [
        "Draft", "Published", "Paid", "Expired", "Canceled", "ProcessingPayment", "Refunded",
    ]
    assert schemas["AccountType"]["x-enum-varnames"] == ["Checking", "Savings"]
    assert schemas["AccountHolderType"]["x-enum-varnames"] == ["Business", "Personal"]
    status = next(p for p in op(spec, "get", PREFIX)["parameters"] if p.get("name") == "status")
    assert status["schema"] == {"$ref": "#/components/schemas/InvoiceStatus"}


def test_pdf_download_is_binary(spec):
    ok = op(spec, "get", PREFIX + "/{invoiceId}/download-pdf")["responses"]["200"]
    assert list(ok["content"]) == ["application/pdf"]
    assert ok["content"]["application/pdf"]["schema"] == {"type": "string", "format": "binary"}


def test_error_samples_moved_off_success_responses(spec):
    # The only sample of these operations is the 400 body; their 200 body is not shown, so it
    # is untyped JSON (no schema) rather than no content or an invented shape.
    for method, path in [("put", PREFIX + "/{invoiceId}"), ("delete", PREFIX + "/{invoiceId}"),
                         ("put", PREFIX + "/{invoiceId}/cancel"), ("put", PREFIX + "/{invoiceId}/mark-as-paid"),
                         ("post", PREFIX + "/{invoiceId}/send-published-sms-notification")]:
        responses = op(spec, method, path)["responses"]
        assert list(responses["200"]["content"]) == ["application/json"]
        assert "schema" not in responses["200"]["content"]["application/json"]
        assert responses["200"]["x-curation"]
        assert responses["400"] == {"$ref": "#/components/responses/BadRequest"}
    bad = spec["components"]["responses"]["BadRequest"]["content"]["application/json"]
    assert bad["schema"] == {"$ref": "#/components/schemas/ErrorResponse"}
    assert bad["example"]["statusCode"] == 400
    assert bad["example"]["exceptionType"] == "FluentValidation.ValidationException"


def test_wire_names_and_nullability_in_invoice_request(spec):
    props = spec["components"]["schemas"]["InvoiceRequest"]["properties"]
    assert "canPriceBeForceOverrided" in props  # misspelt on the wire, kept
    assert props["dueDate"]["type"] == ["string", "null"]
    assert "format" not in props["dueDate"]  # the document types it plain "string or null"
    assert props["cardPaymentProcessorId"]["format"] == "uuid"
    assert props["lineItems"]["type"] == ["array", "null"]
    assert props["customer"] == {"$ref": "#/components/schemas/InvoiceCustomerDto"}
    assert "required" not in spec["components"]["schemas"]["InvoiceRequest"]


def test_undocumented_error_bodies_have_no_content(spec):
    responses = spec["components"]["responses"]
    for name in ("NotFound", "ServerError"):
        assert "content" not in responses[name], name
        assert responses[name]["x-curation"], name


def test_response_schemas_require_nothing_and_admit_printed_nulls(spec):
    schemas = spec["components"]["schemas"]
    for name in ("Invoice", "InvoicePage", "InvoiceIdResponse", "SubmitInvoiceResponse",
                 "InvoiceCalculations", "ErrorResponse"):
        assert "required" not in schemas[name], name
    # dueDate is admitted in every form the document prints ("string" and a date-time).
    assert schemas["Invoice"]["properties"]["dueDate"]["type"] == ["string", "null"]
    assert "format" not in schemas["Invoice"]["properties"]["dueDate"]
    # Typed "number or null" in the request bodies, so nullable in the calculations too.
    calc = schemas["InvoiceCalculations"]["properties"]
    for name in ("shippingAmount", "taxPercentage", "feesPercentage", "discountPercentage"):
        assert calc[name]["type"] == ["number", "null"], name
    assert calc["totalAmount"]["type"] == "number"
    # Printed only as null: any JSON value, no invented type.
    error = schemas["ErrorResponse"]["properties"]
    assert "type" not in error["entityId"] and "type" not in error["errorCode"]


def test_publish_keeps_body_id(spec):
    publish = op(spec, "post", PREFIX + "/publish")
    schema = spec["components"]["schemas"]["PublishInvoiceRequest"]
    assert schema["allOf"][0] == {"$ref": "#/components/schemas/InvoiceRequest"}
    assert schema["allOf"][1]["properties"]["id"]["format"] == "uuid"
    assert all(p != INVOICE_ID_REF for p in publish["parameters"])
    assert publish["responses"]["200"]["content"]["application/json"]["example"] == {
        "id": "497f6eca-6276-4993-bfeb-53cbbbba6f08"
    }


def test_ach_email_format_and_repaired_example(spec):
    email = spec["components"]["schemas"]["SubmitInvoiceAchRequest"]["properties"]["email"]
    assert email["format"] == "email"
    body = op(spec, "post", PREFIX + "/{invoiceId}/ach/submit")["requestBody"]["content"]["application/json"]
    assert body["example"]["email"] == "jane.doe@example.com"


def test_every_request_body_and_json_response_has_an_example(spec):
    def resolve(node):
        while "$ref" in node:
            target = spec
            for key in node["$ref"][2:].split("/"):
                target = target[key]
            node = target
        return node

    for _, _, o in operations(spec):
        if "requestBody" in o:
            assert "example" in o["requestBody"]["content"]["application/json"], o["operationId"]
        for response in o["responses"].values():
            for media_type, media in resolve(response).get("content", {}).items():
                if media_type == "application/json":
                    assert "example" in media, o["operationId"]


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
    assert count >= 30
