"""Fill the model's annotation text once the models module exists."""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from generator.model import Api, Operation
from generator.render import STRING_LITERAL
from generator.schemas import (
    ClassFields,
    ModelSet,
    TypeResolver,
    class_shapes,
    misnamed_classes,
    model_classes,
    root_annotations,
)


def dist_version(info_version: str) -> str:
    """The package version: info.version normalised by PEP 440 (`v2` -> `2`, `1.0` -> `1.0`), or
    0.0.0 when it is no version at all (`2023-10-16`, `latest`)."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(info_version.strip()))
    except InvalidVersion:
        return "0.0.0"


@contextmanager
def _acyclic() -> Iterator[None]:
    """Without the cyclic garbage collector: the models' source is parsed below, and its ast nodes,
    in no reference cycle, are freed by their reference counts, while the collector would walk them
    again and again as they are built (GitHub: 0.3 s of 2.5 s of rendering)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def resolve_types(
    api: Api, models: ModelSet, cache_dir: Path | None = None
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """Fills the annotations. Returns the schemas whose class the model generator misnamed
    (misnamed_classes), which are typed with their real class, or Any when none is found; and the
    (class, property) of each body argument typed as its model's field, and left Any because the
    class has no such field. `cache_dir` keeps what the models module's unchanged parts hold
    (class_shapes)."""
    with _acyclic():
        return _resolve_types(api, models, cache_dir)


def _resolve_types(
    api: Api, models: ModelSet, cache_dir: Path | None
) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    shapes = class_shapes(api.models_source, cache_dir)
    classes, public = model_classes(shapes)
    renamed = misnamed_classes(shapes, models)
    fields = ClassFields(api.models_source, public)
    resolver = TypeResolver(models, classes, root_annotations(shapes, public), renamed, fields)
    api.model_names = sorted(public)
    api.dist_version = dist_version(api.version)
    for option in api.client_options:
        option.annotation = resolver.annotation(option.type)
    for resource in api.resources:
        for op in resource.operations:
            _operation(op, resolver)
        if any(op.py_name == "list" for op in resource.operations):
            for op in resource.operations:
                _shadow_list(op)
    api.models_source = resolver.literal_aliases(api.models_source)
    api.model_names = sorted([*api.model_names, *(alias for alias, _ in resolver.aliases.values())])
    return renamed, list(resolver.unresolved)


_LIST = re.compile(r"(?<![\w.])list\[")


def _shadow_list(op: Operation) -> None:
    """A resource with a `list` method: inside its class body `list[...]` names the method (mypy:
    not valid as a type), so annotations spell the builtin out."""

    def fix(text: str) -> str:
        # string literals (an enum's plain values) stay as they are
        pieces = re.split(f"({STRING_LITERAL.pattern})", text)
        return "".join(p if i % 2 else _LIST.sub("_builtins.list[", p) for i, p in enumerate(pieces))

    for param in op.params:
        param.annotation = fix(param.annotation)
    for body_field in op.body.fields if op.body else []:
        body_field.annotation = fix(body_field.annotation)
    if op.body is not None:
        op.body.annotation = fix(op.body.annotation)
    for response in op.success + op.errors:
        response.annotation = fix(response.annotation)
    if op.pagination is not None:
        op.pagination.item_annotation = fix(op.pagination.item_annotation)
    op.return_annotation = fix(op.return_annotation)
    op.success_type = fix(op.success_type)


def _operation(op: Operation, resolver: TypeResolver) -> None:
    for param in op.params:
        param.annotation = resolver.input_annotation(param.type)
    if op.body is not None:
        op.body.annotation = resolver.annotation(op.body.type)
        if op.body.model is not None and op.body.model not in resolver.classes:
            op.body.model = None
        for body_field in op.body.fields:
            body_field.annotation = resolver.input_annotation(body_field.type)
    for response in op.success + op.errors:
        if response.type is not None:
            response.annotation = resolver.annotation(response.type)
    if op.pagination is not None:
        op.pagination.item_annotation = resolver.annotation(op.pagination.item_type)
    media = list(dict.fromkeys(r.media_type for r in op.success + op.errors if r.media_type))
    if media and media != ["application/json"]:
        # Servers negotiate on Accept: a blanket application/json gets 406 from a HAL or PDF API.
        op.accept = ", ".join(media)
    _success(op)


# Statuses whose response never has a body; any other success without content is untyped.
_NO_CONTENT = frozenset({"204", "205", "304"})


def _success(op: Operation) -> None:
    """The return annotation and how the runtime reads the 2xx body (ResponseSpec)."""
    kinds = {r.kind for r in op.success}
    untyped = any(r.kind == "empty" and r.status not in _NO_CONTENT for r in op.success)
    if "binary" in kinds:
        op.return_annotation, op.response_body = "bytes", "bytes"
    elif "json" in kinds:
        parts = list(dict.fromkeys(r.annotation for r in op.success if r.kind == "json"))
        typed = "_t.Any" not in parts
        op.response_body = "json"
        op.success_type = " | ".join(parts) if typed else "None"
        op.text_ok = "text" in kinds
        op.empty_ok = "empty" in kinds
        union = " | ".join(parts + ["str"] * op.text_ok + ["None"] * op.empty_ok)
        op.return_annotation = union if typed and not untyped else "_t.Any"
    elif "text" in kinds:
        op.response_body = "text"
        op.return_annotation = "str | None" if "empty" in kinds else "str"
    elif untyped:
        # Documented without content: the body is still returned, decoded by its media type.
        op.return_annotation, op.response_body = "_t.Any", "any"
    else:
        op.return_annotation, op.response_body = "None", "none"
    if op.pagination is not None:  # the pager reads each item
        op.response_body, op.success_type = "json", op.pagination.item_annotation
