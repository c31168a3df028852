"""The intermediate model: what the templates render, and nothing they must work out themselves.

Names in here are already clean identifiers (generator.names); type annotations are Python source
built only from those identifiers and fixed names, never from raw spec text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from generator.names import ClassName, PyIdent

Location = Literal["path", "query", "header", "cookie"]
BodyKind = Literal["json", "form", "multipart", "binary", "text"]
ResponseKind = Literal["json", "binary", "text", "empty"]


@dataclass(frozen=True)
class TypeRef:
    """A type before the models exist. Resolved to annotation text once datamodel-code-generator
    has said which schemas became classes (generator.schemas.TypeResolver)."""

    kind: Literal["prim", "named", "list", "dict", "union", "optional", "field"]
    name: str = ""  # prim: annotation text; named: schema key in the model set; field: its class's
    args: tuple[TypeRef, ...] = ()
    member: str = ""  # field: the property's wire name (typed as that class's field is)


@dataclass
class Param:
    wire_name: str
    py_name: PyIdent
    location: Location
    required: bool
    type: TypeRef
    annotation: str = ""  # filled by the resolver
    description: str = ""
    # Serialization (OpenAPI style/explode/allowReserved; media_type: a `content` parameter).
    style: str = "form"
    explode: bool = True
    allow_reserved: bool = False
    media_type: str | None = None
    styled: bool = False  # needs the style-aware serializer (not a plain scalar or repeated list)
    wire_format: str | None = None  # x-wire-format of the parameter schema
    default: Any = None  # only for client options: the schema default
    has_default: bool = False
    example: Any = None  # the parameter's (or its schema's) example, for generated tests
    has_example: bool = False
    schema: Any = None  # the raw schema ($refs unresolved), for generated tests
    constraints: str = ""  # "at most 250; default 25", for the docstring


UploadRole = Literal["file", "filename", "media_type"]


@dataclass
class BodyField:
    wire_name: str
    py_name: PyIdent
    required: bool
    type: TypeRef
    annotation: str = ""
    description: str = ""
    # Set on the fields of an x-file-upload: "file" is the argument that replaces the base64
    # content field (bytes or a path); "filename" and "media_type" become optional str arguments.
    role: UploadRole | None = None
    constraints: str = ""  # for the docstring, as Param.constraints
    # A required field with a schema default: the argument is optional and, when left out, the
    # default is sent (the API expects the field on the wire).
    default: Any = None
    has_default: bool = False


@dataclass
class FileUpload:
    """x-file-upload on a request body schema: the method takes the file (bytes or a path) and
    fills the body's base64 content, file name and media type fields from it."""

    file: PyIdent  # the argument taking the file
    content: PyIdent  # local variable holding the base64 content (the content field's own name)
    filename: PyIdent  # the file-name argument
    media_type: PyIdent | None  # the media-type argument, when the body has such a field
    content_wire: str
    filename_wire: str
    media_type_wire: str | None


@dataclass
class Body:
    media_type: str
    kind: BodyKind
    required: bool
    type: TypeRef
    annotation: str = ""
    model: str | None = None  # class name when the body is a model class that fields build
    fields: list[BodyField] = field(default_factory=list)  # flattened keyword arguments
    upload: FileUpload | None = None  # x-file-upload: the fields one `file` argument fills
    description: str = ""
    example: Any = None
    has_example: bool = False
    schema: Any = None  # the raw media-type schema ($refs unresolved), for generated tests
    # Encoding Object per property (form and multipart): (style, explode, allowReserved, contentType)
    encoding: dict[str, tuple[str, bool, bool, str | None]] = field(default_factory=dict)


@dataclass
class Response:
    status: str  # "200", "4XX", "default"
    kind: ResponseKind
    media_type: str | None
    type: TypeRef | None
    annotation: str = ""
    description: str = ""
    example: Any = None
    has_example: bool = False
    schema: Any = None  # the raw media-type schema ($refs unresolved), for generated tests


@dataclass
class Pagination:
    style: Literal["cursor", "page"]
    items: str
    item_type: TypeRef
    item_annotation: str = ""
    cursor_param: str | None = None
    limit_param: str | None = None
    max_limit: int | None = None
    next_url: str | None = None
    page_param: str | None = None
    size_param: str | None = None
    total: str | None = None
    first_page: int = 1


@dataclass
class Operation:
    operation_id: str
    py_name: PyIdent
    method: str
    path: str
    pointer: str
    summary: str
    description: str
    params: list[Param]
    body: Body | None
    success: list[Response]
    errors: list[Response]
    idempotent: bool | None
    authenticated: bool
    deprecated: bool
    pagination: Pagination | None = None
    return_annotation: str = ""
    success_type: str = "None"  # ResponseSpec.success: the JSON body's type (an item's, paginated)
    response_body: Literal["json", "text", "bytes", "none", "any"] = "none"  # ResponseSpec.body
    empty_ok: bool = False  # an empty 2xx is documented beside a JSON one
    text_ok: bool = False  # a text/* 2xx is documented beside a JSON one
    accept: str = ""  # Accept header when the documented media types are not plain JSON


@dataclass
class Resource:
    attr: PyIdent
    class_name: ClassName
    tag: str
    description: str
    operations: list[Operation]


@dataclass
class SecurityScheme:
    key: str
    py_name: PyIdent  # the value of auth_scheme= selecting it
    kind: Literal["bearer", "basic", "header", "query", "cookie"]
    param_name: str = ""  # header/query/cookie name of an apiKey scheme
    description: str = ""


@dataclass
class ServerVariable:
    name: str
    default: str
    enum: list[str]
    description: str


@dataclass
class Api:
    stem: PyIdent  # generated/<stem>/
    package: PyIdent  # import name, <stem>_client
    title: str
    version: str
    description: str
    client_class: ClassName
    async_client_class: ClassName
    env_prefix: str
    server_url: str | None  # None: base_url is required
    server_variables: list[ServerVariable]
    resources: list[Resource]
    security: list[SecurityScheme]  # alternatives, default first
    client_options: list[Param]
    rate_limit: tuple[int, float] | None
    models_source: str = ""
    model_names: list[str] = field(default_factory=list)  # public classes of models.py
    spec_name: str = ""  # the spec's file name, for headers
    dist_version: str = "0.0.0"  # info.version when it is a valid PEP 440 version
    # why base_url is required when server_url is None (the client's error message)
    server_note: str = "base_url is required: the spec names no absolute server URL"
    document: dict[str, Any] = field(default_factory=dict, repr=False)  # resolves schema $refs for tests
