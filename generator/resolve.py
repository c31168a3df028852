"""Fill the model's annotation text once the models module exists."""

from __future__ import annotations

import re

from generator.model import Api, Operation
from generator.schemas import (
    ModelSet,
    TypeResolver,
    misnamed_classes,
    model_classes,
    root_annotations,
)

_PEP440 = re.compile(r"^\d+(\.\d+)*((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")


def resolve_types(api: Api, models: ModelSet) -> dict[str, str | None]:
    """Fills the annotations; returns the schemas whose class the model generator misnamed
    (misnamed_classes), which are typed with their real class, or Any when none is found."""
    classes, public = model_classes(api.models_source)
    renamed = misnamed_classes(api.models_source, models)
    resolver = TypeResolver(models, classes, root_annotations(api.models_source, public), renamed)
    api.model_names = sorted(public)
    api.dist_version = api.version if _PEP440.match(api.version) else "0.0.0"
    for option in api.client_options:
        option.annotation = resolver.annotation(option.type)
    for resource in api.resources:
        for op in resource.operations:
            _operation(op, resolver)
    return renamed


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
