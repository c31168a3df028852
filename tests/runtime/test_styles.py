"""Parameter and body serialization on the wire.

The oracle is the "Style Examples" table of the OpenAPI Specification, copied from
versions/3.1.1.md of github.com/OAI/OpenAPI-Specification: the same table as 3.1.0's, corrected
(3.1.0 shows `label, false, array` as `.blue.black.brown`, which RFC 6570 `{.color}` does not
produce) and shown percent-encoded, as it goes on the wire. Each cell is one test, asserting the
exact request line the client sends.
"""

from __future__ import annotations

import json
from urllib.parse import unquote

import pytest
from pydantic import BaseModel

STRING = "blue"
ARRAY = ["blue", "black", "brown"]
OBJECT = {"R": 100, "G": 200, "B": 150}

# (style, explode, value, cell of the table)
PATH_CELLS = [
    ("matrix", False, STRING, ";color=blue"),
    ("matrix", False, ARRAY, ";color=blue,black,brown"),
    ("matrix", False, OBJECT, ";color=R,100,G,200,B,150"),
    ("matrix", True, STRING, ";color=blue"),
    ("matrix", True, ARRAY, ";color=blue;color=black;color=brown"),
    ("matrix", True, OBJECT, ";R=100;G=200;B=150"),
    ("label", False, STRING, ".blue"),
    ("label", False, ARRAY, ".blue,black,brown"),
    ("label", False, OBJECT, ".R,100,G,200,B,150"),
    ("label", True, STRING, ".blue"),
    ("label", True, ARRAY, ".blue.black.brown"),
    ("label", True, OBJECT, ".R=100.G=200.B=150"),
    ("simple", False, STRING, "blue"),
    ("simple", False, ARRAY, "blue,black,brown"),
    ("simple", False, OBJECT, "R,100,G,200,B,150"),
    ("simple", True, STRING, "blue"),
    ("simple", True, ARRAY, "blue,black,brown"),
    ("simple", True, OBJECT, "R=100,G=200,B=150"),
]
QUERY_CELLS = [
    ("form", False, "", "color="),
    ("form", False, STRING, "color=blue"),
    ("form", False, ARRAY, "color=blue,black,brown"),
    ("form", False, OBJECT, "color=R,100,G,200,B,150"),
    ("form", True, "", "color="),
    ("form", True, STRING, "color=blue"),
    ("form", True, ARRAY, "color=blue&color=black&color=brown"),
    ("form", True, OBJECT, "R=100&G=200&B=150"),
    ("spaceDelimited", False, ARRAY, "color=blue%20black%20brown"),
    ("spaceDelimited", False, OBJECT, "color=R%20100%20G%20200%20B%20150"),
    ("pipeDelimited", False, ARRAY, "color=blue%7Cblack%7Cbrown"),
    ("pipeDelimited", False, OBJECT, "color=R%7C100%7CG%7C200%7CB%7C150"),
    ("deepObject", True, OBJECT, "color%5BR%5D=100&color%5BG%5D=200&color%5BB%5D=150"),
]


def _id(cell: tuple[object, ...]) -> str:
    return f"{cell[0]}-{'explode' if cell[1] else 'noexplode'}-{type(cell[2]).__name__}"


@pytest.mark.parametrize("cell", PATH_CELLS, ids=_id)
def test_path_style_table(rt, server, make_api, cell):
    style, explode, value, expected = cell
    path = "/colors/" + rt.serialize.styled_path("color", value, style, explode)
    make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path=path))
    assert server.received[0].target == "/colors/" + expected


@pytest.mark.parametrize("cell", QUERY_CELLS, ids=_id)
def test_query_style_table(rt, server, make_api, cell):
    style, explode, value, expected = cell
    query = {"color": rt.serialize.query("color", value, style, explode)}
    make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path="/q", query=query))
    assert server.received[0].target == "/q?" + expected


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, STRING, "blue"),
        (False, ARRAY, "blue,black,brown"),
        (False, OBJECT, "R,100,G,200,B,150"),
        (True, ARRAY, "blue,black,brown"),
        (True, OBJECT, "R=100,G=200,B=150"),
    ],
)
def test_header_simple_style(rt, server, make_api, explode, value, expected):
    headers = rt.serialize.headers({"X-Color": rt.serialize.header(value, explode)})
    make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path="/h", headers=headers))
    assert server.received[0].headers["x-color"] == expected


@pytest.mark.parametrize(
    ("explode", "value", "expected"),
    [
        (False, STRING, "color=blue"),
        (False, ARRAY, "color=blue,black,brown"),
        (False, OBJECT, "color=R,100,G,200,B,150"),
        (True, STRING, "color=blue"),
        # exploded: one cookie per value, as the Cookie header separates them
        (True, ARRAY, "color=blue; color=black; color=brown"),
        (True, OBJECT, "R=100; G=200; B=150"),
    ],
)
def test_cookie_form_style(rt, server, make_api, explode, value, expected):
    headers = rt.serialize.headers({}, cookies={"color": rt.serialize.cookie("color", value, explode)})
    make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path="/c", headers=headers))
    assert server.received[0].headers["cookie"] == expected


def test_reserved_characters_are_encoded_unless_allow_reserved(rt, server, make_api):
    value = "a/b?c:d@e f&g=h#i"
    query = {
        "plain": rt.serialize.query("plain", value),
        "open": rt.serialize.query("open", value, allow_reserved=True),
    }
    path = "/p/" + rt.serialize.styled_path("id", "x/y", "simple", False)
    make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path=path, query=query))
    assert server.received[0].target == (
        "/p/x%2Fy?plain=a%2Fb%3Fc%3Ad%40e%20f%26g%3Dh%23i&open=a/b?c:d@e%20f%26g%3Dh%23i"
    )


