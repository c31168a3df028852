"""Schemas -> pydantic models (datamodel-code-generator) and Python annotations.

The builder asks `ModelSet.type_of` for the type of every parameter, body and response. Component
schemas keep their names (cleaned); inline schemas that need a class are hoisted under a name
derived from where they appear, except a body property's, which takes the class of its model's field
(`ModelSet.field_type`, read by `ClassFields`). After `ModelSet.generate` has run datamodel-code-generator once
over all of them, `TypeResolver` turns each TypeRef into annotation text, using the classes that
really exist in the generated module.
"""

from __future__ import annotations

import ast
import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.atomic import TextCache, code_salt
from generator.diagnostics import escape_token, split_pointer
from generator.model import TypeRef
from generator.names import dedupe, pascal

WIRE_TYPES = {"date-dmy": "DMYDate", "decimal-2dp": "Decimal2dp"}

# The runtime's exception classes, which every package's __init__ exports beside its models.
RUNTIME_ERRORS = (
    "APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AuthenticationError",
    "BadRequestError", "ConflictError", "InsecureTransportError", "InternalServerError",
    "NotFoundError", "PermissionDeniedError", "RateLimitError", "ResponseValidationError",
    "UnprocessableEntityError",
)  # fmt: skip

# Names the models module or pydantic use for themselves, and runtime names the package __init__
# exports beside the models (GitHub has a `page` schema); a schema with one of these is renamed.
_RESERVED_CLASSES = frozenset(
    {
        "BaseModel", "RootModel", "Field", "ConfigDict", "Annotated", "Literal", "Any", "Optional",
        "Union", "Enum", "IntEnum", "StrEnum", "AwareDatetime", "AnyUrl", "EmailStr", "Decimal",
        "UUID", "List", "Dict", "Type", "Models", "Page", "AsyncPager", "SyncPager", *RUNTIME_ERRORS,
    }
)  # fmt: skip

_FORMATS = {
    "date": "_dt.date",
    "date-time": "_dt.datetime",
    "uuid": "_uuid.UUID",
    "binary": "bytes",
}
_PRIMS = {"integer": "int", "number": "float", "boolean": "bool", "string": "str", "null": "None"}

ANY = TypeRef("prim", "_t.Any")


def prim(text: str) -> TypeRef:
    return TypeRef("prim", text)


def _has_structure(schema: dict[str, Any]) -> bool:
    return bool(
        schema.get("properties")
        or schema.get("enum")
        or schema.get("oneOf")
        or schema.get("anyOf")
        or (schema.get("allOf") and not _single_ref_allof(schema))
    )


def _single_ref_allof(schema: dict[str, Any]) -> str | None:
    parts = schema.get("allOf")
    if isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], dict) and "$ref" in parts[0]:
        ref = parts[0]["$ref"]
        return ref if isinstance(ref, str) else None
    return None


def _types(schema: dict[str, Any]) -> tuple[list[str], bool]:
    raw = schema.get("type")
    types = [raw] if isinstance(raw, str) else [t for t in raw or [] if isinstance(t, str)]
    nullable = "null" in types or schema.get("nullable") is True
    return [t for t in types if t != "null"], nullable


class _NeedsClass(Exception):
    """type_of(hoist=False) met a schema that needs a class of its own."""


