"""HTTPS enforcement and credential redaction in logs, reprs and exception messages."""

from __future__ import annotations

import logging

import httpx
import pytest

from .server import Reply

KEY = "live_Zq8sK2pLm4Nx7Rt"
QUERY_KEY = "qk/+=9 Yv&3"  # characters that get percent-encoded in a URL
OTHER_SECRET = "webhook-s3cr3t-42"


@pytest.mark.parametrize(
    "base_url",
    ["http://api.notify.cm/v2", "http://10.0.0.5", "http://127.0.0.1.nip.io", "http://localhost.evil.com", "HTTP://Example.com"],
)
def test_plain_http_to_a_remote_host_is_refused(rt, base_url):
    for client_class in (rt.SyncAPIClient, rt.AsyncAPIClient):
        with pytest.raises(rt.InsecureTransportError, match="allow_insecure_http=True"):
            client_class(base_url=base_url)
    assert issubclass(rt.InsecureTransportError, ValueError)


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8080", "http://127.8.9.10/v2", "http://localhost:4010", "http://[::1]:4010", "https://api.notify.cm/v2"],
)
def test_loopback_and_https_are_accepted(rt, base_url):
    assert rt.SyncAPIClient(base_url=base_url).base_url == base_url.rstrip("/")


def test_allow_insecure_http_opts_in(rt):
    client = rt.SyncAPIClient(base_url="http://api.example.com", allow_insecure_http=True)
    assert client.base_url == "http://api.example.com"


@pytest.mark.parametrize("base_url", ["ftp://api.example.com", "/relative/path", "api.example.com"])
def test_non_http_base_urls_are_refused(rt, base_url):
    with pytest.raises(ValueError):
        rt.SyncAPIClient(base_url=base_url)


def assert_no_secret(text: str) -> None:
    for secret in (KEY, QUERY_KEY, OTHER_SECRET, "qk%2F%2B%3D9", "qk/+=9"):
        assert secret not in text


def test_debug_log_of_failed_authenticated_call_holds_no_key(rt, server, make_api, caplog, fast_backoff):
    # The server echoes the credentials back in its error body, as some APIs do.
    server.route = lambda r: Reply(status=503, body={"error": f"bad key {KEY} / {QUERY_KEY} / {OTHER_SECRET}", "url": r.target})
    api = make_api(
        base_url=server.url,
        auth_headers={"Authorization": f"Bearer {KEY}"},
        auth_query={"api_key": QUERY_KEY},
        secrets=[OTHER_SECRET],
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(rt.InternalServerError) as caught:
        api.request(rt.RequestOptions(method="GET", path="/invoices", query={"status": "open"}))
    # The key really was sent...
    assert server.received[0].headers["authorization"] == f"Bearer {KEY}"
    assert server.received[0].query["api_key"] == [QUERY_KEY]
    # ...and appears nowhere in what the client logged or raised.
    messages = [record.getMessage() for record in caplog.records]
    assert any("Request: GET" in m and "api_key=***" in m for m in messages)
    assert any("Response: GET" in m and "503" in m for m in messages)
    assert any("Retrying GET" in m for m in messages)
    assert {r.name for r in caplog.records} >= {"rtpkg", "httpx"}
    for text in [caplog.text, *messages, str(caught.value), repr(caught.value), caught.value.message, repr(api.client)]:
        assert_no_secret(text)
    assert "***" in str(caught.value)
    assert "status=open" in str(caught.value)


def test_connection_failure_messages_and_logs_hold_no_key(rt, caplog, fast_backoff):
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}", request=request)

    client = rt.SyncAPIClient(
        base_url="https://api.example.com",
        http_client=httpx.Client(transport=httpx.MockTransport(handler)),
        auth_query={"api_key": QUERY_KEY},
        secrets=[OTHER_SECRET],
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(rt.APIConnectionError) as caught:
        client.request(rt.RequestOptions(method="GET", path="/x", extra_query={"token": OTHER_SECRET}), rt.ResponseSpec(body="none"))
    assert "Request failed" in caplog.text
    for text in [caplog.text, str(caught.value), repr(caught.value)]:
        assert_no_secret(text)


def test_repr_shows_base_url_but_no_secret(rt):
    client = rt.SyncAPIClient(
        base_url=f"https://user:{KEY}@api.notify.cm/v2", auth_headers={"Authorization": f"Bearer {KEY}"}
    )
    assert repr(client) == "SyncAPIClient(base_url='https://api.notify.cm/v2')"
    async_client = rt.AsyncAPIClient(base_url="https://api.notify.cm/v2", auth_query={"api_key": KEY})
    assert repr(async_client) == "AsyncAPIClient(base_url='https://api.notify.cm/v2')"


def test_unauthenticated_operation_sends_no_credentials(rt, server, make_api):
    api = make_api(base_url=server.url, auth_headers={"Authorization": f"Bearer {KEY}"}, auth_query={"api_key": KEY})
    api.request(rt.RequestOptions(method="GET", path="/health", authenticated=False))
    got = server.received[0]
    assert "authorization" not in got.headers and "api_key" not in got.query


def test_redactor_covers_encoded_forms_and_token_alone(rt):
    redactor = rt.Redactor([f"Bearer {KEY}", QUERY_KEY], query_params=["api_key"])
    text = f"{KEY} qk%2F%2B%3D9+Yv%263 qk%2F%2B%3D9%20Yv%263 ?api_key=whatever&x=1 {QUERY_KEY}"
    assert redactor.text(text) == "*** *** *** ?api_key=***&x=1 ***"
    assert redactor.url("https://u:p@h.example/p?api_key=zz&b=2") == "https://h.example/p?api_key=***&b=2"


@pytest.mark.parametrize("path", ["@evil.example/x", "invoices", ".evil.example/x", ""])
def test_paths_that_could_change_the_host_are_refused(rt, server, make_api, path):
    api = make_api(base_url=server.url, auth_headers={"Authorization": f"Bearer {KEY}"})
    with pytest.raises(ValueError, match="path must start with '/'"):
        api.request(rt.RequestOptions(method="GET", path=path))
    assert server.received == []


def test_a_key_straddling_the_error_message_cut_is_redacted_whole(rt, server, make_api):
    # The message keeps the first part of the body; the key begins just before the cut.
    server.route = lambda r: Reply(status=400, body={"detail": "x" * 480 + KEY})
    api = make_api(base_url=server.url, auth_headers={"Authorization": f"Bearer {KEY}"})
    with pytest.raises(rt.BadRequestError) as caught:
        api.request(rt.RequestOptions(method="GET", path="/x"))
    for cut in range(4, len(KEY) + 1):
        assert KEY[:cut] not in str(caught.value)
