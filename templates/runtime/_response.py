"""Reading responses: decoding by media type, tolerant parsing into the declared types, drift
logging, and the raw-response wrapper.

Liberal in what it accepts: a 2xx body that does not match its schema is still returned, built
as far as it validates (typed where it validates, kept as sent where it does not, unknown fields
kept), and each mismatch is logged once per operation and field path. The server has already
acted by then; raising would invite a retry that duplicates the effect. Strict mode
(`strict_response_validation=True`) raises ResponseValidationError instead.
"""

from __future__ import annotations

import json
import logging
import threading
import types
import typing
from collections.abc import Mapping
from typing import Any, Generic, ParamSpec, TypeVar

import httpx
from pydantic import BaseModel, RootModel, TypeAdapter, ValidationError

from ._exceptions import ResponseValidationError, validation_summary
from ._lazy import Lazy, resolve
from ._pagination import AsyncPager, Page, SyncPager
from ._redact import Redactor
from ._types import ResponseSpec

__all__ = [
    "APIResponse",
    "DriftLog",
    "Reader",
    "adapter",
    "decode",
    "lenient",
    "raw",
    "raw_async",
    "raw_async_pages",
    "raw_pages",
]

T = TypeVar("T")
P = ParamSpec("P")

logger = logging.getLogger(__name__.rpartition(".")[0])

_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}
_NO_CONTENT = frozenset({204, 205, 304})


def adapter(tp: Any) -> TypeAdapter[Any]:
    """One TypeAdapter per declared type (building one costs far more than using it)."""
    try:
        found = _ADAPTERS.get(tp)
    except TypeError:  # an unhashable annotation: build it each time
        return TypeAdapter(tp)
    if found is None:
        found = _ADAPTERS[tp] = TypeAdapter(tp)
    return found


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.endswith(("/json", "+json"))


def decode(response: httpx.Response) -> object:
    """A body read by its media type: JSON decoded, text as str, anything else as bytes;
    None when empty. JSON that does not parse comes back as text."""
    content = response.content
    if not content:
        return None
    content_type = response.headers.get("content-type", "")
    if is_json(content_type) or not content_type:
        try:
            return json.loads(content)
        except ValueError:
            return response.text
    if content_type.lower().startswith("text/"):
        return response.text
    return content


# -- tolerant parsing -------------------------------------------------------------------------


def lenient(tp: Any, value: object) -> object:
    """`value` (decoded JSON) as `tp` as far as it validates: whatever validates is typed, a
    value of the wrong type is kept as sent, a missing field is None, unknown fields are kept.
    """
    try:
        return adapter(tp).validate_python(value)
    except ValidationError:
        return _build(tp, value)


