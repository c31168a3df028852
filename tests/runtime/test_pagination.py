"""Cursor and page pagination over a real server: every item once, in order, lazily, and stop."""

from __future__ import annotations

import logging

import pytest
from pydantic import BaseModel

from .server import Received, Reply

ITEMS = [{"id": f"i{n}", "n": n} for n in range(1, 8)]  # 7 items: pages of 3, 3, 1


class Item(BaseModel):
    id: str
    n: int


def cursor_route(next_host: str = "https://elsewhere.example.com/v2"):
    """Notify-style pages: {"data": [...], "links": {"next": {"href": ...} | null}}."""

    def route(received: Received) -> Reply:
        start = int(received.query.get("from", ["0"])[0])
        limit = int(received.query.get("limit", ["3"])[0])
        chunk = ITEMS[start : start + limit]
        end = start + len(chunk)
        # The server names another host: only the query string of the link may be used.
        href = f"{next_host}/customers?from={end}&limit={limit}" if end < len(ITEMS) else None
        return Reply(body={"data": chunk, "links": {"next": {"href": href} if href else None}})

    return route


def page_route(with_total: bool = True):
    """PaymentIntegrations-style pages: {"data": [...], "total": 7}."""

    def route(received: Received) -> Reply:
        page = int(received.query["page"][0])
        size = int(received.query.get("pageSize", ["3"])[0])
        body: dict[str, object] = {"data": ITEMS[(page - 1) * size : page * size]}
        if with_total:
            body["total"] = len(ITEMS)
        return Reply(body=body)

    return route


def cursor_config(rt):
    return rt.CursorPagination(items="data", cursor_param="from", limit_param="limit", next_url="links.next.href", max_limit=250)


def page_config(rt, total="total"):
    return rt.PagePagination(items="data", page_param="page", size_param="pageSize", total=total)


def test_cursor_pagination_yields_every_item_once_in_order_and_stops(rt, server, make_api):
    server.route = cursor_route()
    api = make_api(base_url=server.url + "/v2", auth_query={"api_key": "k-123"})
    options = rt.RequestOptions(method="GET", path="/customers", query={"limit": 3, "sort": "desc"})
    items = api.items(options, cursor_config(rt), rt.ResponseSpec(success=Item))
    assert [item.n for item in items] == list(range(1, 8))
    assert all(isinstance(item, Item) for item in items)
    assert len(server.received) == 3
    # Every page went to our base URL and path, with our key, the kept filters and the link's cursor.
    assert [r.path for r in server.received] == ["/v2/customers"] * 3
    assert [r.query.get("from") for r in server.received] == [None, ["3"], ["6"]]
    assert all(r.query["api_key"] == ["k-123"] and r.query["sort"] == ["desc"] for r in server.received)


def test_cursor_pages_expose_cursor_and_raw_body(rt, server, make_api):
    server.route = cursor_route()
    api = make_api(base_url=server.url)
    options = rt.RequestOptions(method="GET", path="/customers", query={"limit": 3})
    pages = api.pages(options, cursor_config(rt), rt.ResponseSpec(success=Item))
    assert [len(p.items) for p in pages] == [3, 3, 1]
    assert [p.next_cursor for p in pages] == ["3", "6", None]
    assert [p.has_next_page for p in pages] == [True, True, False]
    assert pages[0].raw["links"]["next"]["href"].endswith("from=3&limit=3")
    assert pages[0].total is None


def test_pager_is_lazy(rt, server, make_api):
    server.route = cursor_route()
    api = make_api(base_url=server.url)
    options = rt.RequestOptions(method="GET", path="/customers", query={"limit": 3})
    assert len(api.items(options, cursor_config(rt), rt.ResponseSpec(success=Item), limit=2)) == 2
    assert len(server.received) == 1
    first = api.first_page(options, cursor_config(rt), rt.ResponseSpec(success=Item))
    assert [i.n for i in first.items] == [1, 2, 3]
    assert len(server.received) == 2


@pytest.mark.parametrize("last_link", [None, "", {"missing": True}])
def test_cursor_stops_on_absent_null_or_empty_link(rt, server, make_api, last_link):
    links = {"next": {"href": last_link}} if last_link != {"missing": True} else {}
    server.reply(Reply(body={"data": [ITEMS[0]], "links": links}), Reply(body={"data": [ITEMS[1]]}))
    api = make_api(base_url=server.url)
    items = api.items(rt.RequestOptions(method="GET", path="/c"), cursor_config(rt), rt.ResponseSpec(success=Item))
    assert [i.n for i in items] == [1]
    assert len(server.received) == 1


def test_cursor_link_back_to_the_same_page_does_not_loop(rt, server, make_api):
    server.route = lambda r: Reply(body={"data": [ITEMS[0]], "links": {"next": {"href": "/c?from=x"}}})
    api = make_api(base_url=server.url)
    items = api.items(rt.RequestOptions(method="GET", path="/c"), cursor_config(rt), rt.ResponseSpec(success=Item))
    assert len(items) == 2  # the first page, then the linked one, which links to itself
    assert len(server.received) == 2


