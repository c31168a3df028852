"""Every parameter style and body kind of tests/fixtures/wire.yaml, called through the generated
client: the exact request on the wire (issue 14). The runtime's own table tests
(tests/runtime/test_styles.py) pin each style; this checks the generator wires them up."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from urllib.parse import unquote

import pytest

from tests.conftest import FIXTURES, run_specgen

CALLS = textwrap.dedent(
    """
    import base64, json
    import httpx
    import wire_client
    from wire_client.models import Color, Line

    seen = []
    def handler(request):
        seen.append(request)
        return httpx.Response(204)

    client = wire_client.WireClient(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    client.wire.get_colors(
        ["blue", "black"],
        Color(R=100, G=200, B=150),
        created={"gte": 1, "lt": 2},
        ids=[1, 2, 3],
        tags=["a", "b"],
        filter_={"name": "x y"},
        next_="/p?q=1",
        x_color=Color(R=1, G=2, B=3),
        prefs=["en", "nl"],
    )
    client.wire.create_customer(
        email="jenny+1@example.com",
        metadata={"order_id": "6735"},
        preferred_locales=["en", "nl"],
        items=[Line(price="price_1", quantity=2), Line(price="price_2")],
        settings={"theme": "dark"},
        tags=["a b", "c"],
    )
    client.wire.upload_document(file=b"%PDF", labels=["x", "y"], meta={"source": "scan"})
    client.wire.put_note(body="hello")
    client.wire.put_blob(body=b"\\x00\\x01")
    client.wire.post_batch(body=[Line(price="p", quantity=1)])
    client.wire.put_count(body=7)
    print(json.dumps([
        {
            "target": r.url.raw_path.decode(),
            "headers": {k: v for k, v in r.headers.items() if k in ("x-color", "cookie", "content-type")},
            "body": base64.b64encode(r.content).decode(),
        }
        for r in seen
    ]))
    """
)


@pytest.fixture(scope="module")
def sent(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, object]]:
    out = tmp_path_factory.mktemp("wire")
    result = run_specgen("generate", str(FIXTURES / "wire.yaml"), "--out", str(out))
    assert result.returncode == 0, result.stderr
    run = subprocess.run([sys.executable, "-c", CALLS], cwd=out / "wire", capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    requests: list[dict[str, object]] = json.loads(run.stdout.strip().splitlines()[-1])
    import base64

    for request in requests:
        request["body"] = base64.b64decode(str(request["body"]))
    return requests


def test_parameters_in_every_style(sent):
    first = sent[0]
    assert first["target"] == (
        "/colors/.blue.black/;matrix=R,100,G,200,B,150"  # matrix: explode defaults to false
        "?created%5Bgte%5D=1&created%5Blt%5D=2&ids=1%7C2%7C3&tags=a,b"
        "&filter=%7B%22name%22%3A%22x%20y%22%7D&next=/p?q%3D1"
    )
    assert first["headers"] == {"x-color": "R=1,G=2,B=3", "cookie": "prefs=en,nl"}


def test_form_body_in_stripe_bracket_convention(sent):
    form = sent[1]
    assert form["headers"] == {"content-type": "application/x-www-form-urlencoded"}
    assert unquote(form["body"].decode()) == (  # type: ignore[union-attr]
        "email=jenny+1@example.com&metadata[order_id]=6735&preferred_locales[0]=en&preferred_locales[1]=nl"
        "&items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2"
        '&settings={"theme":"dark"}&tags=a+b&tags=c'
    )
    assert form["body"].startswith(b"email=jenny%2B1%40example.com&metadata%5Border_id%5D=6735&")  # type: ignore[union-attr]


def test_multipart_nested_object_and_array(sent):
    body = sent[2]["body"]
    assert body.count(b'name="labels"\r\n\r\n') == 2  # type: ignore[union-attr]
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"source":"scan"}\r\n' in body  # type: ignore[operator]
    assert b'name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n%PDF\r\n' in body  # type: ignore[operator]


def test_text_binary_and_non_object_json_bodies(sent):
    note, blob, batch, count = sent[3:]
    assert (note["headers"], note["body"]) == ({"content-type": "text/plain"}, b"hello")
    assert (blob["headers"], blob["body"]) == ({"content-type": "application/octet-stream"}, b"\x00\x01")
    assert batch["headers"] == {"content-type": "application/json"}
    assert json.loads(batch["body"]) == [{"price": "p", "quantity": 1}]  # type: ignore[arg-type]
    assert (count["headers"], count["body"]) == ({"content-type": "application/json"}, b"7")