def _build(tp: Any, value: object) -> object:
    """lenient() for a value already known not to validate as `tp`: built part by part."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        inner = typing.get_args(tp)[0]
        if any(isinstance(m, Lazy) for m in tp.__metadata__):
            inner = resolve(inner)  # the stand-ins of a lazy field (_lazy) as the models they name
        return lenient(inner, value)
    if origin is typing.Union or origin is types.UnionType:
        if value is None:
            return None
        member = _closest(typing.get_args(tp), value)
        return value if member is None else lenient(member, value)
    if origin is list and isinstance(value, list):
        (item,) = typing.get_args(tp) or (Any,)
        return [lenient(item, v) for v in value]
    if origin is dict and isinstance(value, dict):
        args = typing.get_args(tp)
        value_type = args[1] if len(args) == 2 else Any
        return {k: lenient(value_type, v) for k, v in value.items()}
    if isinstance(tp, type) and issubclass(tp, RootModel):
        return tp.model_construct(lenient(_fields(tp)["root"].annotation, value))
    if isinstance(tp, type) and issubclass(tp, BaseModel) and isinstance(value, dict):
        return _model(tp, value)
    return value


def _fields(cls: type[BaseModel]) -> dict[str, Any]:
    """The model's fields with their annotations evaluated: a model met only inside another's
    validator (which builds them all) has not completed its own yet, and holds forward references.
    """
    complete = getattr(cls, "__pydantic_fields_complete__", None)  # pydantic >= 2.11
    if not (cls.__pydantic_complete__ if complete is None else complete):
        cls.model_rebuild(raise_errors=False)
    return cls.model_fields


def _wire_keys(name: str, field: Any) -> tuple[str, ...]:
    alias = field.validation_alias if isinstance(field.validation_alias, str) else field.alias
    return (alias, name) if alias and alias != name else (name,)


def _model(cls: type[BaseModel], value: Mapping[str, object]) -> BaseModel:
    values: dict[str, object] = {}
    present: set[str] = set()
    used: set[str] = set()
    for name, field in _fields(cls).items():
        key = next((k for k in _wire_keys(name, field) if k in value), None)
        if key is None:
            values[name] = None  # a response model has no defaults to fill in
            continue
        used.add(key)
        present.add(name)
        field_type: Any = field.annotation
        if field.metadata:  # constraints (max_length...) live beside the annotation
            annotated: Any = typing.Annotated
            field_type = annotated[(field_type, *field.metadata)]
        values[name] = lenient(field_type, value[key])
    instance = cls.model_construct(_fields_set=present, **values)
    extra = {k: v for k, v in value.items() if k not in used}
    if extra:
        # model_construct drops unknown keys unless the model allows extras; keep them anyway.
        object.__setattr__(
            instance,
            "__pydantic_extra__",
            {**(instance.__pydantic_extra__ or {}), **extra},
        )
    return instance


def _closest(members: tuple[Any, ...], value: object) -> Any:
    """The union member a value was most likely meant to be, or None."""
    candidates = [m for m in members if m is not type(None)]
    if isinstance(value, list):
        return next((m for m in candidates if typing.get_origin(_bare(m)) is list), None)
    if not isinstance(value, dict):
        return None
    best, best_score = None, 0
    for member in candidates:
        bare = _bare(member)
        if isinstance(bare, type) and issubclass(bare, BaseModel):
            score = 0
            for name, field in _fields(bare).items():
                key = next((k for k in _wire_keys(name, field) if k in value), None)
                if key is None:
                    continue
                score += 1
                if typing.get_origin(field.annotation) is typing.Literal:
                    # a discriminator that matches decides; one that does not rules it out
                    score += 100 if value[key] in typing.get_args(field.annotation) else -100
        elif typing.get_origin(bare) is dict:
            score = 1
        else:
            continue
        if score > best_score:
            best, best_score = member, score
    return best


def _member(tp: Any, value: object) -> Any:
    """The union member `value` was most likely meant to be; `tp` itself when not a union or
    when no member is closer."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        found = _closest(typing.get_args(tp), value)
        return tp if found is None else _member(found, value)
    return tp


def _bare(tp: Any) -> Any:
    return typing.get_args(tp)[0] if typing.get_origin(tp) is typing.Annotated else tp


def _locations(error: ValidationError, where: str = "") -> list[tuple[str, str]]:
    """(field path, reason) of each mismatch; list indices collapse to [] so one drifted field
    of a 100-item list is one path."""
    found: dict[str, str] = {}
    for detail in error.errors(include_url=False, include_input=False, include_context=False):
        parts: list[str] = [where] if where else []
        for part in detail["loc"]:
            if isinstance(part, int):
                parts.append("[]")
            else:
                parts.append(("." if parts else "") + str(part))
        found.setdefault("".join(parts) or "(body)", detail["msg"])
    return list(found.items())


class DriftLog:
    """Logs each (operation, field path) mismatch once per client, at WARNING."""

    def __init__(self, redactor: Redactor) -> None:
        self._redactor = redactor
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def report(
        self, operation: str, response: httpx.Response, problems: list[tuple[str, str]]
    ) -> None:
        with self._lock:
            fresh = [(p, m) for p, m in problems if (operation, p) not in self._seen]
            self._seen.update((operation, p) for p, _ in fresh)
        if not fresh or not logger.isEnabledFor(logging.WARNING):
            return
        request = response.request
        for path, reason in fresh:
            logger.warning(
                "Response drift in %s (%s %s -> %d) at %s: %s; the value is kept as sent "
                "(strict_response_validation=True raises instead)",
                operation or "?",
                request.method,
                self._redactor.url(request.url),
                response.status_code,
                path,
                self._redactor.text(reason),
            )


