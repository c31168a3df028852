"""Lazy iteration over every item of every page of a paginated operation (`x-pagination`).

Cursor style: the next page's query (cursor and the rest) is read from the URL at `next_url`;
only its query string is used, the request still goes to our base URL and the operation's path,
so credentials are never sent to a host the server names. Page style: `page_param` counts up from
`first_page` until the items seen reach `total`, or a page is empty.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Final, Generic, TypeVar

import httpx

from ._types import RequestOptions

__all__ = [
    "NOT_JSON",
    "AsyncPager",
    "CursorPagination",
    "Page",
    "PagePagination",
    "Pagination",
    "SyncPager",
]

T = TypeVar("T")

NOT_JSON: Final = object()
"""Handed to the item reader in place of the items when a page body does not parse."""

ItemReader = Callable[[httpx.Response, object, str], list[T]]
"""(response, the value at the items path or NOT_JSON, that path) -> the page's items. The
client's reader validates them, tolerantly unless strict mode is on."""


@dataclass(frozen=True, slots=True)
class CursorPagination:
    """Dotted wire paths into the body ("" is the body itself) and the query parameter names."""

    items: str
    cursor_param: str
    limit_param: str | None
    next_url: str
    max_limit: int | None = None


@dataclass(frozen=True, slots=True)
class PagePagination:
    """Dotted wire paths into the body ("" is the body itself) and the query parameter names."""

    items: str
    page_param: str
    size_param: str | None
    total: str | None
    first_page: int = 1


Pagination = CursorPagination | PagePagination


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page: its items, the cursor of the next page (cursor style), the total (when the
    body has one), the page number (page style) and the decoded JSON body."""

    items: list[T]
    next_cursor: str | None
    total: int | None
    raw: object
    number: int | None = None
    next_options: RequestOptions | None = field(default=None, repr=False, compare=False)

    @property
    def has_next_page(self) -> bool:
        return self.next_options is not None


def _dig(body: object, path: str) -> object:
    if not path:
        return body
    for key in path.split("."):
        if not isinstance(body, dict):
            return None
        body = body.get(key)
    return body


class _Walker(Generic[T]):
    """Turns responses into pages and pages into the next request; no I/O."""

    def __init__(self, options: RequestOptions, pagination: Pagination, items: ItemReader[T]):
        self._pagination = pagination
        self._items = items
        query = dict(options.query or {})
        if isinstance(pagination, PagePagination):
            if (
                query.get(pagination.page_param) is None
            ):  # the method passes page=None when not given
                query[pagination.page_param] = pagination.first_page
        elif pagination.limit_param and pagination.max_limit is not None:
            limit = query.get(pagination.limit_param)
            if isinstance(limit, int) and limit > pagination.max_limit:
                raise ValueError(
                    f"{pagination.limit_param} must be at most {pagination.max_limit}, got {limit}"
                )
        self.first = replace(options, query=query)

    def read(self, response: httpx.Response, options: RequestOptions, seen: int) -> Page[T]:
        """The page in `response` to the request `options`, after `seen` items."""
        pagination = self._pagination
        try:
            body: object = json.loads(response.content)
        except ValueError:
            body = NOT_JSON
        raw_items = body if body is NOT_JSON else _dig(body, pagination.items)
        items = self._items(response, [] if raw_items is None else raw_items, pagination.items)
        query = dict(options.query or {})
        next_query: dict[str, object] | None = None
        cursor: object = None
        total: int | None = None
        number: int | None = None
        if body is NOT_JSON:  # nothing to read the next page from
            pass
        elif isinstance(pagination, CursorPagination):
            next_query = self._cursor_query(query, _dig(body, pagination.next_url))
            cursor = next_query.get(pagination.cursor_param) if next_query else None
        else:
            number = int(str(query[pagination.page_param]))
            total = self._total(body, pagination)
            done = not items or (total is not None and seen + len(items) >= total)
            next_query = None if done else {**query, pagination.page_param: number + 1}
        next_options = replace(options, query=next_query) if next_query else None
        return Page(
            items=items,
            next_cursor=None if cursor is None else str(cursor),
            total=total,
            raw=response.text if body is NOT_JSON else body,
            number=number,
            next_options=next_options,
        )

    @staticmethod
    def _cursor_query(query: dict[str, object], next_url: object) -> dict[str, object] | None:
        if not isinstance(next_url, str) or not next_url:
            return None
        params = httpx.URL(next_url).params
        next_query = dict(query)
        for key in params:
            values = params.get_list(key)
            next_query[key] = values[0] if len(values) == 1 else values
        # A next link that leads back to the same request would loop forever.
        return None if next_query == query else next_query

    @staticmethod
    def _total(body: object, pagination: PagePagination) -> int | None:
        if pagination.total is None:
            return None
        total = _dig(body, pagination.total)
        if isinstance(total, bool):
            return None
        if isinstance(total, int):
            return total
        if isinstance(total, str) and total.isdigit():
            return int(total)
        return None


class SyncPager(Generic[T]):
    """Iterates every item of every page, fetching pages as they are needed."""

    def __init__(
        self,
        fetch: Callable[[RequestOptions], httpx.Response],
        options: RequestOptions,
        pagination: Pagination,
        items: ItemReader[T],
    ) -> None:
        self._fetch = fetch
        self._walker = _Walker(options, pagination, items)

    def pages(self) -> Iterator[Page[T]]:
        options: RequestOptions | None = self._walker.first
        seen = 0
        while options is not None:
            page = self._walker.read(self._fetch(options), options, seen)
            yield page
            seen += len(page.items)
            options = page.next_options

    def first_page(self) -> Page[T]:
        return self.read(self.first_response())

    def first_response(self) -> httpx.Response:
        """The HTTP response to the first page's request."""
        return self._fetch(self._walker.first)

    def read(self, first: httpx.Response) -> Page[T]:
        """The first page, from its response."""
        return self._walker.read(first, self._walker.first, 0)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items


class AsyncPager(Generic[T]):
    """`async for` over every item of every page, fetching pages as they are needed."""

    def __init__(
        self,
        fetch: Callable[[RequestOptions], Awaitable[httpx.Response]],
        options: RequestOptions,
        pagination: Pagination,
        items: ItemReader[T],
    ) -> None:
        self._fetch = fetch
        self._walker = _Walker(options, pagination, items)

    async def pages(self) -> AsyncIterator[Page[T]]:
        options: RequestOptions | None = self._walker.first
        seen = 0
        while options is not None:
            page = self._walker.read(await self._fetch(options), options, seen)
            yield page
            seen += len(page.items)
            options = page.next_options

    async def first_page(self) -> Page[T]:
        return self.read(await self.first_response())

    async def first_response(self) -> httpx.Response:
        """The HTTP response to the first page's request."""
        return await self._fetch(self._walker.first)

    def read(self, first: httpx.Response) -> Page[T]:
        """The first page, from its response."""
        return self._walker.read(first, self._walker.first, 0)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