class ModelSet:
    """Collects the schemas that become model classes, under clean unique names."""

    def __init__(self, document: dict[str, Any], package: str) -> None:
        self.document = document
        self.package = package
        self.schemas: dict[str, dict[str, Any]] = {}  # class name -> rewritten schema
        # class name -> schema as written: its $refs are document pointers, unlike the rewritten ones
        self.originals: dict[str, Any] = {}
        self._by_pointer: dict[str, str] = {}  # "#/components/schemas/x" -> class name
        self._taken: set[str] = set(_RESERVED_CLASSES)
        self._pending: list[tuple[str, dict[str, Any]]] = []
        self.member_names: dict[str, dict[str, str]] = {}  # enum class -> wire value -> member (x-specgen-name)
        self._sent = _request_schemas(document)
        components = document.get("components") or {}
        keys = sorted(components.get("schemas") or {})
        given = {k: override_name(components["schemas"][k]) for k in keys}
        # names a spec chose (x-specgen-name) first, so a derived name never takes one
        for key in sorted(keys, key=lambda k: given[k] is None):
            self._by_pointer["#/components/schemas/" + escape_token(key)] = dedupe(
                pascal(given[key] or key), self._taken
            )
        self._by_pointer = dict(sorted(self._by_pointer.items()))
        for ptr, name in self._by_pointer.items():
            self._pending.append((name, self.deref(ptr)))
        self._flush()

    # -- lookups -------------------------------------------------------------------------------

    def deref(self, ref: str) -> Any:
        node: Any = self.document
        for token in split_pointer(ref):
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node

    def pointer_of(self, name: str) -> str:
        """Where the schema of class `name` is written (its component, or the components)."""
        return next((p for p, n in self._by_pointer.items() if n == name), "#/components/schemas")

    def name_for_ref(self, ref: str) -> str:
        name = self._ref_name(ref)
        self._flush()
        return name

    # -- types ---------------------------------------------------------------------------------

    def claim(self, *names: str) -> bool:
        """Reserve class names for other generated classes (resources) unless a model has one."""
        if any(n in self._taken for n in names):
            return False
        self._taken.update(names)
        return True

    def hoist(self, hint: str, schema: dict[str, Any]) -> TypeRef:
        name = dedupe(pascal(override_name(schema) or hint), self._taken)
        self._pending.append((name, schema))
        self._flush()
        return TypeRef("named", name)

    def type_of(self, schema: Any, hint: str, *, hoist: bool = True) -> TypeRef:
        """The type of a schema found at a use site; hint names a hoisted class if one is needed.
        Without `hoist`, a schema that needs a class of its own raises _NeedsClass instead."""
        if not isinstance(schema, dict):
            return ANY
        if "$ref" in schema:
            return TypeRef("named", self.name_for_ref(schema["$ref"]))
        single = _single_ref_allof(schema)
        if single and not schema.get("properties"):
            ref = TypeRef("named", self.name_for_ref(single))
            return TypeRef("optional", args=(ref,)) if _types(schema)[1] else ref
        if schema.get("x-wire-format") in WIRE_TYPES:
            return prim("_wire." + WIRE_TYPES[schema["x-wire-format"]])
        if _has_structure(schema):
            if not hoist:
                raise _NeedsClass
            return self.hoist(hint, schema)
        types, nullable = _types(schema)
        options = [self._plain(t, schema, hint, hoist) for t in types] or [self._untyped(schema, hint, hoist)]
        result = options[0] if len(options) == 1 else TypeRef("union", args=tuple(options))
        return TypeRef("optional", args=(result,)) if nullable else result

    def field_type(self, schema: Any, hint: str, model: str, prop: str) -> TypeRef:
        """The type of property `prop` (its `schema`) of the class `model`: as type_of, but one that
        needs a class of its own is typed as `model`'s field is, with the class the model generator
        made for it there, rather than hoisted once more beside it (adyen: 175 of 473 classes were
        such copies, each operation's flattened `additionalData` beside the body model's own)."""
        try:
            return self.type_of(schema, hint, hoist=False)
        except _NeedsClass:
            return TypeRef("field", model, member=prop)

    def _untyped(self, schema: dict[str, Any], hint: str, hoist: bool) -> TypeRef:
        if "items" in schema:
            return self._plain("array", schema, hint, hoist)
        if "additionalProperties" in schema:
            return self._plain("object", schema, hint, hoist)
        return ANY

    def _plain(self, kind: str, schema: dict[str, Any], hint: str, hoist: bool) -> TypeRef:
        if kind == "array":
            return TypeRef("list", args=(self.type_of(schema.get("items"), hint + "Item", hoist=hoist),))
        if kind == "object":
            extra = schema.get("additionalProperties")
            value = self.type_of(extra, hint + "Value", hoist=hoist) if isinstance(extra, dict) else ANY
            return TypeRef("dict", args=(value,))
        if kind == "string":
            return prim(_FORMATS.get(str(schema.get("format")), "str"))
        return prim(_PRIMS.get(kind, "_t.Any"))

    # -- datamodel-code-generator input ----------------------------------------------------------

    def _flush(self) -> None:
        while self._pending:
            name, schema = self._pending.pop(0)
            self.originals[name] = schema
            self.schemas[name] = self._rewrite(schema, name)
            members = schema.get("x-specgen-name") if isinstance(schema, dict) else None
            if isinstance(members, dict) and isinstance(members.get("members"), dict):
                self.member_names[name] = {str(k): str(v) for k, v in members["members"].items()}

    def _rewrite(self, schema: Any, owner: str = "") -> Any:
        if isinstance(schema, list):
            return [self._rewrite(s) for s in schema]
        if not isinstance(schema, dict):
            return schema
        if isinstance(schema.get("$ref"), str) and schema["$ref"].startswith("#"):
            out = {k: self._rewrite(v) for k, v in schema.items() if k != "$ref"}
            out["$ref"] = "#/components/schemas/" + self._ref_name(schema["$ref"])
            return out
        wire = schema.get("x-wire-format")
        if wire in WIRE_TYPES:
            # The Python type converts the vendor form; string constraints would reject a date.
            kept = {k: v for k, v in schema.items() if k in ("description", "title", "example")}
            return {**kept, "type": "string", "x-python-type": f"{self.package}._wire.{WIRE_TYPES[wire]}"}
        out = {}
        for key, value in schema.items():
            if key in ("example", "examples", "x-curation", "x-specgen-name"):
                continue  # documentation only; keeps spec text out of the models module
            if key == "default" and not _fits(value, schema):
                continue  # a default its own schema rejects: the model would not type-check
            if key == "properties" and isinstance(value, dict):
                out[key] = {k: self._property(v, owner, k) for k, v in value.items()}
            elif key in ("patternProperties", "$defs", "definitions") and isinstance(value, dict):
                out[key] = {k: self._rewrite(v) for k, v in value.items()}
            elif key == "discriminator" and isinstance(value, dict):
                out[key] = self._discriminator(value, schema)
            else:
                out[key] = self._rewrite(value) if isinstance(value, (dict, list)) else value
        if id(schema) in self._sent and isinstance(out.get("required"), list):
            # A readOnly property is required of responses only (OpenAPI). A model a request body
            # uses serves both sides, and requiring it there would refuse every body the field
            # arguments build (they leave readOnly properties out): the Pet with its server id.
            props = schema.get("properties")
            props = props if isinstance(props, dict) else {}
            out["required"] = [r for r in out["required"] if not self._read_only(props.get(r))]
        return out

    def _read_only(self, schema: Any) -> bool:
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and "readOnly" not in schema:
            try:
                schema = self.deref(schema["$ref"])
            except (KeyError, IndexError, ValueError, TypeError):
                return False
        return isinstance(schema, dict) and schema.get("readOnly") is True

    def _property(self, schema: Any, owner: str, key: str) -> Any:
        """A property schema; one the spec names (x-specgen-name) becomes its own class, named
        after its owner and key (GitHub: 48,000 properties, a few named)."""
        if isinstance(schema, dict) and "$ref" not in schema and "x-specgen-name" in schema:
            return {"$ref": "#/components/schemas/" + self.hoist(owner + pascal(key), schema).name}
        return self._rewrite(schema)

    def _discriminator(self, raw: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
        """The mapping made explicit, onto class names: the wire value of an unmapped variant is
        its component key (OpenAPI), which the model generator would otherwise take from the class."""
        mapping: dict[str, str] = {}
        for value, target in (raw.get("mapping") or {}).items():
            ref = str(target) if str(target).startswith("#") else "#/components/schemas/" + escape_token(str(target))
            try:
                mapping[str(value)] = "#/components/schemas/" + self._ref_name(ref)
            except (KeyError, IndexError, ValueError, TypeError):
                continue  # a mapping onto nothing: the variant stays unmapped
        keys = {name: split_pointer(ptr)[-1] for ptr, name in self._by_pointer.items()}
        for member in [*(schema.get("oneOf") or []), *(schema.get("anyOf") or [])]:
            member_ref = member.get("$ref") if isinstance(member, dict) else None
            if isinstance(member_ref, str) and member_ref.startswith("#"):
                name = self._ref_name(member_ref)
                if "#/components/schemas/" + name not in mapping.values():
                    mapping.setdefault(keys[name], "#/components/schemas/" + name)
        return {**raw, "mapping": mapping} if mapping else dict(raw)

    def _ref_name(self, ref: str) -> str:
        name = self._by_pointer.get(ref)
        if name is None:  # a $ref to a schema outside components/schemas: hoist it once
            tokens = [t for t in split_pointer(ref) if t not in ("content", "schema", "properties")]
            name = dedupe(pascal("_".join(tokens[-3:])), self._taken)
            self._by_pointer[ref] = name
            self._pending.append((name, self.deref(ref)))
        return name

    def generate(
        self, openapi_version: str, *, cache_dir: Path | None = None, jobs: int = 1
    ) -> tuple[str, list[str]]:
        """The models module of every collected schema, and the warnings datamodel-code-generator
        raised (dropped constraints and the like).

        It runs once per batch of small groups of schemas linked by $refs, and once per part of a
        big group (generator.modelgen), over `jobs` processes; with `cache_dir`, a run made before
        is read back instead."""
        if not self.schemas:
            return "", []
        from generator import modelgen

        version = openapi_version if openapi_version.startswith("3.") else "3.1.0"

        def run(owned: list[str], given: dict[str, Any], taken: tuple[str, ...] = ()) -> modelgen.Group:
            document = {
                "openapi": version,
                "info": {"title": "models", "version": "0"},
                "paths": {},
                "components": {"schemas": {_MARK + name: _marked(schema) for name, schema in given.items()}},
            }
            text = json.dumps(document, default=str)
            return modelgen.Group(tuple(owned), text, modelgen.group_key(text, taken), taken)

        schemas = _shared_schemas(self.schemas, set(self._taken), cache_dir)
        runs: list[tuple[list[str], dict[str, Any], tuple[str, ...]]] = []  # owned, given, taken
        linked: list[range] = []  # the runs of each group in parts
        drops: list[frozenset[str]] = []  # the classes the merge drops from each run's output
        sizes = modelgen.sizes(schemas)
        for batch in modelgen.batches(modelgen.linked_groups(schemas), sizes):
            if len(batch) > 1 or not modelgen.in_parts(batch[0], sizes):
                names = [name for group in batch for name in group]
                runs.append((names, {name: schemas[name] for name in names}, ()))
                drops.append(frozenset())
                continue
            parts = modelgen.parts(batch[0], schemas, sizes)
            linked.append(range(len(runs), len(runs) + len(parts)))
            runs += [(list(part.owned), part.given, tuple(batch[0])) for part in parts]
            drops += [part.drop for part in parts]
        modules = modelgen.generate_groups(
            (run(*args) for args in runs),  # each document built when a worker is ready for it
            modelgen.Cache(cache_dir) if cache_dir else None,
            jobs,
            sum(sizes.values()),
        )
        for span in linked:
            modules[span.start : span.stop] = modelgen.without_copies(
                modules[span.start : span.stop], drops[span.start : span.stop]
            )
        source = modelgen.merge_modules(modules, [tuple(owned) for owned, _, _ in runs], _RESERVED_CLASSES)
        messages = sorted({m for module in modules for m in module.messages})
        source = rename_enum_members(source, self.member_names)
        return widen_literal_overrides(source), messages


def _request_schemas(document: dict[str, Any]) -> set[int]:
    """The ids of the schema objects a request body reaches, $refs followed."""
    from generator.validate import deref, iter_operations, reached_schemas

    roots: list[tuple[str, Any]] = []
    for _path, _method, ptr, op, _item in iter_operations(document):
        body = deref(document, op.get("requestBody"))
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, dict):
            roots.extend(
                (f"{ptr}/requestBody/content/{escape_token(str(media_type))}/schema", media.get("schema"))
                for media_type, media in content.items()
                if isinstance(media, dict)
            )
    return {id(node) for _, node in reached_schemas(document, roots)}


