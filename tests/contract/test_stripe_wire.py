"""Stripe's customers, called through a generated client and read by an independent reader of the
wire: Prism validates each request (deepObject query filters, a form body with nested metadata and
an array) against Stripe's own published definitions (../shared/corpus/stripe.com.json).

Both the client and Prism use that spec cut down to GET and POST /v1/customers, their parameters,
request body and security kept verbatim and their responses reduced to a plain object: request
building is what is under test, the full 452-operation client takes minutes to generate, and Prism
takes more than a minute to load the full spec on a loaded machine."""

from __future__ import annotations

import copy
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from urllib.parse import unquote

import httpx
import pytest

from ._prism import PrismServer, start_all, stop_all

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("SPECGEN_CORPUS", ROOT.parent / "shared" / "corpus"))
STRIPE = CORPUS / "stripe.com.json"

pytestmark = [
    pytest.mark.contract,
    pytest.mark.skipif(not STRIPE.is_file(), reason=f"no {STRIPE} (set SPECGEN_CORPUS)"),
]


def _customers_only(document: dict[str, object]) -> dict[str, object]:
    cut = copy.deepcopy(document)
    operations = cut["paths"]["/v1/customers"]  # type: ignore[index]
    for operation in operations.values():
        if isinstance(operation, dict):
            operation["responses"] = {
                "200": {
                    "description": "ok",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            }
    cut["paths"] = {"/v1/customers": operations}
    cut["components"] = {"securitySchemes": cut["components"]["securitySchemes"]}  # type: ignore[index]
    cut.pop("webhooks", None)
    return cut


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stripe") / "stripe_customers.json"
    path.write_text(json.dumps(_customers_only(json.loads(STRIPE.read_text()))))
    return path


@pytest.fixture(scope="module")
def stripe_client(spec: Path) -> Iterator[ModuleType]:
    out = spec.parent / "out"
    subprocess.run(
        [sys.executable, "-m", "generator", "generate", str(spec), "--out", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(out / "stripe_customers"))
    try:
        yield importlib.import_module("stripe_customers_client")
    finally:
        sys.path.remove(str(out / "stripe_customers"))
        for name in [m for m in sys.modules if m.startswith("stripe_customers_client")]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def prism(spec: Path) -> Iterator[PrismServer]:
    servers = start_all([spec], spec.parent)
    try:
        yield servers[spec.stem]
    finally:
        stop_all(servers.values())


def _exchange(client_module: ModuleType, base_url: str, call: str, **kwargs: object) -> httpx.Response:
    seen: list[httpx.Response] = []

    def record(response: httpx.Response) -> None:
        response.read()
        seen.append(response)

    with httpx.Client(event_hooks={"response": [record]}) as http:
        client = client_module.StripeClient(
            api_key="sk_test_123",
            auth_scheme="bearer_auth",
            base_url=base_url,
            http_client=http,
            max_retries=0,
            rate_limit=None,
        )
        getattr(client.customers, call)(**kwargs)
    assert len(seen) == 1
    return seen[0]


def _assert_accepted(response: httpx.Response) -> None:
    violations = response.headers.get("sl-violations")
    assert response.status_code == 200 and violations is None, (
        f"{response.request.method} {response.request.url} -> {response.status_code} "
        f"sl-violations={violations} body={response.text[:600]!r}\n"
        f"request body={response.request.content[:600]!r}"
    )


def test_create_customer_with_metadata_and_preferred_locales(stripe_client, prism):
    response = _exchange(
        stripe_client,
        prism.base_url,
        "post_customers",
        email="jenny@example.com",
        metadata={"order_id": "6735"},
        preferred_locales=["en", "nl"],
        address={"city": "Amsterdam", "country": "NL"},
    )
    sent = unquote(response.request.content.decode())
    assert sent == (
        "address[city]=Amsterdam&address[country]=NL&email=jenny@example.com"
        "&metadata[order_id]=6735&preferred_locales[0]=en&preferred_locales[1]=nl"
    )
    _assert_accepted(response)


def test_list_customers_with_created_deep_object_filter(stripe_client, prism):
    response = _exchange(
        stripe_client, prism.base_url, "get_customers", created={"gte": 1700000000, "lt": 1800000000}, limit=3
    )
    assert unquote(response.request.url.query.decode()) == "created[gte]=1700000000&created[lt]=1800000000&limit=3"
    _assert_accepted(response)


@pytest.mark.parametrize(
    ("method", "target", "body"),
    [
        # What the client sent before styles were honoured (issue 14): Python repr text.
        ("GET", "/v1/customers?created=%7B%27gte%27%3A+1700000000%7D", None),
        ("POST", "/v1/customers", "metadata=%7B%27order_id%27%3A+%276735%27%7D"),
        ("POST", "/v1/customers", "preferred_locales=%5B%27en%27%2C+%27nl%27%5D"),
    ],
)
def test_prism_rejects_the_old_wire_format(prism, method, target, body):
    """The reader is not lenient: the repr-text requests the issue reports are violations."""
    headers = {"Authorization": "Bearer sk_test_123"}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    response = httpx.request(method, prism.base_url + target, content=body, headers=headers)
    assert response.status_code in (400, 422), response.text[:300]
