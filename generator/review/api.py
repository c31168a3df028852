"""Client impact: the public API diff of two generated client packages, read from their source.

Works on the rendered files (path -> source) with `ast`, so it sees exactly what a user of the
package sees, whatever the generator names things: per sync resource class in
<pkg>/resources/*.py its public methods with every overload's signature, per class in
<pkg>/models.py its fields or enum members, the public client classes' constructors
(<pkg>/_client.py), the exception classes (<pkg>/_exceptions.py) and the names the package
exports (<pkg>/__init__.py). Nothing is imported or executed. Every change names a rule
(generator.review.rules, source "client") so it is acknowledged like a spec change.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TypeVar

from generator.review.rules import Level, rule


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
    operation: str | None = None  # "POST /documents": the `METHOD /path` line of the docstring


@dataclass(frozen=True)
class Field:
    annotation: str | None
    required: bool
    wire: str = ""  # the JSON property name: the alias, else the field name


@dataclass(frozen=True)
class Model:
    kind: str  # "model" or "enum"
    fields: dict[str, Field]  # models
    members: tuple[str, ...]  # enums: "NAME = value"


@dataclass
class Surface:
    # "client.invoices.create_invoice" -> its overloads (one entry when not overloaded);
    # constructors as "NotifyClient(...)"
    methods: dict[str, tuple[Method, ...]]
    models: dict[str, Model]  # "models.Invoice" -> fields
    exceptions: dict[str, tuple[str, ...]] = field(default_factory=dict)  # name -> bases
    exports: frozenset[str] = frozenset()  # names importable from the package


@dataclass(frozen=True)
class ApiChange:
    rule: str  # a "client-*" rule: its level is the rule's
    subject: str
    message: str
    # what the spec calls it, to find the spec change that explains it: the operation
    # ("POST /invoices") of a method, the JSON property name of a field
    anchor: str = field(default="", compare=False)

    @property
    def level(self) -> Level:
        return rule(self.rule).level

    def __str__(self) -> str:
        return f"{self.subject}: {self.message}"

    @property
    def location(self) -> str:
        return self.subject


T = TypeVar("T")
_ENUM_BASES = {"Enum", "IntEnum", "StrEnum", "enum.Enum", "enum.IntEnum", "enum.StrEnum"}
_PACKAGE_FILES = {"models.py", "_client.py", "_exceptions.py", "__init__.py"}
_OPERATION = re.compile(r"`([A-Z]+ /[^`]*)`")


def is_api_file(path: PurePosixPath) -> bool:
    """Files that make up the public API: resource modules, models, client, exceptions, the
    package's exports."""
    if path.suffix != ".py" or {"tests", "custom"} & set(path.parts):
        return False
    if path.parent.name == "resources":
        return not path.name.startswith("_")
    return path.name in _PACKAGE_FILES or path.parent.name == "models"


def surface(files: Mapping[PurePosixPath, str]) -> Surface:
    found = Surface({}, {})
    exports: set[str] = set()
    for path, source in sorted(files.items()):
        if not is_api_file(path):
            continue
        tree = _parse(source)
        if tree is None:
            continue
        if path.parent.name == "resources":
            found.methods.update(_resource_methods(path.stem, tree))
        elif path.name == "_client.py":
            found.methods.update(_constructors(tree))
        elif path.name == "_exceptions.py":
            found.exceptions.update(_exceptions(tree))
        elif path.name == "__init__.py":
            exports |= _exports(tree)
        else:
            found.models.update(_models(tree))
    found.exports = frozenset(exports)
    return found


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _public_classes(tree: ast.Module) -> Iterable[ast.ClassDef]:
    # the async twins mirror the sync classes: reported once, through the sync one
    for cls in tree.body:
        if isinstance(cls, ast.ClassDef) and not cls.name.startswith(("_", "Async")):
            yield cls


def _overloaded(fn: ast.FunctionDef) -> bool:
    return any(ast.unparse(d).split(".")[-1] == "overload" for d in fn.decorator_list)


def _callables(cls: ast.ClassDef) -> dict[str, tuple[Method, ...]]:
    """name -> signatures as a caller sees them: the @overload variants when there are any (the
    implementation's catch-all signature is not what type checkers let a caller write), else the
    one def."""
    defs: dict[str, list[ast.FunctionDef]] = {}
    for node in cls.body:
        if isinstance(node, ast.FunctionDef):
            defs.setdefault(node.name, []).append(node)
    found: dict[str, tuple[Method, ...]] = {}
    for name, fns in defs.items():
        variants = [f for f in fns if _overloaded(f)] or fns[-1:]
        operation = next((_operation(f) for f in reversed(fns) if _operation(f)), None)
        found[name] = tuple(_signature(f, operation) for f in variants)
    return found


