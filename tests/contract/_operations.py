"""The contract cases: every operation of every curated spec, the generated method that calls it,
and its arguments built from the spec's own examples (or schema-conforming values)."""

from __future__ import annotations

import asyncio
import base64
import functools
import importlib
import inspect
import re
import sys
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import ModuleType

import yaml  # type: ignore[import-untyped, unused-ignore]
from pydantic import TypeAdapter

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
GENERATED = ROOT / "generated"
STEMS = ("notalkpayments", "novicap", "invisible_collector", "payment_integrations", "notify")
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Arguments every generated method takes that are not operation parameters.
CALL_OPTIONS = {"self", "body", "extra_headers", "extra_query", "timeout", "max_retries"}
API_KEY = "test"
_WIRE_TYPES = {"date-dmy": "DMYDate", "decimal-2dp": "Decimal2dp"}


class HarnessError(AssertionError):
    """The spec or the generated package lacks something the contract harness needs."""


@dataclass(frozen=True)
class Case:
    stem: str
    operation_id: str
    method: str
    path: str
    parameters: tuple[dict[str, t.Any], ...]
    body_media_type: str | None = None
    body_example: t.Any = field(default=None, compare=False)
    # Media types of the 2xx responses that have a body.
    success_media_types: tuple[str, ...] = ()
    pagination: dict[str, t.Any] | None = field(default=None, compare=False)
    # The body schema's x-file-upload: the method takes the file, not its base64 content.
    file_upload: dict[str, str] | None = field(default=None, compare=False)
    body_properties: dict[str, t.Any] = field(default_factory=dict, compare=False)

    @property
    def id(self) -> str:
        return f"{self.stem}-{self.operation_id}"


@cache
def spec(stem: str) -> dict[str, t.Any]:
    with (SPECS / f"{stem}.yaml").open(encoding="utf-8") as handle:
        data: dict[str, t.Any] = yaml.load(
            handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    return data


def resolve(document: dict[str, t.Any], node: t.Any) -> t.Any:
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            raise HarnessError(f"only local $refs are supported, got {ref!r}")
        target: t.Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _parameters(document: dict[str, t.Any], *lists: list[t.Any]) -> tuple[dict[str, t.Any], ...]:
    merged: dict[tuple[str, str], dict[str, t.Any]] = {}
    for entries in lists:
        for entry in entries:
            parameter = resolve(document, entry)
            merged[(parameter["name"], parameter["in"])] = parameter
    return tuple(merged.values())


def _example(document: dict[str, t.Any], holder: dict[str, t.Any]) -> tuple[bool, t.Any]:
    if "example" in holder:
        return True, holder["example"]
    examples = holder.get("examples")
    if isinstance(examples, dict) and examples:
        first = resolve(document, next(iter(examples.values())))
        if "value" in first:
            return True, first["value"]
    return False, None


def cases(stem: str) -> list[Case]:
    document = spec(stem)
    found = []
    for path, item in document.get("paths", {}).items():
        item = resolve(document, item)
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            media_type, example, upload, properties = None, None, None, {}
            body = resolve(document, operation.get("requestBody"))
            if body:
                media_type, content = next(iter(body["content"].items()))
                has_example, example = _example(document, content)
                if not has_example:
                    raise HarnessError(
                        f"{stem} {operation['operationId']}: request body has no example"
                    )
                schema = resolve(document, content.get("schema") or {})
                upload = schema.get("x-file-upload")
                properties = schema.get("properties") or {}
            success = tuple(
                media
                for status, response in operation.get("responses", {}).items()
                if str(status).startswith("2")
                for media in (resolve(document, response).get("content") or {})
            )
            found.append(
                Case(
                    stem=stem,
                    operation_id=operation["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=_parameters(
                        document, item.get("parameters", []), operation.get("parameters", [])
                    ),
                    body_media_type=media_type,
                    body_example=example,
                    success_media_types=success,
                    pagination=operation.get("x-pagination"),
                    file_upload=upload,
                    body_properties=properties,
                )
            )
    return found


def all_cases() -> list[Case]:
    return [case for stem in STEMS for case in cases(stem)]


def package(stem: str) -> ModuleType:
    """The generated package, imported from generated/<stem>/ (not installed)."""
    folder = GENERATED / stem
    if str(folder) not in sys.path:
        # Appended, not prepended: generated/<stem>/ also holds a `tests` folder, which must not
        # shadow the repository's own `tests` for imports such as `tests.conftest`.
        sys.path.append(str(folder))
    module = importlib.import_module(f"{stem}_client")
    if not Path(module.__file__ or "").resolve().is_relative_to(folder):
        raise HarnessError(f"{stem}_client was imported from {module.__file__}, not {folder}")
    return module


def client_class(stem: str) -> type[t.Any]:
    module = package(stem)
    names = [n for n in module.__all__ if n.endswith("Client") and not n.startswith("Async")]
    if len(names) != 1:
        raise HarnessError(f"{stem}_client: expected one sync client class, found {names}")
    cls: type[t.Any] = getattr(module, names[0])
    return cls


def auth_schemes(stem: str) -> tuple[str, ...]:
    """The values of the client's `auth_scheme` argument; () when it has a single scheme."""
    hint = t.get_type_hints(client_class(stem).__init__).get("auth_scheme")
    return t.get_args(hint) if hint is not None else ()


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _argument(names: t.Iterable[str], parameter: dict[str, t.Any], where: str) -> str:
    matches = [name for name in names if _key(name) == _key(parameter["name"])]
    if len(matches) != 1:
        raise HarnessError(
            f"{where}: no single argument for {parameter['in']} parameter "
            f"{parameter['name']!r} (candidates {matches})"
        )
    return matches[0]


def sample(document: dict[str, t.Any], schema: t.Any, where: str) -> t.Any:
    """A wire value that conforms to `schema`: its own example, default or first enum member,
    else a plain value of its type and format."""
    schema = resolve(document, schema or {})
    for key in ("example", "default", "const"):
        if key in schema:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "string":
        if "pattern" in schema:
            raise HarnessError(f"{where}: a string with a pattern needs an example")
        by_format = {
            "date": "2024-01-31",
            "date-time": "2024-01-31T12:30:00Z",
            "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
            "email": "contract@example.com",
        }
        text = by_format.get(schema.get("format", ""), "contract")
        return text[: schema["maxLength"]] if "maxLength" in schema else text
    if kind in ("integer", "number"):
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0) + 1)
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return True
    raise HarnessError(f"{where}: cannot make a value for schema {schema!r}")


