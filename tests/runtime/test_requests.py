"""Building requests from RequestOptions and reading responses, on the sync and async clients."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from pydantic import BaseModel, ValidationError

from .server import Reply, ScriptedServer


class Invoice(BaseModel):
    id: str
    amount: int


class Problem(BaseModel):
    status: int
    title: str


def test_parses_success_body_into_the_documented_model(rt, server: ScriptedServer, make_api):
    server.reply(Reply(body=[{"id": "a", "amount": 1}, {"id": "b", "amount": 2}]))
    api = make_api(base_url=server.url)
    spec = rt.ResponseSpec(success=list[Invoice])
    result = api.request(rt.RequestOptions(method="GET", path="/invoices"), spec)
    assert result == [Invoice(id="a", amount=1), Invoice(id="b", amount=2)]


def test_no_body_operation_returns_none_and_bytes_operation_returns_raw(rt, server, make_api):
    server.reply(Reply(status=204, body=b""), Reply(body=b"%PDF-1.7 \x00\xff", headers={"Content-Type": "application/pdf"}))
    api = make_api(base_url=server.url)
    assert api.request(rt.RequestOptions(method="DELETE", path="/x")) is None
    pdf = api.request(rt.RequestOptions(method="GET", path="/x.pdf"), rt.ResponseSpec(body="bytes"))
    assert pdf == b"%PDF-1.7 \x00\xff"


def test_query_encoding_headers_and_user_agent(rt, server, make_api):
    api = make_api(
        base_url=server.url + "/v2/",
        default_headers={"X-Api-Version": "3"},
        default_query={"product_id": "p1"},
        user_agent="notify-client/1.0",
    )
    options = rt.RequestOptions(
        method="GET",
        path="/invoices/abc%2F1",
        query={"status": ["open", "paid"], "archived": False, "page": 2, "missing": None},
        headers={"X-Request-Id": "r1"},
    )
    api.request(options)
    got = server.received[0]
    assert got.path == "/v2/invoices/abc%2F1"
    assert got.query == {
        "product_id": ["p1"], "status": ["open", "paid"], "archived": ["false"], "page": ["2"]
    }
    assert got.headers["x-api-version"] == "3"
    assert got.headers["x-request-id"] == "r1"
    assert got.headers["user-agent"] == "notify-client/1.0"
    assert got.headers["accept"] == "application/json"


def test_per_call_extra_headers_and_extra_query_override(rt, server, make_api):
    api = make_api(base_url=server.url, default_headers={"X-Api-Version": "3"}, default_query={"a": "1"})
    options = rt.RequestOptions(
        method="GET",
        path="/x",
        query={"b": "2"},
        extra_headers={"X-Api-Version": "4", "X-Trace": "t"},
        extra_query={"a": "9", "c": True},
    )
    api.request(options)
    got = server.received[0]
    assert got.query == {"a": ["9"], "b": ["2"], "c": ["true"]}
    assert got.headers["x-api-version"] == "4"
    assert got.headers["x-trace"] == "t"


def test_json_body_null_body_and_no_body(rt, server, make_api):
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method="POST", path="/p", json={"amount": "480.00", "tags": []}))
    api.request(rt.RequestOptions(method="POST", path="/p", json=None))
    api.request(rt.RequestOptions(method="POST", path="/p"))
    first, null, empty = server.received
    assert json.loads(first.body) == {"amount": "480.00", "tags": []}
    assert first.headers["content-type"] == "application/json"
    assert null.body == b"null"
    assert empty.body == b"" and "content-type" not in empty.headers


def test_form_multipart_and_raw_content_bodies(rt, server, make_api, tmp_path):
    doc = tmp_path / "invoice.pdf"
    doc.write_bytes(b"%PDF")
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method="POST", path="/f", form={"customer": "c1", "ids": [1, 2], "x": None}))
    api.request(rt.RequestOptions(method="POST", path="/m", form={"kind": "invoice"}, files={"file": str(doc)}))
    api.request(rt.RequestOptions(method="PUT", path="/c", content=b"\x01\x02", headers={"Content-Type": "application/octet-stream"}))
    form, multipart, raw = server.received
    assert form.headers["content-type"] == "application/x-www-form-urlencoded"
    assert form.body == b"customer=c1&ids=1&ids=2"
    assert multipart.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="kind"\r\n\r\ninvoice' in multipart.body
    assert b'name="file"; filename="invoice.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF' in multipart.body
    assert raw.body == b"\x01\x02"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, "BadRequestError"),
        (401, "AuthenticationError"),
        (403, "PermissionDeniedError"),
        (404, "NotFoundError"),
        (409, "ConflictError"),
        (422, "UnprocessableEntityError"),
        (429, "RateLimitError"),
        (500, "InternalServerError"),
        (501, "InternalServerError"),
        (418, "APIStatusError"),
        (302, "APIStatusError"),
    ],
)
def test_status_maps_to_exception_class(rt, server, make_api, status, error):
    server.reply(Reply(status=status, body={"status": status, "title": "nope"}))
    api = make_api(base_url=server.url, max_retries=0)
    with pytest.raises(rt.APIStatusError) as caught:
        api.request(rt.RequestOptions(method="POST", path="/x"))
    assert type(caught.value) is getattr(rt, error)
    assert caught.value.status_code == status
    assert caught.value.response.status_code == status
    assert f"{status}" in str(caught.value) and "POST" in str(caught.value)


def _errors() -> dict[int | str, Any]:
    return {404: Problem, "4XX": dict[str, str], "default": list[int]}


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (404, {"status": 404, "title": "Not Found"}, Problem(status=404, title="Not Found")),
        (404, {"unexpected": True}, {"unexpected": True}),  # documented model mismatch: JSON
        (409, {"title": "taken"}, {"title": "taken"}),  # 4XX range model
        (500, [1, 2], [1, 2]),  # default
        (500, "<html>oops</html>", "<html>oops</html>"),  # not JSON: text
        (400, b"", None),
    ],
)
def test_error_body_parsed_into_documented_model(rt, server, make_api, status, body, expected):
    server.reply(Reply(status=status, body=body))
    api = make_api(base_url=server.url, max_retries=0)
    spec = rt.ResponseSpec(success=Invoice, errors=_errors())
    with pytest.raises(rt.APIStatusError) as caught:
        api.request(rt.RequestOptions(method="GET", path="/x"), spec)
    assert caught.value.body == expected
    assert type(caught.value.body) is type(expected)


def test_2xx_body_not_matching_schema_raises_in_strict_mode(rt, server, make_api):
    raw = b'{"id": "a", "amount": "not-a-number-secret-ish"}'
    server.reply(Reply(body=raw))
    api = make_api(base_url=server.url, strict_response_validation=True)
    with pytest.raises(rt.ResponseValidationError) as caught:
        api.request(rt.RequestOptions(method="GET", path="/inv"), rt.ResponseSpec(success=Invoice))
    assert caught.value.body == raw
    assert caught.value.response.status_code == 200
    assert "amount" in str(caught.value)
    # Locations and reasons only: the values the server sent are not copied into the message.
    assert "not-a-number" not in str(caught.value)
    assert isinstance(caught.value.__cause__, ValidationError)
    assert isinstance(caught.value, rt.APIError)


def test_own_http_client_is_not_closed_but_created_one_is(rt, server):
    own = httpx.Client()
    client = rt.SyncAPIClient(base_url=server.url, http_client=own)
    client.close()
    assert not own.is_closed
    own.close()
    with rt.SyncAPIClient(base_url=server.url) as created:
        inner = created._http_client
    assert inner.is_closed


async def test_async_context_manager_closes_created_client(rt, server):
    own = httpx.AsyncClient()
    async with rt.AsyncAPIClient(base_url=server.url, http_client=own) as client:
        assert await client.request(rt.RequestOptions(method="GET", path="/"), rt.ResponseSpec(success=dict)) == {}
    assert not own.is_closed
    await own.aclose()
    async with rt.AsyncAPIClient(base_url=server.url) as created:
        inner = created._http_client
    assert inner.is_closed


def test_mock_transport_http_client_is_used(rt):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"id": "m", "amount": 3})

    client = rt.SyncAPIClient(base_url="https://api.example.com/v2", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    got = client.request(rt.RequestOptions(method="GET", path="/inv/m"), rt.ResponseSpec(success=Invoice))
    assert got == Invoice(id="m", amount=3)
    assert str(seen[0].url) == "https://api.example.com/v2/inv/m"


def test_header_precedence_defaults_operation_auth_then_per_call(rt, server, make_api):
    api = make_api(
        base_url=server.url,
        default_headers={"X-Api-Version": "3", "Accept": "application/hal+json"},
        auth_headers={"Authorization": "Bearer k"},
    )
    api.request(rt.RequestOptions(method="GET", path="/a", headers={"accept": "application/pdf", "authorization": "op"}))
    api.request(rt.RequestOptions(method="GET", path="/b", extra_headers={"AUTHORIZATION": "Bearer other", "x-api-version": "4"}))
    api.request(rt.RequestOptions(method="POST", path="/c", json=None, headers={"content-type": "application/merge-patch+json"}))
    op, per_call, null_body = server.received
    assert op.headers["accept"] == "application/pdf"
    assert op.headers["authorization"] == "Bearer k"  # credentials are the client's, not the operation's
    assert per_call.headers["authorization"] == "Bearer other"
    assert per_call.headers["x-api-version"] == "4"
    assert per_call.headers["accept"] == "application/hal+json"
    assert null_body.headers["content-type"] == "application/merge-patch+json"
    assert null_body.body == b"null"


def test_one_wire_text_for_every_place_a_value_goes(rt, server, make_api):
    """Enums (str-valued too), bools and dates read the same in a path, query, header or cookie."""
    import datetime as dt
    import enum

    class Status(str, enum.Enum):
        OPEN = "open"

    ser = rt.serialize
    assert [ser.text(v) for v in (Status.OPEN, True, dt.date(2021, 1, 28), 2)] == ["open", "true", "2021-01-28", "2"]
    assert ser.path(Status.OPEN) == "open"
    assert ser.headers({"X-Flags": ser.param([True, False]), "X-S": ser.param(Status.OPEN)}, {"c": True}) == {
        "X-Flags": "true,false",
        "X-S": "open",
        "Cookie": "c=true",
    }
    api = make_api(base_url=server.url)
    api.request(rt.RequestOptions(method="GET", path="/x", extra_query={"s": Status.OPEN, "l": [Status.OPEN]}))
    assert server.received[0].query == {"s": ["open"], "l": ["open"]}