def _shared_schemas(schemas: dict[str, Any], taken: set[str], cache_dir: Path | None) -> dict[str, Any]:
    """generator.shared.share, read back from the cache when these schemas were shared before
    (GitHub: 0.45 s of every regeneration). What a schema says of itself at its top (its
    description, title...: shared._SITE) takes no part in sharing, which moves inline objects only
    and copies the top of each schema as it is: it is left out of the key and put back from
    `schemas`, so that an edit of a schema's description reads the rest back."""
    from generator import shared
    from generator.atomic import TextCache, code_salt

    if cache_dir is None:
        return shared.share(schemas, taken)
    store = TextCache(cache_dir / "shared", code_salt(shared.__file__, __file__))
    tops = {name: _without_site(schema) for name, schema in schemas.items()}
    key = json.dumps([sorted(taken), tops], default=str)
    hit = store.get(key)
    if hit is not None:
        try:
            found = dict(json.loads(hit))
            return {**found, **{name: _with_site(schema, found[name]) for name, schema in schemas.items()}}
        except (ValueError, KeyError, TypeError):
            pass
    result = shared.share(schemas, taken)
    stored = {**result, **{name: _without_site(result[name]) for name in schemas}}
    store.put(key, json.dumps(stored, default=str))
    return result


def _without_site(schema: Any) -> Any:
    from generator.shared import _SITE

    return {k: v for k, v in schema.items() if k not in _SITE} if isinstance(schema, dict) else schema