def wire_value(document: dict[str, t.Any], parameter: dict[str, t.Any], where: str) -> t.Any:
    has_example, example = _example(document, parameter)
    return example if has_example else sample(document, parameter.get("schema"), where)


def _python(module: ModuleType, hint: t.Any, value: t.Any, schema: dict[str, t.Any]) -> t.Any:
    """The Python argument for a wire value: the type the generated method declares."""
    wire_format = schema.get("x-wire-format")
    if wire_format is not None:
        return TypeAdapter(getattr(module._wire, _WIRE_TYPES[wire_format])).validate_python(value)
    return TypeAdapter(hint).validate_python(value)


def client_options(stem: str) -> dict[str, t.Any]:
    """Constructor arguments for the x-client-option parameters (Novicap's product_id, ...)."""
    document = spec(stem)
    module = package(stem)
    init = client_class(stem).__init__
    hints = t.get_type_hints(init)
    names = list(inspect.signature(init).parameters)
    options: dict[str, t.Any] = {}
    for case in cases(stem):
        for parameter in case.parameters:
            if parameter.get("x-client-option"):
                name = _argument(names, parameter, f"{stem} client")
                schema = resolve(document, parameter.get("schema", {}))
                value = wire_value(document, parameter, f"{stem} client option {name}")
                options[name] = _python(module, hints[name], value, schema)
    return options


def bound_method(client: t.Any, case: Case) -> t.Any:
    """The client method of `case`: the one method of any resource documenting its method and path
    (method names follow the resource, not the operationId: `customers.create`)."""
    marker = f"`{case.method} {case.path}`"
    found = []
    resources = [n for n, v in vars(type(client)).items() if isinstance(v, functools.cached_property)]
    for resource_name in resources:
        resource = getattr(client, resource_name, None)
        for name in (n for n in vars(type(resource)) if not n.startswith("_")):
            method = getattr(resource, name)
            if callable(method) and marker in (method.__doc__ or ""):
                found.append(method)
    if len(found) != 1:
        raise HarnessError(f"{case.id}: expected one method documenting {marker}, found {len(found)}")
    return found[0]