class Reader(Generic[T]):
    """Reads the 2xx responses of one call: the body by the spec's `body` mode, JSON into the
    declared type, tolerantly unless `strict`."""

    def __init__(
        self, spec: ResponseSpec[T], strict: bool, drift: DriftLog, redactor: Redactor
    ) -> None:
        self.spec = spec
        self.strict = strict
        self._drift = drift
        self._redactor = redactor

    def body(self, response: httpx.Response) -> T:
        mode = self.spec.body
        if mode == "none":
            if response.content:  # undocumented: say so; with_raw_response still reads it
                self.problem(response, [("(body)", "a body arrived where none was documented")])
            return typing.cast(T, None)
        if mode == "bytes":
            return typing.cast(T, response.content)
        if mode == "text":
            return typing.cast(T, response.text if response.content else None)
        if mode == "any" or self.spec.success is None:
            return typing.cast(T, decode(response))
        return typing.cast(T, self._json(response))

    def _json(self, response: httpx.Response) -> object:
        content = response.content
        if not content:
            if response.status_code in _NO_CONTENT or self.spec.empty_ok:
                return None
            return self.problem(response, [("(body)", "empty body where JSON was documented")])
        if self.spec.text_ok and response.headers.get("content-type", "").lower().startswith(
            "text/"
        ):
            return response.text
        try:
            return adapter(self.spec.success).validate_json(content)
        except ValidationError:
            pass  # validated again from the decoded value below, for the tolerant build
        try:
            value = json.loads(content)
        except ValueError:
            return self.problem(response, [("(body)", "the body is not JSON")], value=response.text)
        return self.value(self.spec.success, value, response)

    def value(self, tp: Any, value: object, response: httpx.Response, where: str = "") -> Any:
        """Decoded JSON (found at dotted path `where` of the body) as `tp`."""
        try:
            return adapter(tp).validate_python(value)
        except ValidationError as exc:
            error = exc
        member = _member(tp, value)
        if member is tp:
            built = _build(tp, value)  # the whole failed already: build it part by part
        else:  # name the paths inside the member meant, not every member's
            try:
                built = adapter(member).validate_python(value)
            except ValidationError as exc:
                error = exc
                built = _build(member, value)
        return self.problem(response, _locations(error, where), error, built)

    def problem(
        self,
        response: httpx.Response,
        problems: list[tuple[str, str]],
        error: ValidationError | None = None,
        value: object = None,
    ) -> Any:
        """Raise ResponseValidationError when strict; else log the drift and return `value`."""
        if self.strict:
            request = response.request
            summary = (
                validation_summary(error) if error else "; ".join(f"{p}: {m}" for p, m in problems)
            )
            raise ResponseValidationError(
                f"Response to {request.method} {self._redactor.url(request.url)} "
                f"({response.status_code}) does not match its schema: {self._redactor.text(summary)}",
                response=response,
                body=response.content,
            ) from error
        self._drift.report(self.spec.operation, response, problems)
        return value


class APIResponse(Generic[T]):
    """What `with_raw_response` methods return: the status, the headers and the body, parsed on
    demand as the plain method would return it (`parse()`)."""

    def __init__(self, response: httpx.Response, parse: typing.Callable[[], T]) -> None:
        self.http_response = response
        self._parse = parse
        self._parsed: list[T] = []

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        return self.http_response.content

    @property
    def text(self) -> str:
        return self.http_response.text

    def json(self) -> Any:
        return self.http_response.json()

    def parse(self) -> T:
        """The body as the plain method returns it (tolerant unless strict mode is on)."""
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<APIResponse [{self.status_code}] {request.method} {request.url.path}>"


# The methods of `resource.with_raw_response` are the resource's own methods bound to the raw
# view of the client (BaseClient.with_raw_response), which returns APIResponse where the plain
# client returns the parsed body; these functions only restate their types for mypy and IDEs.


def raw(method: typing.Callable[P, T]) -> typing.Callable[P, APIResponse[T]]:
    return typing.cast(typing.Callable[P, APIResponse[T]], method)


def raw_async(
    method: typing.Callable[P, typing.Awaitable[T]],
) -> typing.Callable[P, typing.Awaitable[APIResponse[T]]]:
    return typing.cast(typing.Callable[P, typing.Awaitable[APIResponse[T]]], method)


def raw_pages(
    method: typing.Callable[P, SyncPager[T]],
) -> typing.Callable[P, APIResponse[Page[T]]]:
    """A paginated method's raw form answers with the first page's response."""
    return typing.cast(typing.Callable[P, APIResponse[Page[T]]], method)


def raw_async_pages(
    method: typing.Callable[P, AsyncPager[T]],
) -> typing.Callable[P, typing.Awaitable[APIResponse[Page[T]]]]:
    return typing.cast(typing.Callable[P, typing.Awaitable[APIResponse[Page[T]]]], method)
