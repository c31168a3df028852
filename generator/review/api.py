"""Client impact: the public API diff of two generated client packages, read from their source.

Works on the rendered files (path -> source) with `ast`, so it sees exactly what a user of the
package sees: per sync resource class in <pkg>/resources/*.py its public methods and signatures,
per class in <pkg>/models.py its fields (annotation, required) or enum members. Nothing is imported
or executed.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.review.rules import Level


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # positional-only, positional, *args, keyword-only, **kwargs
    annotation: str | None
    has_default: bool


@dataclass(frozen=True)
class Method:
    params: tuple[Param, ...]
    returns: str | None


@dataclass(frozen=True)
class Field:
    annotation: str | None
    required: bool


@dataclass(frozen=True)
class Model:
    kind: str  # "model" or "enum"
    fields: dict[str, Field]  # models
    members: tuple[str, ...]  # enums: "NAME = value"


@dataclass
class Surface:
    methods: dict[str, Method]  # "client.invoices.create_invoice" -> signature
    models: dict[str, Model]  # "models.Invoice" -> fields


@dataclass(frozen=True)
class ApiChange:
    level: Level  # breaking when code written against the old package can stop working
    subject: str
    message: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"


_ENUM_BASES = {
    "Enum",
    "IntEnum",
    "StrEnum",
    "enum.Enum",
    "enum.IntEnum",
    "enum.StrEnum",
}


def is_api_file(path: PurePosixPath) -> bool:
    """Files that make up the public API: resource modules and the models."""
    if path.suffix != ".py":
        return False
    if path.parent.name == "resources":
        return not path.name.startswith("_")
    return path.name == "models.py" or path.parent.name == "models"


def surface(files: Mapping[PurePosixPath, str]) -> Surface:
    methods: dict[str, Method] = {}
    models: dict[str, Model] = {}
    for path, source in sorted(files.items()):
        if not is_api_file(path):
            continue
        if path.parent.name == "resources":
            methods.update(_resource_methods(path.stem, source))
        else:
            models.update(_models(source))
    return Surface(methods, models)


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _resource_methods(module: str, source: str) -> dict[str, Method]:
    tree = _parse(source)
    found: dict[str, Method] = {}
    if tree is None:
        return found
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.name.startswith(("_", "Async")):
            continue
        for node in cls.body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                found[f"client.{module}.{node.name}"] = _signature(node)
    return found


def _signature(fn: ast.FunctionDef) -> Method:
    args = fn.args
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        kind = "positional-only" if i < len(args.posonlyargs) else "positional"
        params.append(Param(arg.arg, kind, _src(arg.annotation), i >= first_default))
    if args.vararg:
        params.append(
            Param(args.vararg.arg, "*args", _src(args.vararg.annotation), True)
        )
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(
            Param(arg.arg, "keyword-only", _src(arg.annotation), default is not None)
        )
    if args.kwarg:
        params.append(
            Param(args.kwarg.arg, "**kwargs", _src(args.kwarg.annotation), True)
        )
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    return Method(tuple(params), _src(fn.returns))


def _src(node: ast.expr | None) -> str | None:
    return ast.unparse(node) if node is not None else None


def _models(source: str) -> dict[str, Model]:
    tree = _parse(source)
    found: dict[str, Model] = {}
    if tree is None:
        return found
    for cls in tree.body:
        if not isinstance(cls, ast.ClassDef) or cls.name.startswith("_"):
            continue
        bases = {ast.unparse(b) for b in cls.bases}
        if bases & _ENUM_BASES:
            members = tuple(
                f"{t.id} = {ast.unparse(node.value)}"
                for node in cls.body
                if isinstance(node, ast.Assign)
                for t in node.targets
                if isinstance(t, ast.Name) and not t.id.startswith("_")
            )
            found[f"models.{cls.name}"] = Model("enum", {}, members)
            continue
        fields: dict[str, Field] = {}
        for node in cls.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                name = node.target.id
                annotation = ast.unparse(node.annotation)
                if (
                    name.startswith("_")
                    or name == "model_config"
                    or annotation.startswith(("ClassVar", "typing.ClassVar"))
                ):
                    continue
                fields[name] = Field(annotation, _required(node.value))
        found[f"models.{cls.name}"] = Model("model", fields, ())
    return found


def _required(value: ast.expr | None) -> bool:
    """A pydantic field is required when it has no default: no value, or Field(...) without one."""
    if value is None:
        return True
    if (
        isinstance(value, ast.Call)
        and ast.unparse(value.func).split(".")[-1] == "Field"
    ):
        if value.args:
            return (
                isinstance(value.args[0], ast.Constant)
                and value.args[0].value is Ellipsis
            )
        keywords = {k.arg for k in value.keywords}
        return not keywords & {"default", "default_factory"}
    return False


def diff_surfaces(old: Surface, new: Surface) -> list[ApiChange]:
    changes: list[ApiChange] = []
    for name in sorted(old.methods.keys() - new.methods.keys()):
        changes.append(ApiChange(Level.BREAKING, name, "method removed"))
    for name in sorted(new.methods.keys() - old.methods.keys()):
        changes.append(
            ApiChange(
                Level.INFO, name, f"method added: ({_params_text(new.methods[name])})"
            )
        )
    for name in sorted(old.methods.keys() & new.methods.keys()):
        changes.extend(_method_changes(name, old.methods[name], new.methods[name]))
    for name in sorted(old.models.keys() - new.models.keys()):
        changes.append(
            ApiChange(Level.BREAKING, name, f"{old.models[name].kind} removed")
        )
    for name in sorted(new.models.keys() - old.models.keys()):
        changes.append(ApiChange(Level.INFO, name, f"{new.models[name].kind} added"))
    for name in sorted(old.models.keys() & new.models.keys()):
        changes.extend(_model_changes(name, old.models[name], new.models[name]))
    return sorted(changes, key=lambda c: (c.level.rank, c.subject, c.message))


def _params_text(method: Method) -> str:
    return ", ".join(p.name + ("=..." if p.has_default else "") for p in method.params)


def _method_changes(name: str, old: Method, new: Method) -> list[ApiChange]:
    out: list[ApiChange] = []
    a = {p.name: p for p in old.params}
    b = {p.name: p for p in new.params}
    for pname in [p.name for p in old.params if p.name not in b]:
        out.append(ApiChange(Level.BREAKING, name, f"parameter {pname} removed"))
    for p in new.params:
        if p.name not in a:
            level = (
                Level.INFO
                if p.has_default or p.kind in ("*args", "**kwargs")
                else Level.BREAKING
            )
            out.append(
                ApiChange(
                    level,
                    name,
                    f"parameter {p.name} added ({'optional' if level is Level.INFO else 'required'})",
                )
            )
    for pname in [p.name for p in old.params if p.name in b]:
        pa, pb = a[pname], b[pname]
        if pa.has_default and not pb.has_default:
            out.append(
                ApiChange(Level.BREAKING, name, f"parameter {pname} became required")
            )
        elif pb.has_default and not pa.has_default:
            out.append(
                ApiChange(Level.INFO, name, f"parameter {pname} became optional")
            )
        if pa.kind != pb.kind:
            out.append(
                ApiChange(
                    Level.BREAKING, name, f"parameter {pname}: {pa.kind} -> {pb.kind}"
                )
            )
        if pa.annotation != pb.annotation:
            out.append(
                ApiChange(
                    Level.BREAKING,
                    name,
                    f"parameter {pname}: type {pa.annotation} -> {pb.annotation}",
                )
            )
    positional = ("positional-only", "positional")
    both = {
        n
        for n in a.keys() & b.keys()
        if a[n].kind in positional and b[n].kind in positional
    }
    order_a = [p.name for p in old.params if p.name in both]
    order_b = [p.name for p in new.params if p.name in both]
    if order_a != order_b:
        out.append(
            ApiChange(
                Level.BREAKING,
                name,
                f"positional parameter order ({', '.join(order_a)}) -> ({', '.join(order_b)})",
            )
        )
    if old.returns != new.returns:
        out.append(
            ApiChange(
                Level.BREAKING, name, f"return type {old.returns} -> {new.returns}"
            )
        )
    return out


def _model_changes(name: str, old: Model, new: Model) -> list[ApiChange]:
    out: list[ApiChange] = []
    if old.kind != new.kind:
        return [ApiChange(Level.BREAKING, name, f"{old.kind} -> {new.kind}")]
    for member in old.members:
        if member not in new.members:
            out.append(ApiChange(Level.BREAKING, name, f"member {member} removed"))
    for member in new.members:
        if member not in old.members:
            out.append(ApiChange(Level.INFO, name, f"member {member} added"))
    for field in sorted(old.fields.keys() - new.fields.keys()):
        out.append(ApiChange(Level.BREAKING, f"{name}.{field}", "field removed"))
    for field in sorted(new.fields.keys() - old.fields.keys()):
        f = new.fields[field]
        level = Level.BREAKING if f.required else Level.INFO
        out.append(
            ApiChange(
                level,
                f"{name}.{field}",
                f"field added ({'required' if f.required else 'optional'}): {f.annotation}",
            )
        )
    for field in sorted(old.fields.keys() & new.fields.keys()):
        fa, fb = old.fields[field], new.fields[field]
        if fa.annotation != fb.annotation:
            out.append(
                ApiChange(
                    Level.BREAKING,
                    f"{name}.{field}",
                    f"type {fa.annotation} -> {fb.annotation}",
                )
            )
        if fa.required != fb.required:
            level = Level.BREAKING if fb.required else Level.INFO
            out.append(
                ApiChange(
                    level,
                    f"{name}.{field}",
                    f"became {'required' if fb.required else 'optional'}",
                )
            )
    return out