def _operation(fn: ast.FunctionDef) -> str | None:
    doc = ast.get_docstring(fn) or ""
    match = _OPERATION.search(doc)
    return match.group(1) if match else None


def _resource_methods(module: str, tree: ast.Module) -> dict[str, tuple[Method, ...]]:
    found: dict[str, tuple[Method, ...]] = {}
    for cls in _public_classes(tree):
        for name, variants in _callables(cls).items():
            if not name.startswith("_"):
                found[f"client.{module}.{name}"] = variants
    return found


def _constructors(tree: ast.Module) -> dict[str, tuple[Method, ...]]:
    found: dict[str, tuple[Method, ...]] = {}
    for cls in _public_classes(tree):
        init = _callables(cls).get("__init__")
        if init is not None:
            found[f"{cls.name}(...)"] = init
    return found


def _exceptions(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    return {
        cls.name: tuple(ast.unparse(b) for b in cls.bases)
        for cls in tree.body
        if isinstance(cls, ast.ClassDef) and not cls.name.startswith("_")
    }


def _exports(tree: ast.Module) -> set[str]:
    """Names the package imports from its own modules (also under `if TYPE_CHECKING:`)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level > 0
        for alias in node.names
        if not (alias.asname or alias.name).startswith("_")
    }


def _signature(fn: ast.FunctionDef, operation: str | None = None) -> Method:
    args = fn.args
    params: list[Param] = []
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    for i, arg in enumerate(positional):
        kind = "positional-only" if i < len(args.posonlyargs) else "positional"
        params.append(Param(arg.arg, kind, _src(arg.annotation), i >= first_default))
    if args.vararg:
        params.append(Param(args.vararg.arg, "*args", _src(args.vararg.annotation), True))
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        params.append(Param(arg.arg, "keyword-only", _src(arg.annotation), default is not None))
    if args.kwarg:
        params.append(Param(args.kwarg.arg, "**kwargs", _src(args.kwarg.annotation), True))
    if params and params[0].name in ("self", "cls"):
        params = params[1:]
    return Method(tuple(params), _src(fn.returns), operation)


def _src(node: ast.expr | None) -> str | None:
    return ast.unparse(_Canonical().visit(node)) if node is not None else None


_DOC_ONLY = frozenset({"description", "title", "examples"})


class _Canonical(ast.NodeTransformer):
    """An annotation as it behaves: dict literals and Field() keywords in sorted order (their
    order means nothing), documentation-only Field() keywords dropped, builtins unqualified."""

    def visit_Dict(self, node: ast.Dict) -> ast.AST:
        self.generic_visit(node)
        pairs = sorted(
            zip(node.keys, node.values, strict=True),
            key=lambda kv: ast.unparse(kv[0]) if kv[0] is not None else "",
        )
        return ast.Dict(keys=[k for k, _ in pairs], values=[v for _, v in pairs])

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        # `_builtins.list` (a class with a method named `list` must spell it so) is `list`
        if isinstance(node.value, ast.Name) and node.value.id == "_builtins":
            return ast.Name(id=node.attr, ctx=node.ctx)
        self.generic_visit(node)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        # `Annotated[T, _lazy.LAZY]` (a field into a cut cycle of models, generator.split) is T
        self.generic_visit(node)
        if ast.unparse(node.value).split(".")[-1] == "Annotated" and isinstance(node.slice, ast.Tuple):
            kept = [e for e in node.slice.elts if ast.unparse(e) != "_lazy.LAZY"]
            if len(kept) == 1:
                return kept[0]
            node.slice.elts = kept
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if ast.unparse(node.func).split(".")[-1] == "Field":
            node.keywords = sorted(
                (k for k in node.keywords if k.arg not in _DOC_ONLY),
                key=lambda k: k.arg or "",
            )
        return node


def _models(tree: ast.Module) -> dict[str, Model]:
    found: dict[str, Model] = {}
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
                annotation = _src(node.annotation) or ""
                if (
                    name.startswith("_")
                    or name == "model_config"
                    or annotation.startswith(("ClassVar", "typing.ClassVar"))
                ):
                    continue
                fields[name] = Field(annotation, _required(node.value), _alias(node) or name)
        found[f"models.{cls.name}"] = Model("model", fields, ())
    return found


def _alias(node: ast.AnnAssign) -> str | None:
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and ast.unparse(call.func).split(".")[-1] == "Field":
            for kw in call.keywords:
                if kw.arg in ("alias", "validation_alias") and isinstance(kw.value, ast.Constant):
                    return str(kw.value.value)
    return None


def _required(value: ast.expr | None) -> bool:
    """A pydantic field is required when it has no default: no value, or Field(...) without one."""
    if value is None:
        return True
    if isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] == "Field":
        if value.args:
            return isinstance(value.args[0], ast.Constant) and value.args[0].value is Ellipsis
        keywords = {k.arg for k in value.keywords}
        return not keywords & {"default", "default_factory"}
    return False


def diff_surfaces(old: Surface, new: Surface) -> list[ApiChange]:
    changes: list[ApiChange] = []
    # a renamed model is one change: the annotations that name it are read with the new name
    gone = sorted(old.models.keys() - new.models.keys())
    fresh = sorted(new.models.keys() - old.models.keys())
    renamed = {
        a.removeprefix("models."): b.removeprefix("models.")
        for a, b in _pair_renames(gone, fresh, old.models, new.models, lambda x, y: x == y)
    }
    if renamed:
        old = _substitute(old, renamed)
    removed = sorted(old.methods.keys() - new.methods.keys())
    added = sorted(new.methods.keys() - old.methods.keys())
    for before, after in _pair_renames(removed, added, old.methods, new.methods, _same_callable):
        what = "constructor" if before.endswith("(...)") else "method"
        changes.append(
            ApiChange(
                f"client-{what}-renamed",
                before,
                f"{what} renamed to {after}",
                _anchor(old.methods[before]),
            )
        )
        changes.extend(_overload_changes(after, old.methods[before], new.methods[after]))
        removed.remove(before)
        added.remove(after)
    for name in removed:
        what = "constructor" if name.endswith("(...)") else "method"
        changes.append(
            ApiChange(f"client-{what}-removed", name, f"{what} removed", _anchor(old.methods[name]))
        )
    for name in added:
        what = "constructor" if name.endswith("(...)") else "method"
        first = new.methods[name][0]
        changes.append(
            ApiChange(f"client-{what}-added", name, f"{what} added: ({_params_text(first)})")
        )
    for name in sorted(old.methods.keys() & new.methods.keys()):
        changes.extend(_overload_changes(name, old.methods[name], new.methods[name]))
    changes.extend(_models_diff(old.models, new.models))
    changes.extend(_exceptions_diff(old.exceptions, new.exceptions))
    # a name already reported as a model, exception or client class is not reported again
    covered = {
        n.split(".")[-1].removesuffix("(...)")
        for n in (*old.models, *new.models, *old.exceptions, *new.exceptions, *old.methods)
    }
    covered |= {f"Async{n}" for n in covered}  # the async twin of a reported client class
    for name in sorted(old.exports - new.exports - covered):
        changes.append(
            ApiChange("client-export-removed", name, "no longer importable from the package")
        )
    for name in sorted(new.exports - old.exports - covered):
        changes.append(ApiChange("client-export-added", name, "importable from the package"))
    return sorted(set(changes), key=lambda c: (c.level.rank, c.subject, c.message))


def _substitute(surface: Surface, renamed: Mapping[str, str]) -> Surface:
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, renamed)) + r")\b")

    def sub(text: str | None) -> str | None:
        return pattern.sub(lambda m: renamed[m.group(1)], text) if text else text

    def method(m: Method) -> Method:
        params = tuple(Param(p.name, p.kind, sub(p.annotation), p.has_default) for p in m.params)
        return Method(params, sub(m.returns), m.operation)

    def model(m: Model) -> Model:
        fields = {n: Field(sub(f.annotation), f.required, f.wire) for n, f in m.fields.items()}
        return Model(m.kind, fields, m.members)

    return Surface(
        {k: tuple(method(m) for m in v) for k, v in surface.methods.items()},
        {k: model(m) for k, m in surface.models.items()},
        surface.exceptions,
        surface.exports,
    )


def _anchor(variants: tuple[Method, ...]) -> str:
    return next((m.operation for m in variants if m.operation), "")


def _same_callable(a: tuple[Method, ...], b: tuple[Method, ...]) -> bool:
    """Same operation (the docstring's `METHOD /path`), or, without one, the same signatures."""
    op_a, op_b = _anchor(a), _anchor(b)
    if op_a or op_b:
        return op_a == op_b
    return [(m.params, m.returns) for m in a] == [(m.params, m.returns) for m in b]


def _pair_renames(
    removed: list[str],
    added: list[str],
    old: Mapping[str, T],
    new: Mapping[str, T],
    same: Callable[[T, T], bool],
) -> list[tuple[str, str]]:
    """(old name, new name) for each removed name whose thing reappears, unchanged, under exactly
    one added name: a rename, not an unrelated removal and addition."""
    pairs: list[tuple[str, str]] = []
    taken: set[str] = set()
    for before in removed:
        matches = [a for a in added if a not in taken and same(old[before], new[a])]
        if len(matches) == 1:
            pairs.append((before, matches[0]))
            taken.add(matches[0])
    return pairs


def _params_text(method: Method) -> str:
    return ", ".join(p.name + ("=..." if p.has_default else "") for p in method.params)


def _overload_changes(
    name: str, olds: tuple[Method, ...], news: tuple[Method, ...]
) -> list[ApiChange]:
    """Every old overload is compared with the new overload that breaks it least: a call that
    type-checked against any old variant must still match one."""
    if len(olds) == 1 and len(news) == 1:
        return _method_changes(name, olds[0], news[0])
    out: list[ApiChange] = []
    used: set[int] = set()
    for old in olds:
        options = [_method_changes(name, old, new) for new in news]
        best = min(
            range(len(news)),
            key=lambda j: (sum(c.level is Level.BREAKING for c in options[j]), len(options[j]), j),
        )
        used.add(best)
        label = f"overload ({_params_text(old)}): "
        out += [ApiChange(c.rule, c.subject, label + c.message, c.anchor) for c in options[best]]
    for j, new in enumerate(news):
        if j not in used:
            out.append(
                ApiChange("client-overload-added", name, f"overload added: ({_params_text(new)})")
            )
    return out


def _union(annotation: str | None) -> frozenset[str]:
    """The members of a `A | B | None` annotation (split at bracket depth 0)."""
    if annotation is None:
        return frozenset()
    parts, depth, current = [], 0, ""
    for ch in annotation:
        depth += ch in "[("
        depth -= ch in "])"
        if ch == "|" and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return frozenset(parts)


def _method_changes(name: str, old: Method, new: Method) -> list[ApiChange]:
    out: list[ApiChange] = []
    anchor = new.operation or old.operation or ""

    def emit(rule_id: str, message: str) -> None:
        out.append(ApiChange(rule_id, name, message, anchor))

    a = {p.name: p for p in old.params}
    b = {p.name: p for p in new.params}
    gone = [p for p in old.params if p.name not in b]
    fresh = [p for p in new.params if p.name not in a]
    for p in list(gone):
        twin = next(
            (
                q
                for q in fresh
                if (q.kind, q.annotation, q.has_default) == (p.kind, p.annotation, p.has_default)
            ),
            None,
        )
        # an optional keyword swapped for another is as likely a removal and an addition
        if twin is not None and not p.kind.startswith("*") and not p.has_default:
            emit("client-parameter-renamed", f"parameter {p.name} renamed to {twin.name}")
            gone.remove(p)
            fresh.remove(twin)
    for p in gone:
        emit("client-parameter-removed", f"parameter {p.name} removed")
    for p in fresh:
        optional = p.has_default or p.kind in ("*args", "**kwargs")
        emit(
            f"client-parameter-added-{'optional' if optional else 'required'}",
            f"parameter {p.name} added ({'optional' if optional else 'required'})",
        )
    for pname in [p.name for p in old.params if p.name in b]:
        pa, pb = a[pname], b[pname]
        if pa.has_default and not pb.has_default:
            emit("client-parameter-became-required", f"parameter {pname} became required")
        elif pb.has_default and not pa.has_default:
            emit("client-parameter-became-optional", f"parameter {pname} became optional")
        if pa.kind != pb.kind:
            emit("client-parameter-kind-changed", f"parameter {pname}: {pa.kind} -> {pb.kind}")
        if pa.annotation != pb.annotation:
            # a parameter that accepts more than before still accepts every old argument
            widened = _union(pa.annotation) < _union(pb.annotation)
            emit(
                f"client-parameter-type-{'widened' if widened else 'changed'}",
                f"parameter {pname}: type {pa.annotation} -> {pb.annotation}",
            )
    positional = ("positional-only", "positional")
    both = {n for n in a.keys() & b.keys() if a[n].kind in positional and b[n].kind in positional}
    order_a = [p.name for p in old.params if p.name in both]
    order_b = [p.name for p in new.params if p.name in both]
    if order_a != order_b:
        emit(
            "client-parameter-order-changed",
            f"positional parameter order ({', '.join(order_a)}) -> ({', '.join(order_b)})",
        )
    if old.returns != new.returns:
        emit("client-return-type-changed", f"return type {old.returns} -> {new.returns}")
    return out


def _models_diff(old: Mapping[str, Model], new: Mapping[str, Model]) -> list[ApiChange]:
    changes: list[ApiChange] = []
    removed = sorted(old.keys() - new.keys())
    added = sorted(new.keys() - old.keys())
    for before, after in _pair_renames(removed, added, old, new, lambda x, y: x == y):
        changes.append(
            ApiChange(f"client-{old[before].kind}-renamed", before, f"renamed to {after}")
        )
        removed.remove(before)
        added.remove(after)
    for name in removed:
        changes.append(
            ApiChange(f"client-{old[name].kind}-removed", name, f"{old[name].kind} removed")
        )
    for name in added:
        changes.append(ApiChange(f"client-{new[name].kind}-added", name, f"{new[name].kind} added"))
    for name in sorted(old.keys() & new.keys()):
        changes.extend(_model_changes(name, old[name], new[name]))
    return changes


def _member_value(member: str) -> str:
    return member.split(" = ", 1)[-1]


def _model_changes(name: str, old: Model, new: Model) -> list[ApiChange]:
    out: list[ApiChange] = []
    if old.kind != new.kind:
        return [ApiChange("client-model-kind-changed", name, f"{old.kind} -> {new.kind}")]
    gone = [m for m in old.members if m not in new.members]
    fresh = [m for m in new.members if m not in old.members]
    for member in list(gone):
        twin = [m for m in fresh if _member_value(m) == _member_value(member)]
        if len(twin) == 1:
            out.append(
                ApiChange(
                    "client-enum-member-renamed",
                    name,
                    f"member {member.split(' = ')[0]} renamed to {twin[0].split(' = ')[0]} "
                    f"(value {_member_value(member)})",
                )
            )
            gone.remove(member)
            fresh.remove(twin[0])
    for member in gone:
        out.append(ApiChange("client-enum-member-removed", name, f"member {member} removed"))
    for member in fresh:
        out.append(ApiChange("client-enum-member-added", name, f"member {member} added"))
    for fname in sorted(old.fields.keys() - new.fields.keys()):
        out.append(
            ApiChange(
                "client-field-removed", f"{name}.{fname}", "field removed", old.fields[fname].wire
            )
        )
    for fname in sorted(new.fields.keys() - old.fields.keys()):
        f = new.fields[fname]
        kind = "required" if f.required else "optional"
        out.append(
            ApiChange(
                f"client-field-added-{kind}",
                f"{name}.{fname}",
                f"field added ({kind}): {f.annotation}",
                f.wire,
            )
        )
    for fname in sorted(old.fields.keys() & new.fields.keys()):
        fa, fb = old.fields[fname], new.fields[fname]
        if fa.annotation != fb.annotation:
            out.append(
                ApiChange(
                    "client-field-type-changed",
                    f"{name}.{fname}",
                    f"type {fa.annotation} -> {fb.annotation}",
                    fb.wire,
                )
            )
        if fa.required != fb.required:
            kind = "required" if fb.required else "optional"
            out.append(
                ApiChange(
                    f"client-field-became-{kind}", f"{name}.{fname}", f"became {kind}", fb.wire
                )
            )
    return out


def _exceptions_diff(
    old: Mapping[str, tuple[str, ...]], new: Mapping[str, tuple[str, ...]]
) -> list[ApiChange]:
    out: list[ApiChange] = []
    for name in sorted(old.keys() - new.keys()):
        out.append(ApiChange("client-exception-removed", name, "exception class removed"))
    for name in sorted(new.keys() - old.keys()):
        out.append(ApiChange("client-exception-added", name, "exception class added"))
    for name in sorted(old.keys() & new.keys()):
        if old[name] != new[name]:
            # `except Base:` handlers no longer catch it, or catch what they did not
            out.append(
                ApiChange(
                    "client-exception-base-changed",
                    name,
                    f"bases ({', '.join(old[name])}) -> ({', '.join(new[name])})",
                )
            )
    return out