def arguments(method: t.Any, case: Case) -> tuple[list[t.Any], dict[str, t.Any]]:
    """Arguments (positional-only ones in order, then keywords) for every parameter that is not
    a client option, and body= the request example."""
    document = spec(case.stem)
    module = package(case.stem)
    hints = type_hints(method)
    signature = inspect.signature(method).parameters
    names = [n for n in signature if n not in CALL_OPTIONS]
    kwargs: dict[str, t.Any] = {}
    for parameter in case.parameters:
        if parameter.get("x-client-option"):
            continue
        name = _argument(names, parameter, case.id)
        value = wire_value(document, parameter, f"{case.id} {parameter['name']}")
        schema = resolve(document, parameter.get("schema", {}))
        kwargs[name] = _python(module, hints[name], value, schema)
    if case.body_media_type is not None:
        if "json" not in case.body_media_type:
            raise HarnessError(
                f"{case.id}: request media type {case.body_media_type} is not supported"
            )
        if case.file_upload is not None:
            kwargs.update(_upload_arguments(module, hints, names, case))
        elif "body" not in hints:
            raise HarnessError(f"{case.id}: the method takes no body= argument")
        else:
            kwargs["body"] = TypeAdapter(hints["body"]).validate_python(case.body_example)
    positional = [n for n, p in signature.items() if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    return [kwargs.pop(n) for n in positional], kwargs


def _is_file_input(module: ModuleType, hint: t.Any) -> bool:
    wanted = set(t.get_args(module._types.FileInput))
    return set(t.get_args(hint)) - {type(None)} == wanted


def _upload_arguments(
    module: ModuleType, hints: dict[str, t.Any], names: list[str], case: Case
) -> dict[str, t.Any]:
    """Keyword arguments for an x-file-upload body: the example's base64 content decoded and
    passed as the file (bytes), its file name and media type, and every other field."""
    upload = case.file_upload or {}
    example = case.body_example
    if not isinstance(example, dict):
        raise HarnessError(f"{case.id}: an x-file-upload request example must be an object")
    files = [n for n in names if n in hints and _is_file_input(module, hints[n])]
    if len(files) != 1:
        raise HarnessError(f"{case.id}: x-file-upload needs one file argument, found {files}")
    kwargs: dict[str, t.Any] = {files[0]: base64.b64decode(example[upload["content"]])}
    others = [n for n in names if n != files[0]]
    for key, value in example.items():
        if key == upload["content"]:
            continue
        name = _argument(others, {"name": key, "in": "body"}, case.id)
        schema = resolve(spec(case.stem), case.body_properties.get(key) or {})
        kwargs[name] = _python(module, hints[name], value, schema)
    return kwargs


class _Models(Mapping[str, t.Any]):
    """A resource module's model names, for get_type_hints: the module imports them only for type
    checkers (and each call imports what it needs), so they are looked up in its package's models."""

    def __init__(self, function: t.Any) -> None:
        self.models = importlib.import_module(function.__module__.rsplit(".resources.", 1)[0] + ".models")

    def __getitem__(self, name: str) -> t.Any:
        try:
            return getattr(self.models, name)
        except AttributeError:
            raise KeyError(name) from None

    def __iter__(self) -> t.Iterator[str]:
        return iter(self.models.__all__)

    def __len__(self) -> int:
        return len(self.models.__all__)


def type_hints(method: t.Any) -> dict[str, t.Any]:
    function = getattr(method, "__func__", method)
    return t.get_type_hints(function, localns=_Models(function))


def return_type(method: t.Any) -> t.Any:
    return type_hints(method)["return"]


def call(case: Case, kind: str = "sync", per_call: dict[str, t.Any] | None = None, **client: t.Any) -> t.Any:
    """Call `case`'s method with its example arguments on a new sync or async client of its
    package (`client`: constructor arguments beside the key, no rate limit and no retries)."""
    options = {"api_key": API_KEY, "rate_limit": None, "max_retries": 0, **client_options(case.stem), **client}
    extra = per_call or {}
    if kind == "sync":
        with client_class(case.stem)(**options) as sync_client:
            method = bound_method(sync_client, case)
            args, kwargs = arguments(method, case)
            return method(*args, **kwargs, **extra)

    async def run() -> t.Any:
        async_class = getattr(package(case.stem), "Async" + client_class(case.stem).__name__)
        async with async_class(**options) as async_client:
            method = bound_method(async_client, case)
            args, kwargs = arguments(method, case)
            return await method(*args, **kwargs, **extra)

    return asyncio.run(run())