def _with_site(schema: Any, shared: Any) -> Any:
    """`shared` (a schema as sharing left it, its top's site keys removed) with those of `schema`,
    in `schema`'s order, as sharing would have copied them."""
    if not isinstance(schema, dict):
        return shared
    from generator.shared import _SITE

    return {k: schema[k] if k in _SITE else shared[k] for k in schema}


def dcg_options() -> dict[str, Any]:
    """datamodel-code-generator's options, besides the class namer (generator.modelgen.class_namer)."""
    from datamodel_code_generator.enums import DataModelType, InputFileType, NamingStrategy
    from datamodel_code_generator.format import PythonVersion

    return {
        "input_file_type": InputFileType.OpenAPI,
        "output_model_type": DataModelType.PydanticV2BaseModel,
        "target_python_version": PythonVersion.PY_311,
        "snake_case_field": True,
        "allow_population_by_field_name": True,
        # Unknown response fields are kept (obj.x, model_dump); requests refuse them in
        # the runtime (_serialize.body validates with extra="forbid").
        "extra_fields": "allow",
        "collapse_root_models": True,
        "disable_timestamp": True,
        "use_standard_collections": True,
        "use_union_operator": True,
        "use_schema_description": True,
        "use_field_description": True,
        "use_annotated": True,
        "use_double_quotes": True,
        "formatters": [],
        "strict_refs": False,
        "set_default_enum_member": True,
        # an inline model is named after its owner and field (`CustomerAddress`), not numbered
        "naming_strategy": NamingStrategy.FullPath,
        # EmailStr needs the optional email-validator package; the wire value is a string anyway.
        "type_mappings": ["string+email=string", "string+idn-email=string"],
    }


# datamodel-code-generator names inline models after their field and, on a clash, renames whichever
# class comes later, a component schema included: then `Source` would be some inline model and the
# resolver would annotate with the wrong class. Component keys carry this mark so the namer can tell
# them apart; an inline model whose name a component owns gets a suffix instead.
_MARK = "SpecgenComponent__"