def test_content_parameter_is_json_text(rt, server, make_api):
    query = {"filter": rt.serialize.query("filter", {"name": "a b", "ids": [1, 2]}, media_type="application/json")}
    headers = rt.serialize.headers({"X-Filter": rt.serialize.header({"ok": True}, media_type="application/json")})
    make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path="/j", query=query, headers=headers))
    got = server.received[0]
    assert got.target == "/j?filter=%7B%22name%22%3A%22a%20b%22%2C%22ids%22%3A%5B1%2C2%5D%7D"
    assert json.loads(unquote(got.target.split("=", 1)[1])) == {"name": "a b", "ids": [1, 2]}
    assert got.headers["x-filter"] == '{"ok":true}'


def test_styled_query_mixes_with_client_and_extra_query(rt, server, make_api):
    api = make_api(base_url=server.url, default_query={"v": "2"})
    query = {"created": rt.serialize.query("created", {"gte": 1700000000}, "deepObject", True), "limit": 3}
    api.request(rt.RequestOptions(method="GET", path="/x", query=query, extra_query={"expand": "a b"}))
    assert server.received[0].target == "/x?v=2&created%5Bgte%5D=1700000000&limit=3&expand=a%20b"


class Item(BaseModel):
    price: str
    quantity: int


def test_stripe_form_body_with_deep_object_encoding(rt, server, make_api):
    """Stripe's bracket convention: its spec says `style: deepObject, explode: true` per property."""
    deep = ("deepObject", True, False, None)
    body = rt.serialize.form(
        None,
        {
            "email": "jenny@example.com",
            "metadata": {"order_id": "6735"},
            "preferred_locales": ["en", "nl"],
            "items": [Item(price="price_1", quantity=2), {"price": "price_2", "quantity": 1}],
            "description": None,
        },
        None,
        {"metadata": deep, "preferred_locales": deep, "items": deep},
    )
    make_api(base_url=server.url).request(rt.RequestOptions(method="POST", path="/v1/customers", form=body))
    got = server.received[0]
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    assert unquote(got.body.decode()) == (
        "email=jenny@example.com&metadata[order_id]=6735&preferred_locales[0]=en&preferred_locales[1]=nl"
        "&items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2&items[1][quantity]=1"
    )
    assert got.body.startswith(b"email=jenny%40example.com&metadata%5Border_id%5D=6735&")


def test_form_body_default_and_json_encoded_properties(rt, server, make_api):
    body = rt.serialize.form(
        None,
        {"tags": ["a", "b"], "point": {"x": 1, "y": 2}, "meta": {"k": [1]}, "flag": True},
        None,
        {"point": ("form", False, False, None), "meta": ("form", True, False, "application/json")},
    )
    make_api(base_url=server.url).request(rt.RequestOptions(method="POST", path="/f", form=body))
    assert server.received[0].body == (
        b"tags=a&tags=b&point=x,1,y,2&meta=%7B%22k%22%3A%5B1%5D%7D&flag=true"
    )


def test_an_empty_form_is_no_body_and_no_content_type(rt, server, make_api):
    """Stripe's GETs declare a form body with no properties; nothing given is nothing sent."""
    for given in (None, {}):
        body = rt.serialize.form(given, {"expand": None}, None)
        assert body is None
        make_api(base_url=server.url).request(rt.RequestOptions(method="GET", path="/v1/balance", form=body))
    for got in server.received:
        assert got.body == b"" and "content-type" not in got.headers


class Scan(BaseModel):
    scan: bytes
    note: str | None = None


def test_multipart_bytes_in_a_body_model_are_a_file_part(rt, server, make_api):
    fields, files = rt.serialize.multipart(Scan(scan=b"%PDF", note="n"), {"scan": None, "note": None}, Scan)
    assert (fields, files) == ({"note": "n"}, {"scan": b"%PDF"})
    make_api(base_url=server.url).request(rt.RequestOptions(method="POST", path="/m", form=fields, files=files))
    raw = server.received[0].body
    assert b'name="scan"; filename="scan"\r\nContent-Type: application/octet-stream\r\n\r\n%PDF\r\n' in raw
    assert b'name="note"\r\n\r\nn\r\n' in raw


def test_multipart_without_a_file_is_still_multipart(rt, server, make_api):
    """Stripe's POST /v1/files types its file as a string: the fields alone must not go urlencoded."""
    fields, files = rt.serialize.multipart(None, {"purpose": "identity_document", "tags": ["a", "b"]}, None)
    assert files == {}
    make_api(base_url=server.url).request(rt.RequestOptions(method="POST", path="/m", form=fields, files=files))
    got = server.received[0]
    assert got.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="purpose"\r\n\r\nidentity_document\r\n' in got.body
    assert got.body.count(b'name="tags"\r\n\r\n') == 2


def test_multipart_nested_object_is_a_json_part_and_arrays_repeat(rt, server, make_api):
    fields, files = rt.serialize.multipart(
        None,
        {"file": b"%PDF", "tags": ["a", "b"], "meta": {"k": "v"}, "n": 3},
        None,
    )
    make_api(base_url=server.url).request(
        rt.RequestOptions(method="POST", path="/m", form=fields, files=files)
    )
    raw = server.received[0].body
    assert raw.count(b'name="tags"\r\n\r\n') == 2
    assert b'name="tags"\r\n\r\na\r\n' in raw and b'name="tags"\r\n\r\nb\r\n' in raw
    assert b'name="n"\r\n\r\n3\r\n' in raw
    assert b'name="meta"\r\nContent-Type: application/json\r\n\r\n{"k":"v"}\r\n' in raw
    assert b'name="file"; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n%PDF' in raw
