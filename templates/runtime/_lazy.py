"""Lazily linked models, for the largest cycles of models (Stripe: 886 classes linked by
expandable fields such as `customer: str | Customer`).

A model of such a cycle lives in its own module, and a field that names a model of the cycle
defined elsewhere is annotated `Annotated[T, _lazy.LAZY]`; the module binds those names to
stand-ins (`ref`) that import nothing. The field validates with a validator of `T` built at its
first use, from the real classes: a model's validator covers its own fields, not the whole cycle,
and importing a model imports its module, not the cycle's. Validation results are those of `T`
(a union still picks its member as before); a value serializes by its own type.
"""

from __future__ import annotations

import importlib
import threading
import types
import typing
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

__all__ = ["LAZY", "Lazy", "ref", "resolve"]


class _Ref:
    """A stand-in for a model defined in a module not imported yet."""

    __specgen_ref__: typing.ClassVar[tuple[str, str, str]]

    @classmethod
    def target(cls) -> Any:
        package, module, name = cls.__specgen_ref__
        return getattr(importlib.import_module(module, package), name)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return handler(cls.target())  # only met outside a LAZY field: the real model, eagerly


def ref(package: str, module: str, name: str) -> type:
    """The stand-in for `name` of `module` (relative to `package`)."""
    return type(name, (_Ref,), {"__specgen_ref__": (package, module, name), "__module__": package})


def resolve(tp: Any) -> Any:
    """`tp` with its stand-ins replaced by the models they stand for."""
    if isinstance(tp, type):
        return tp.target() if issubclass(tp, _Ref) else tp
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is None or not args or origin is typing.Literal:
        return tp
    if origin is typing.Annotated:
        annotated: Any = typing.Annotated
        return annotated[(resolve(args[0]), *tp.__metadata__)]
    resolved = tuple(resolve(a) for a in args)
    if origin is typing.Union or origin is types.UnionType:
        union: Any = typing.Union
        return union[resolved]
    return origin[resolved] if isinstance(tp, types.GenericAlias) else tp.copy_with(resolved)


def _once(schema: Any, seen: set[str]) -> Any:
    """`schema` with each model already met in this JSON schema replaced by a reference to its
    definition: a cycle of lazy fields would otherwise be walked forever."""
    if isinstance(schema, list):
        return [_once(s, seen) for s in schema]
    if not isinstance(schema, dict):
        return schema
    if schema.get("type") == "model" and isinstance(schema.get("ref"), str):
        if schema["ref"] in seen:
            return core_schema.definition_reference_schema(schema["ref"])
        seen.add(schema["ref"])
        return schema
    return {k: v if k == "definitions" else _once(v, seen) for k, v in schema.items()}


class Lazy:
    """The marker of a lazily validated field (`LAZY`)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        built: list[TypeAdapter[Any]] = []
        lock = threading.Lock()

        def adapter() -> TypeAdapter[Any]:
            if not built:
                with lock:
                    if not built:
                        built.append(TypeAdapter(resolve(source)))
            return built[0]

        def validate(value: Any, info: core_schema.ValidationInfo) -> Any:
            # the validator itself: TypeAdapter.validate_python's own checks cost as much again
            return adapter().validator.validate_python(value, context=info.context)

        def json_schema(schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
            generator = getattr(handler, "generate_json_schema", handler)
            seen: set[str] = generator.__dict__.setdefault("_specgen_lazy_models", set())
            return handler(typing.cast(CoreSchema, _once(adapter().core_schema, seen)))

        return core_schema.with_info_plain_validator_function(
            validate, metadata={"pydantic_js_functions": [json_schema]}
        )

    @staticmethod
    def resolve(tp: Any) -> Any:
        return resolve(tp)

    def __repr__(self) -> str:
        return "LAZY"


LAZY = Lazy()