def _marked(schema: Any) -> Any:
    """A copy of a rewritten schema whose component $refs (and discriminator targets) carry _MARK."""
    if isinstance(schema, list):
        return [_marked(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _marked(v) if isinstance(v, (dict, list)) else v for k, v in schema.items()}
    ref = schema.get("$ref")
    if isinstance(ref, str):
        out["$ref"] = _mark_ref(ref)
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and isinstance(discriminator.get("mapping"), dict):
        mapping = {k: _mark_ref(str(v)) for k, v in discriminator["mapping"].items()}
        out["discriminator"] = {**discriminator, "mapping": mapping}
    return out


def _mark_ref(ref: str) -> str:
    prefix = "#/components/schemas/"
    return prefix + _MARK + ref.removeprefix(prefix) if ref.startswith(prefix) else ref


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,), "null": (type(None),),
}


# String formats the models type as something other than str (AnyUrl, datetime, UUID...): a string
# default would be assigned unvalidated to a field of that type.
_NON_STR_FORMATS = frozenset(
    {"uri", "date", "date-time", "time", "uuid", "uuid1", "uuid2", "uuid3", "uuid4", "uuid5",
     "ipv4", "ipv6", "ipv4-network", "ipv6-network", "binary", "duration", "decimal"}
)


def _fits(value: Any, schema: dict[str, Any]) -> bool:
    """Whether a default has one of the schema's declared JSON types (no type: anything goes)."""
    types, nullable = _types(schema)
    if isinstance(value, str) and schema.get("format") in _NON_STR_FORMATS:
        return False
    if not types or (value is None and nullable):
        return True
    for name in types:
        allowed = _JSON_TYPES.get(name)
        if allowed is None or (isinstance(value, allowed) and not (isinstance(value, bool) and bool not in allowed)):
            return True
    return False


class TypeResolver:
    """Turns TypeRefs into annotation text against the classes the models module really defines."""

    def __init__(
        self,
        models: ModelSet,
        classes: set[str],
        roots: dict[str, str] | None = None,
        renamed: dict[str, str | None] | None = None,
        fields: ClassFields | None = None,
    ) -> None:
        self.models = models
        self.classes = classes  # model_classes(...)[0] of the generated module
        self.roots = roots or {}  # root_annotations(...) of the generated module
        self.renamed = renamed or {}  # misnamed_classes(...) of the generated module
        self.fields = fields or ClassFields("", set())  # of the generated module
        self.aliases: dict[str, tuple[str, list[str]]] = {}  # enum class -> (Literal alias, values)
        self.unresolved: dict[tuple[str, str], None] = {}  # (class, property) of a "field" found in no field

    def input_annotation(self, ref: TypeRef) -> str:
        """The annotation of an argument: like annotation(), but a RootModel wrapper is replaced by
        the type it wraps, so callers pass plain data (a dict, a list, a literal) that the body
        model or the serializer accepts; a string enum also takes its plain values
        (`Country | CountryLiteral`, as Stainless types them) and a uuid also a str."""
        return self.annotation(ref, inputs=True)

    def annotation(self, ref: TypeRef, _depth: int = 0, inputs: bool = False) -> str:
        if _depth > 12:
            return "_t.Any"
        if ref.kind == "prim":
            return "_uuid.UUID | str" if inputs and ref.name == "_uuid.UUID" else ref.name
        if ref.kind == "named":
            if ref.name in self.renamed:
                actual = self.renamed[ref.name]
                return actual if actual is not None else "_t.Any"
            if ref.name in self.classes:
                alias = self._literal_alias(ref.name) if inputs else None
                return f"{ref.name} | {alias}" if alias else ref.name
            if inputs and ref.name in self.roots:
                return self.roots[ref.name]
            schema = self.models.originals.get(ref.name)
            if not isinstance(schema, dict):  # a class the model generator made: there, or none
                return ref.name if ref.name not in self.models.originals and self.fields.defines(ref.name) else "_t.Any"
            # A root model (alias, array, union): use its structure, collapsed like its fields are.
            structural = self._structural(schema, ref.name)
            return self.annotation(structural, _depth + 1, inputs)
        if ref.kind == "field":
            owner = self.renamed.get(ref.name, ref.name)
            found = self.fields.field(owner, ref.member) if owner is not None else None
            if found is None:
                self.unresolved[ref.name, ref.member] = None
                return "_t.Any"
            return self.annotation(found, _depth + 1, inputs)
        if ref.kind == "list":
            return f"list[{self.annotation(ref.args[0], _depth + 1, inputs)}]"
        if ref.kind == "dict":
            return f"dict[str, {self.annotation(ref.args[0], _depth + 1, inputs)}]"
        parts: list[str] = []
        for arg in ref.args:
            for piece in _split_union(self.annotation(arg, _depth + 1, inputs)):
                if piece not in parts:
                    parts.append(piece)
        if ref.kind == "optional" and "None" not in parts:
            parts.append("None")
        if "_t.Any" in parts:
            return "_t.Any"
        return " | ".join(parts)

    def _literal_alias(self, name: str) -> str | None:
        """`<Enum>Literal`, the alias of a string enum's plain values (defined by literal_aliases)."""
        if name in self.aliases:
            return self.aliases[name][0]
        schema = self.models.originals.get(name)
        values = schema.get("enum") if isinstance(schema, dict) else None
        if name not in self.models.originals:  # a class the model generator made (a field's enum)
            values = self.fields.enum_values(name)
        if not (isinstance(values, list) and values and all(isinstance(v, str) for v in values)):
            return None
        alias = dedupe(name + "Literal", self.models._taken | self.classes)
        self.aliases[name] = (alias, list(dict.fromkeys(values)))
        return alias

    def literal_aliases(self, source: str) -> str:
        """The models module with the aliases the annotations use appended."""
        if not self.aliases:
            return source
        lines = [
            "",
            "",
            "# The plain values each string enum also takes in a request (`country=\"NL\"`).",
        ]
        for alias, values in sorted(self.aliases.values()):
            lines.append(f"{alias}: _typing.TypeAlias = _typing.Literal[{', '.join(repr(v) for v in values)}]")
        future = "from __future__ import annotations\n"
        head, sep, tail = source.partition(future)
        source = head + sep + "\nimport typing as _typing\n" + tail if sep else "import typing as _typing\n" + source
        return source.rstrip("\n") + "\n".join(lines) + "\n"

    def _structural(self, schema: dict[str, Any], name: str) -> TypeRef:
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                variants = [self.models.type_of(s, name + "Variant") for s in schema[key]]
                ref = TypeRef("union", args=tuple(variants))
                return TypeRef("optional", args=(ref,)) if _types(schema)[1] else ref
        single = _single_ref_allof(schema)
        if single:
            return self.models.type_of({"$ref": single}, name)
        if "x-python-type" in schema:
            return prim("_wire." + str(schema["x-python-type"]).rsplit(".", 1)[-1])
        if _has_structure(schema):
            return ANY  # a class was expected but datamodel-code-generator emitted none
        return self.models.type_of(schema, name)


