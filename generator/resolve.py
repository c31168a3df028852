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
    kinds = {r.kind for r in op.success}
    if "binary" in kinds:
        op.return_annotation, op.success_expr = "bytes", '"bytes"'
    elif "json" in kinds or "text" in kinds:
        parts: list[str] = []
        for response in op.success:
            text = response.annotation if response.kind == "json" else "str" if response.kind == "text" else ""
            if text and text not in parts:
                parts.append(text)
        if "_t.Any" in parts:
            parts = ["_t.Any"]
        union = " | ".join(parts)
        if "empty" in kinds and "_t.Any" not in parts:
            union += " | None"
        op.return_annotation = union
        op.success_expr = f"_TypeAdapter({union})"
    else:
        op.return_annotation, op.success_expr = "None", "None"