def test_cursor_limit_above_max_is_refused_before_any_request(rt, server, make_api):
    api = make_api(base_url=server.url)
    with pytest.raises(ValueError, match="at most 250"):
        api.items(rt.RequestOptions(method="GET", path="/c", query={"limit": 251}), cursor_config(rt), rt.ResponseSpec(success=Item))
    assert server.received == []


def test_page_pagination_stops_at_total(rt, server, make_api):
    server.route = page_route()
    api = make_api(base_url=server.url)
    options = rt.RequestOptions(method="GET", path="/invoices", query={"pageSize": 3})
    pages = api.pages(options, page_config(rt), rt.ResponseSpec(success=Item))
    assert [i.n for p in pages for i in p.items] == list(range(1, 8))
    assert [p.number for p in pages] == [1, 2, 3]
    assert [p.total for p in pages] == [7, 7, 7]
    assert [r.query["page"] for r in server.received] == [["1"], ["2"], ["3"]]


def test_page_pagination_without_total_stops_at_empty_page(rt, server, make_api):
    server.route = page_route(with_total=False)
    api = make_api(base_url=server.url)
    options = rt.RequestOptions(method="GET", path="/invoices", query={"pageSize": 3})
    items = api.items(options, page_config(rt, total=None), rt.ResponseSpec(success=Item))
    assert [i.n for i in items] == list(range(1, 8))
    assert len(server.received) == 4  # the fourth page is empty


def test_page_pagination_from_first_page_zero_and_body_as_list(rt, server, make_api):
    def route(received: Received) -> Reply:
        page = int(received.query["p"][0])
        return Reply(body=ITEMS[page * 4 : page * 4 + 4])

    server.route = route
    api = make_api(base_url=server.url)
    config = rt.PagePagination(items="", page_param="p", size_param=None, total=None, first_page=0)
    items = api.items(rt.RequestOptions(method="GET", path="/x"), config, rt.ResponseSpec(success=Item))
    assert [i.n for i in items] == list(range(1, 8))
    assert [r.query["p"] for r in server.received] == [["0"], ["1"], ["2"]]


def test_page_items_not_matching_schema_raise_in_strict_mode(rt, server, make_api):
    server.reply(Reply(body={"data": [{"id": "x", "n": "many"}], "total": 1}))
    api = make_api(base_url=server.url, strict_response_validation=True)
    with pytest.raises(rt.ResponseValidationError) as caught:
        api.items(rt.RequestOptions(method="GET", path="/x"), page_config(rt), rt.ResponseSpec(success=Item))
    assert b'"many"' in caught.value.body
    assert "many" not in str(caught.value)


def test_page_items_not_matching_schema_are_kept_and_logged(rt, server, make_api, caplog):
    server.route = lambda r: Reply(
        body={"data": [{"id": "a", "n": 1}, {"id": "b", "n": "many", "new": True}, {"n": 3}], "total": 3}
    )
    api = make_api(base_url=server.url)
    with caplog.at_level(logging.WARNING, logger="rtpkg"):
        items = api.items(rt.RequestOptions(method="GET", path="/x"), page_config(rt), rt.ResponseSpec(operation="listX", success=Item))
    assert [type(i) for i in items] == [Item, Item, Item]
    assert [(i.id, i.n) for i in items] == [("a", 1), ("b", "many"), (None, 3)]
    assert items[1].new is True and items[1].model_extra == {"new": True}
    drift = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("listX" in m and "data[].n" in m for m in drift), drift
    assert any("listX" in m and "data[].id" in m for m in drift), drift
    # Per-call strictness overrides the client's default.
    with pytest.raises(rt.ResponseValidationError):
        api.items(
            rt.RequestOptions(method="GET", path="/x", strict_response_validation=True),
            page_config(rt),
            rt.ResponseSpec(success=Item),
        )


def test_page_body_without_item_list_raises_in_strict_mode(rt, server, make_api):
    server.reply(Reply(body={"data": {"not": "a list"}}))
    api = make_api(base_url=server.url, strict_response_validation=True)
    with pytest.raises(rt.ResponseValidationError, match="data: not a list"):
        api.items(rt.RequestOptions(method="GET", path="/x"), page_config(rt), rt.ResponseSpec(success=Item))


def test_page_body_without_item_list_ends_iteration_with_a_warning(rt, server, make_api, caplog):
    server.reply(Reply(body={"data": {"not": "a list"}, "total": 9}))
    api = make_api(base_url=server.url)
    with caplog.at_level(logging.WARNING, logger="rtpkg"):
        items = api.items(rt.RequestOptions(method="GET", path="/x"), page_config(rt), rt.ResponseSpec(success=Item))
    assert items == []
    assert len(server.received) == 1
    assert any("at data: not a list" in r.getMessage() for r in caplog.records)


def test_page_error_status_raises_status_error(rt, server, make_api, fast_backoff):
    server.route = lambda r: Reply(status=404, body={"title": "gone"})
    api = make_api(base_url=server.url)
    with pytest.raises(rt.NotFoundError):
        api.items(rt.RequestOptions(method="GET", path="/x"), page_config(rt), rt.ResponseSpec(success=Item))