# The names a field's annotation may use besides the module's classes, as the resource modules spell
# them; any other (Decimal, a TypeAliasType) is typed Any there.
_FIELD_NAMES = {
    "str": "str", "int": "int", "float": "float", "bool": "bool", "bytes": "bytes", "None": "None",
    "Any": "_t.Any", "date": "_dt.date", "datetime": "_dt.datetime", "AwareDatetime": "_dt.datetime",
    "UUID": "_uuid.UUID", "AnyUrl": "str",
}  # fmt: skip


class ClassFields:
    """The fields and enum members of the models module's classes, each class read on first use
    from its own text (Stripe: 450 body models of a 9 MB module)."""

    def __init__(self, source: str, public: set[str]) -> None:
        self._source = source
        self._public = public
        self._spans: dict[str, tuple[int, int]] | None = None
        self._nodes: dict[str, ast.ClassDef | None] = {}

    def defines(self, name: str) -> bool:
        return name in self._public

    def field(self, name: str, wire: str, _depth: int = 0) -> TypeRef | None:
        """The type of the field of class `name` (or of a base of it) that holds property `wire`."""
        node = self._node(name) if _depth < 8 else None
        if node is None:
            return None
        for stmt in node.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and _wire_name(stmt, stmt.target.id) == wire:
                return self._type(stmt.annotation)
        bases = (b.id for b in node.bases if isinstance(b, ast.Name) and b.id in self._public)
        return next((t for t in (self.field(b, wire, _depth + 1) for b in bases) if t is not None), None)

    def enum_values(self, name: str) -> list[Any] | None:
        node = self._node(name)
        if node is None or not any(isinstance(b, ast.Name) and b.id in ("Enum", "StrEnum") for b in node.bases):
            return None
        return [
            stmt.value.value for stmt in node.body
            if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Constant)
        ]  # fmt: skip

    def _node(self, name: str) -> ast.ClassDef | None:
        if name not in self._nodes:
            if self._spans is None:
                starts = [(m.group(1), m.start()) for m in re.finditer(r"^class (\w+)", self._source, re.MULTILINE)]
                ends = [start for _, start in starts[1:]] + [len(self._source)]
                self._spans = {n: (start, end) for (n, start), end in zip(starts, ends)}
            start, end = self._spans.get(name, (0, 0))
            try:  # a class's text runs to the next class: whole top-level statements
                body = ast.parse(self._source[start:end]).body if end else []
            except SyntaxError:
                body = []
            self._nodes[name] = body[0] if body and isinstance(body[0], ast.ClassDef) else None
        return self._nodes[name]

    def _type(self, node: ast.expr) -> TypeRef:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            options = []  # `A | B | C` parses as ((A | B) | C): one union, not nested beyond annotation()'s depth
            while isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
                options.append(node.right)
                node = node.left
            return TypeRef("union", args=tuple(self._type(n) for n in [node, *reversed(options)]))
        if isinstance(node, ast.Constant) and node.value is None:
            return prim("None")
        if isinstance(node, ast.Name):
            return TypeRef("named", node.id) if node.id in self._public else prim(_FIELD_NAMES.get(node.id, "_t.Any"))
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            head = node.value.id
            if head == "Annotated":
                return self._type(items[0])
            if head in ("list", "List") and len(items) == 1:
                return TypeRef("list", args=(self._type(items[0]),))
            if head in ("dict", "Dict") and len(items) == 2:
                return TypeRef("dict", args=(self._type(items[1]),))
            values = [i.value for i in items if isinstance(i, ast.Constant)]
            if head == "Literal" and len(values) == len(items):
                return prim(f"_t.Literal[{', '.join(map(repr, values))}]")
        return ANY


def _wire_name(stmt: ast.AnnAssign, name: str) -> str:
    """The property the field `name` holds: its alias (`Field(alias=...)`, in Annotated or as the
    default), else its name."""
    calls = [stmt.value] if isinstance(stmt.value, ast.Call) else []
    if isinstance(stmt.annotation, ast.Subscript) and isinstance(stmt.annotation.slice, ast.Tuple):
        calls += [e for e in stmt.annotation.slice.elts[1:] if isinstance(e, ast.Call)]
    for call in calls:
        for keyword_ in call.keywords:
            if keyword_.arg == "alias" and isinstance(keyword_.value, ast.Constant):
                return str(keyword_.value.value)
    return name


@dataclass(frozen=True)
class ClassShape:
    """What the resolver needs of a class of the models module."""

    root: bool  # a RootModel wrapper
    fields: int  # annotated fields
    wrapped: str | None  # X of `RootModel[X]` (its source) when that is its only base


def class_shapes(source: str, cache: Path | None = None) -> dict[str, ClassShape]:
    """The top-level classes of the models module, in one pass that holds no AST of all of it.
    With `cache` (a folder), the classes of a chunk of the module are kept by the chunk's text."""
    from generator.split import chunked, read_chunks

    store = TextCache(cache, code_salt(__file__)) if cache is not None else None

    def collect(chunk: int | None) -> dict[str, ClassShape]:
        shapes: dict[str, ClassShape] = {}
        for _, found in read_chunks(source, chunk, _read_shapes, _load_shapes, store) if source else ():
            shapes.update(found)
        return shapes

    return chunked(collect)


def _read_shapes(text: str) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):
            root = any(ast.unparse(b).startswith("RootModel") for b in node.bases)
            fields = sum(isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name) for b in node.body)
            base = node.bases[0] if len(node.bases) == 1 else None
            wrapped = (
                ast.unparse(base.slice)
                if isinstance(base, ast.Subscript) and isinstance(base.value, ast.Name) and base.value.id == "RootModel"
                else None
            )
            rows.append([node.name, root, fields, wrapped])
    return rows


def _load_shapes(rows: list[list[Any]]) -> list[tuple[str, ClassShape]]:
    return [
        (str(name), ClassShape(bool(root), int(fields), None if wrapped is None else str(wrapped)))
        for name, root, fields, wrapped in rows
    ]


def misnamed_classes(shapes: dict[str, ClassShape], models: ModelSet) -> dict[str, str | None]:
    """Schemas whose class in the models module is not theirs: datamodel-code-generator can give a
    schema's name to another (inline) model and rename the schema's own class (Stripe: an inline
    `Product` item, the `product` component renamed `ProductModel`). Checked for object schemas:
    their class must be a model with one field per property. Maps the expected name to the class
    that is the schema's (same name plus `Model` or a number, the same fields), or None."""
    found: dict[str, str | None] = {}
    for name, schema in models.schemas.items():
        props = schema.get("properties") if isinstance(schema, dict) else None
        if not isinstance(props, dict) or not props or any(k in schema for k in ("allOf", "oneOf", "anyOf")):
            continue
        shape = shapes.get(name)
        if shape is None or (shape.root, shape.fields) == (False, len(props)):
            continue
        candidates = [
            c for c, s in shapes.items()
            if c.startswith(name) and re.fullmatch(r"(Model)?\d*", c[len(name):]) and c != name
            and (s.root, s.fields) == (False, len(props))
        ]
        found[name] = candidates[0] if len(candidates) == 1 else None
    return found


def _split_union(text: str) -> list[str]:
    depth, start, parts = 0, 0, []
    for i, ch in enumerate(text):
        depth += ch == "["
        depth -= ch == "]"
        if depth == 0 and text.startswith(" | ", i):
            parts.append(text[start:i])
            start = i + 3
    parts.append(text[start:])
    return parts


def model_classes(shapes: dict[str, ClassShape]) -> tuple[set[str], set[str]]:
    """(models, public): the top-level classes, and those that are real models or enums rather
    than RootModel wrappers."""
    return {name for name, shape in shapes.items() if not shape.root}, set(shapes)


_ROOT_NAMES = {"dict", "list", "str", "int", "float", "bool", "bytes", "None", "Literal", "Any"}


def root_annotations(shapes: dict[str, ClassShape], public: set[str]) -> dict[str, str]:
    """RootModel class -> the annotation it wraps, when that annotation names only model classes,
    builtins and Literal/Any (written `_t.Literal`/`_t.Any`, as the resource modules import them)."""
    roots: dict[str, str] = {}
    for name, shape in shapes.items():
        if shape.wrapped is None:
            continue
        inner = ast.parse(shape.wrapped, mode="eval").body
        names = [n for n in ast.walk(inner) if isinstance(n, ast.Name)]
        if any(isinstance(n, ast.Attribute) for n in ast.walk(inner)) or not all(
            n.id in public or n.id in _ROOT_NAMES for n in names
        ):
            continue
        for node in names:
            if node.id in ("Literal", "Any"):
                node.id = "_t." + node.id  # unparsed as written
        roots[name] = ast.unparse(inner)
    return roots


def widen_literal_overrides(source: str) -> str:
    """Let a discriminator field's Literal in a base model admit the values of its subclasses.

    With a discriminator on an allOf chain (`PaymentRejectedOrReturned` extends
    `PaymentStatusChanged`, each with its own `sourceType` constant), datamodel-code-generator
    gives each class `source_type: Literal["its own value"]`, which mypy rejects as an
    incompatible override. An instance of the subclass is an instance of the base, so the base's
    Literal lists the subclass values too, and the override only narrows it.
    """
    if "Literal[" not in source:
        return source
    tree = ast.parse(source)
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    fields: dict[tuple[str, str], tuple[ast.Subscript, list[Any]]] = {}
    for cls in classes.values():
        for stmt in cls.body:
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                literal = _literal_node(stmt.annotation)
                if literal is not None:
                    fields[(cls.name, stmt.target.id)] = literal

    def ancestors(name: str, seen: set[str]) -> list[str]:
        found: list[str] = []
        for base in classes[name].bases if name in classes else []:
            if isinstance(base, ast.Name) and base.id in classes and base.id not in seen:
                seen.add(base.id)
                found += [base.id, *ancestors(base.id, seen)]
        return found

    widened: dict[tuple[str, str], list[Any]] = {}
    for (name, field_name), (_, values) in fields.items():
        for ancestor in ancestors(name, set()):
            key = (ancestor, field_name)
            if key in fields:
                current = widened.setdefault(key, list(fields[key][1]))
                current.extend(v for v in values if v not in current)
    if not widened:
        return source
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    edits = []
    for key, values in widened.items():
        node = fields[key][0]
        start = offsets[node.lineno - 1] + node.col_offset
        end = offsets[(node.end_lineno or node.lineno) - 1] + (node.end_col_offset or 0)
        edits.append((start, end, "Literal[" + ", ".join(repr(v) for v in values) + "]"))
    for start, end, text in sorted(edits, reverse=True):
        source = source[:start] + text + source[end:]
    return source


def _literal_node(annotation: ast.expr) -> tuple[ast.Subscript, list[Any]] | None:
    """The `Literal[...]` of constants in an annotation (bare or inside Annotated[...])."""
    for node in ast.walk(annotation):
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == "Literal":
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            if all(isinstance(i, ast.Constant) and isinstance(i.value, (str, int, bool)) for i in items):
                return node, [i.value for i in items if isinstance(i, ast.Constant)]
            return None
    return None


def override_name(schema: Any) -> str | None:
    """The class name a schema's x-specgen-name gives (a string, or `name` of the enum form)."""
    value = schema.get("x-specgen-name") if isinstance(schema, dict) else None
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) and value.strip() else None


def rename_enum_members(source: str, renames: dict[str, dict[str, str]]) -> str:
    """Enum members named by x-specgen-name `members` ({wire value: name}): the member and every
    `Class.MEMBER` (field defaults) take the spec's name."""
    if not renames or not source:
        return source
    lines = source.splitlines(keepends=True)
    references: dict[str, str] = {}
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.ClassDef) and node.name in renames):
            continue
        for stmt in node.body:
            if (
                isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)
                and isinstance(stmt.value, ast.Constant) and str(stmt.value.value) in renames[node.name]
            ):
                old, new = stmt.targets[0].id, pascal_member(renames[node.name][str(stmt.value.value)])
                line = lines[stmt.lineno - 1]
                lines[stmt.lineno - 1] = line[: stmt.col_offset] + new + line[stmt.col_offset + len(old) :]
                references[f"{node.name}.{old}"] = f"{node.name}.{new}"
    text = "".join(lines)
    for old, new in references.items():
        text = re.sub(rf"\b{re.escape(old)}\b", new, text)
    return text


def pascal_member(name: str) -> str:
    """A member name as given, made a safe identifier (the lint already requires one)."""
    return name if name.isidentifier() and not keyword.iskeyword(name) else f"{name}_"
