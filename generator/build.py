"""Document -> intermediate model. Returns the Api and diagnostics; never raises for spec content."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from generator.diagnostics import Diagnostic, Level, pointer
from generator.load import Document
from generator.model import (
    Api,
    Body,
    BodyField,
    FileUpload,
    Operation,
    Pagination,
    Param,
    Resource,
    Response,
    SecurityScheme,
    ServerVariable,
    TypeRef,
    UploadRole,
)
from generator.names import (
    ClassName,
    OperationShape,
    PyIdent,
    dedupe,
    method_names,
    package_stem,
    pascal,
    snake,
    words,
)
from generator.schemas import ModelSet

# The styles OpenAPI defines per location, the default first.
_STYLES = {
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keyword arguments every generated method already has, and names the method body uses.
_CALL_NAMES = {
    "self", "body", "options", "extra_headers", "extra_query", "timeout", "max_retries",
    "strict_response_validation", "_t", "_dt", "_parts",
}
# Attributes the client itself defines; a resource must not shadow them.
_CLIENT_ATTRS = {
    "close", "aclose", "request", "paginate", "base_url", "with_options", "copy", "timeout", "max_retries",
    "with_raw_response", "strict_response_validation",
}
# The client constructor's own arguments and the names its body uses: client options (parameters
# marked x-client-option) become constructor arguments too, so they must not take these.
_CONSTRUCTOR_NAMES = {
    "self", "super", "httpx", "api_key", "username", "password", "auth_scheme", "base_url", "timeout",
    "max_retries", "rate_limit", "http_client", "allow_insecure_http", "default_headers",
    "strict_response_validation",
}
# Documentation hosts (RFC 2606/6761) and local addresses: a spec's stand-in, never the API's home.
_PLACEHOLDER_HOST = re.compile(
    r"^((.+\.)?example\.(com|org|net)|(.+\.)?(example|invalid|localhost)|localhost|127(\.\d+){3}|0\.0\.0\.0|\[?::1\]?)$",
    re.IGNORECASE,
)
_JSON_MEDIA = re.compile(r"^application/([\w.+-]*\+)?json\b|^\*/\*$", re.IGNORECASE)
_BINARY_MEDIA = re.compile(
    r"^(application/(octet-stream|pdf|zip|gzip|x-tar|vnd\.[\w.+-]*)|image/|audio/|video/)", re.IGNORECASE
)


def _status_key(status: object) -> str:
    text = str(status)
    return text.upper() if re.fullmatch(r"[1-5]xx", text, re.IGNORECASE) else text


def _resource_classes(name: str) -> tuple[str, ...]:
    """The classes a resource module defines for resource class `name`."""
    return name, "Async" + name, name + "WithRawResponse", "Async" + name + "WithRawResponse"


class _Builder:
    def __init__(self, doc: Document, stem: str) -> None:
        self.doc = doc
        self.data: dict[str, Any] = doc.data
        self.diagnostics: list[Diagnostic] = []
        self.stem = package_stem(stem)
        self.package = PyIdent(f"{self.stem}_client")
        self.models = ModelSet(self.data, self.package)
        self._option_names = set(_CONSTRUCTOR_NAMES)

    def warn(self, ptr: str, message: str) -> None:
        self.diagnostics.append(self.doc.diagnostic(ptr, message, level=Level.WARNING))

    def deref(self, node: Any) -> Any:
        seen = 0
        while isinstance(node, dict) and isinstance(node.get("$ref"), str) and seen < 32:
            try:
                node = self.models.deref(node["$ref"])
            except (KeyError, IndexError, ValueError):
                return {}
            seen += 1
        return node

    # -- the whole API -------------------------------------------------------------------------

    def build(self) -> Api:
        info = self.data.get("info") or {}
        title = str(info.get("title") or self.stem)
        title_words = words(re.sub(r"\(.*?\)", " ", title))
        while len(title_words) > 1 and title_words[-1].lower() in ("api", "client", "rest"):
            title_words.pop()  # "Notify API" -> NotifyClient, not NotifyAPIClient
        base = pascal(" ".join(title_words), fallback=pascal(self.stem))
        security = self._security()
        client_options: dict[str, Param] = {}
        resources: dict[str, Resource] = {}
        shapes: dict[str, list[OperationShape]] = {}
        for path, item in (self.data.get("paths") or {}).items():
            item = self.deref(item)
            if not isinstance(item, dict):
                continue
            for method in METHODS:
                op = item.get(method)
                if not isinstance(op, dict):
                    continue
                ptr = pointer("paths", path, method)
                operation, tag = self._operation(path, method, item, op, ptr, security, client_options)
                resource = self._resource(tag, path, resources)
                resource.operations.append(operation)
                override = op.get("x-specgen-name")
                shapes.setdefault(resource.attr, []).append(
                    OperationShape(method, path, op.get("operationId") if isinstance(op.get("operationId"), str) else None,
                                   override if isinstance(override, str) else None)
                )
        for resource in resources.values():
            names, notes = method_names(resource.tag, shapes[resource.attr])
            for operation, name in zip(resource.operations, names, strict=True):
                operation.py_name = name
            for index, message in notes:
                self.warn(resource.operations[index].pointer, f"{message} ({resource.attr})")
        webhooks = self.data.get("webhooks")
        if isinstance(webhooks, dict) and webhooks and not shapes:
            self.diagnostics.append(
                self.doc.diagnostic(
                    "#/webhooks",
                    f"the document describes {len(webhooks)} webhook(s) and no operations: the client has no "
                    "methods; the webhook payload schemas under components are generated as models",
                    level=Level.WARNING,
                    rule="degraded",
                )
            )
        server_url, variables = self._server()
        server_note = None
        if server_url is not None and _PLACEHOLDER_HOST.match(urlsplit(server_url).hostname or ""):
            server_note = f"base_url is required: the spec's server {server_url} is a placeholder"
            server_url = None
        rate = self.data.get("x-rate-limit")
        rate_limit = (int(rate["requests"]), float(rate["period"])) if isinstance(rate, dict) else None
        api = Api(
            stem=self.stem,
            package=self.package,
            title=title,
            version=str(info.get("version") or "0"),
            description=str(info.get("description") or ""),
            client_class=ClassName(f"{base}Client"),
            async_client_class=ClassName(f"Async{base}Client"),
            env_prefix=self.stem.upper(),
            server_url=server_url,
            server_variables=variables,
            resources=list(resources.values()),
            security=security,
            client_options=list(client_options.values()),
            rate_limit=rate_limit,
            document=self.data,
        )
        if server_note:
            api.server_note = server_note
        return api

    def _resource(self, tag: str | None, path: str, resources: dict[str, Resource]) -> Resource:
        if not tag:
            segments = [s for s in path.split("/") if s and not s.startswith("{")]
            tag = next((s for s in segments if not re.fullmatch(r"v\d+|api", s, re.IGNORECASE)), "default")
        attr = snake(tag, fallback="default")
        if attr in _CLIENT_ATTRS:
            attr = PyIdent(attr + "_")
        if attr not in resources:
            description = ""
            for entry in self.data.get("tags") or []:
                if isinstance(entry, dict) and entry.get("name") == tag:
                    description = str(entry.get("description") or "")
            # resource modules import models by name, so a schema called `PetsResource` must not
            # share its name with the resource class
            base = class_name = pascal(attr) + "Resource"
            n = 1
            while not self.models.claim(*_resource_classes(class_name)):
                n += 1
                class_name = f"{base}{n}"
            resources[attr] = Resource(
                attr=attr, class_name=ClassName(class_name), tag=tag, description=description, operations=[]
            )
        return resources[attr]

    def _server(self) -> tuple[str | None, list[ServerVariable]]:
        servers = self.data.get("servers") or []
        if not servers or not isinstance(servers[0], dict):
            return None, []
        url = str(servers[0].get("url") or "")
        variables = []
        for name, var in (servers[0].get("variables") or {}).items():
            var = var if isinstance(var, dict) else {}
            default = str(var.get("default", ""))
            variables.append(
                ServerVariable(name, default, [str(e) for e in var.get("enum") or []], str(var.get("description") or ""))
            )
            url = url.replace("{" + name + "}", default)
        if not re.match(r"^https?://[^{}\s]+$", url):
            return None, variables  # relative or unresolvable: the caller must pass base_url
        return url.rstrip("/"), variables

    def _security(self) -> list[SecurityScheme]:
        schemes = (self.data.get("components") or {}).get("securitySchemes") or {}
        order: list[str] = []
        requirements = list(self.data.get("security") or [])
        for op_item in (self.data.get("paths") or {}).values():
            for method in METHODS:
                op = op_item.get(method) if isinstance(op_item, dict) else None
                if isinstance(op, dict):
                    requirements.extend(op.get("security") or [])
        for req in requirements:
            for key in req if isinstance(req, dict) else []:
                if key not in order:
                    order.append(key)
        result: list[SecurityScheme] = []
        taken: set[str] = set()
        for key in order:
            raw = self.deref(schemes.get(key))
            if not isinstance(raw, dict):
                continue
            kind: Any
            scheme_type = raw.get("type")
            param_name = ""
            if scheme_type == "http" and str(raw.get("scheme", "")).lower() == "basic":
                kind = "basic"
            elif scheme_type in ("http", "oauth2", "openIdConnect"):
                kind = "bearer"
            elif scheme_type == "apiKey" and raw.get("in") in ("header", "query", "cookie"):
                kind, param_name = raw["in"], str(raw.get("name") or "")
            else:
                self.warn(pointer("components", "securitySchemes", key), "unsupported security scheme; ignored")
                continue
            result.append(
                SecurityScheme(key, PyIdent(dedupe(snake(key), taken)), kind, param_name, str(raw.get("description") or ""))
            )
        return result

    # -- one operation -------------------------------------------------------------------------

    def _operation(
        self,
        path: str,
        method: str,
        item: dict[str, Any],
        op: dict[str, Any],
        ptr: str,
        security: list[SecurityScheme],
        client_options: dict[str, Param],
    ) -> tuple[Operation, str | None]:
        op_id = op.get("operationId")
        if not isinstance(op_id, str) or not op_id.strip():
            op_id = method + "_" + "_".join(re.sub(r"[{}]", "", s) for s in path.split("/") if s)
        base_hint = pascal(op_id)
        taken = set(_CALL_NAMES)
        params = self._params(item, op, ptr, base_hint, taken, client_options)
        body = self._body(op, ptr, base_hint, taken)
        success, errors = self._responses(op, ptr, base_hint)
        tags = op.get("tags")
        tag = str(tags[0]) if isinstance(tags, list) and tags else None
        x_idem = op.get("x-idempotent")
        op_security = op.get("security", self.data.get("security"))
        operation = Operation(
            operation_id=op_id,
            py_name=snake(op_id, fallback=method),
            method=method.upper(),
            path=path,
            pointer=ptr,
            summary=str(op.get("summary") or ""),
            description=str(op.get("description") or ""),
            params=params,
            body=body,
            success=success,
            errors=errors,
            idempotent=bool(x_idem) if isinstance(x_idem, bool) else None,
            authenticated=bool(op_security) and bool(security),
            deprecated=bool(op.get("deprecated")),
        )
        pagination = op.get("x-pagination")
        if isinstance(pagination, dict):
            operation.pagination = self._pagination(pagination, success, ptr, base_hint)
            limit, most = pagination.get("limit_param"), pagination.get("max_limit")
            for param in params:
                if param.wire_name == limit and isinstance(most, int) and "at most" not in param.constraints:
                    param.constraints = "; ".join(filter(None, [f"at most {most}", param.constraints]))
        return operation, tag

    def _params(
        self,
        item: dict[str, Any],
        op: dict[str, Any],
        ptr: str,
        hint: str,
        taken: set[str],
        client_options: dict[str, Param],
    ) -> list[Param]:
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for source, raw_list in (("path-item", item.get("parameters")), ("operation", op.get("parameters"))):
            for i, raw in enumerate(raw_list or []):
                resolved = self.deref(raw)
                if not isinstance(resolved, dict) or "name" not in resolved:
                    continue
                where = ptr.rsplit("/", 1)[0] if source == "path-item" else ptr
                merged[(str(resolved["name"]), str(resolved.get("in")))] = (resolved, f"{where}/parameters/{i}")
        params: list[Param] = []
        for (name, location), (raw, p_ptr) in merged.items():
            if location not in ("path", "query", "header", "cookie"):
                continue
            if location == "header" and name.lower() in ("authorization", "content-type", "accept"):
                continue  # set by the client from security and the body
            schema = raw.get("schema")
            media_type = None
            if not isinstance(schema, dict):
                raw_content = raw.get("content")
                content: dict[str, Any] = raw_content if isinstance(raw_content, dict) else {}
                media_type = next(iter(content), None)
                schema = next((m.get("schema") for m in content.values() if isinstance(m, dict)), {})
            resolved_schema = self.deref(schema) if isinstance(schema, dict) else {}
            style = raw.get("style")
            if not isinstance(style, str) or style not in _STYLES[location]:
                if style is not None:
                    self.warn(p_ptr + "/style", f"style {style!r} is not defined for {location} parameters; using the default")
                style = _STYLES[location][0]
            explode = raw.get("explode")
            explode = explode if isinstance(explode, bool) else style == "form"
            allow_reserved = raw.get("allowReserved") is True and location == "query"
            param = Param(
                wire_name=name,
                py_name=snake(name),
                location=location,  # type: ignore[arg-type]
                required=bool(raw.get("required")) or location == "path",
                type=self.models.type_of(schema, hint + pascal(name)),
                description=str(raw.get("description") or ""),
                style=style,
                explode=explode,
                allow_reserved=allow_reserved,
                media_type=media_type,
                styled=media_type is not None or allow_reserved or not self._plain_param(resolved_schema, location, style, explode),
                wire_format=resolved_schema.get("x-wire-format") if isinstance(resolved_schema, dict) else None,
                schema=schema,
                constraints=constraints(resolved_schema),
            )
            for holder in (raw, resolved_schema):
                if isinstance(holder, dict) and "example" in holder and not param.has_example:
                    param.example, param.has_example = holder["example"], True
            if raw.get("x-client-option") is True and location in ("query", "header"):
                if "default" in resolved_schema:
                    param.default, param.has_default = resolved_schema["default"], True
                if name not in client_options:
                    param.py_name = PyIdent(dedupe(param.py_name, self._option_names))
                    client_options[name] = param
                continue
            param.py_name = PyIdent(dedupe(param.py_name, taken))
            params.append(param)
        # Path parameters first, in template order: they are positional.
        template = re.findall(r"{([^}]+)}", ptr.split("/")[2].replace("~1", "/").replace("~0", "~"))
        order = {n: i for i, n in enumerate(template)}
        declared = {p.wire_name for p in params if p.location == "path"}
        # Validation reported these (an error in a curated spec): degrade, don't fail.
        params = [p for p in params if p.location != "path" or p.wire_name in order]
        for name in template:
            if name not in declared:
                declared.add(name)
                params.append(
                    Param(name, PyIdent(dedupe(snake(name), taken)), "path", True, TypeRef("prim", "str"), styled=False)
                )
        params.sort(key=lambda p: (p.location != "path", order.get(p.wire_name, 0) if p.location == "path" else 0))
        return params

    def _plain_param(self, schema: Any, location: str, style: str, explode: bool) -> bool:
        """Whether the plain serializers send the parameter as its style says: a scalar, or (in a
        form-exploded query) a list of scalars repeating the key."""
        shape = self._shape(schema)
        if shape == "scalar":
            return location != "path" or style == "simple"
        return shape == "array" and (location == "header" or (location == "query" and style == "form" and explode))

    def _shape(self, schema: Any, depth: int = 0) -> str:
        """"scalar", "array" (of scalars) or "object" (anything structured or unknown)."""
        schema = self.deref(schema)
        if not isinstance(schema, dict) or depth > 8:
            return "object"
        for key in ("oneOf", "anyOf", "allOf"):
            if isinstance(schema.get(key), list):
                shapes = {self._shape(s, depth + 1) for s in schema[key]}
                return shapes.pop() if len(shapes) == 1 else "object"
        types = schema.get("type")
        types = {types} if isinstance(types, str) else set(types) if isinstance(types, list) else set()
        types.discard("null")
        if types and types <= {"string", "integer", "number", "boolean"}:
            return "scalar"
        if types == {"array"} or (not types and "items" in schema):
            return "array" if self._shape(schema.get("items"), depth + 1) == "scalar" else "object"
        if not types and "enum" in schema:
            return "scalar"
        return "object"

    def _encoding(self, media_obj: dict[str, Any], kind: str) -> dict[str, tuple[str, bool, bool, str | None]]:
        encoding = media_obj.get("encoding")
        result: dict[str, tuple[str, bool, bool, str | None]] = {}
        for prop, raw in (encoding.items() if isinstance(encoding, dict) else []):
            if not isinstance(raw, dict):
                continue
            style = raw.get("style") if raw.get("style") in _STYLES["query"] else "form"
            explode = raw.get("explode")
            content_type = raw.get("contentType")
            result[str(prop)] = (
                str(style),
                explode if isinstance(explode, bool) else style == "form",
                raw.get("allowReserved") is True,
                content_type if isinstance(content_type, str) else None,
            )
        return result

    def _body(self, op: dict[str, Any], ptr: str, hint: str, taken: set[str]) -> Body | None:
        raw = self.deref(op.get("requestBody"))
        content = raw.get("content") if isinstance(raw, dict) else None
        if not isinstance(content, dict) or not content:
            return None
        media, kind = _pick_body_media(content)
        if media is None or kind is None:
            self.warn(ptr + "/requestBody", f"unsupported request media types {sorted(content)}; sent as raw bytes")
            media, kind = next(iter(content)), "binary"
        media_obj = content[media] if isinstance(content[media], dict) else {}
        schema = media_obj.get("schema") or {}
        body = Body(
            media_type=media,
            kind=kind,  # type: ignore[arg-type]
            required=bool(raw.get("required")),
            type=TypeRef("prim", "bytes") if kind == "binary" else TypeRef("prim", "str") if kind == "text"
            else self.models.type_of(schema, hint + "Request"),
            description=str(raw.get("description") or ""),
        )
        if "example" in media_obj:
            body.example, body.has_example = media_obj["example"], True
        body.schema = schema
        if kind in ("form", "multipart"):
            body.encoding = self._encoding(media_obj, kind)
        resolved = self.deref(schema)
        if kind in ("json", "form", "multipart") and isinstance(resolved, dict) and _flattenable(resolved):
            required = set(resolved.get("required") or [])
            if body.type.kind == "named":
                body.model = body.type.name
            for prop, prop_schema in (resolved.get("properties") or {}).items():
                if isinstance(prop_schema, dict) and prop_schema.get("readOnly") is True:
                    continue
                prop_resolved = self.deref(prop_schema)
                has_default = prop in required and isinstance(prop_resolved, dict) and "default" in prop_resolved
                body.fields.append(
                    BodyField(
                        wire_name=str(prop),
                        py_name=PyIdent(dedupe(snake(str(prop)), taken)),
                        required=prop in required and not has_default,
                        type=self._field_type(prop_schema, kind, hint + pascal(str(prop)), body.model, str(prop)),
                        description=str((prop_schema or {}).get("description") or "") if isinstance(prop_schema, dict) else "",
                        constraints=constraints(self.deref(prop_schema)),
                        default=prop_resolved["default"] if has_default else None,
                        has_default=has_default,
                    )
                )
            if "x-file-upload" in resolved:
                body.upload = self._file_upload(resolved["x-file-upload"], body, ptr + "/requestBody", taken)
        return body

    def _file_upload(self, raw: Any, body: Body, where: str, taken: set[str]) -> FileUpload | None:
        """x-file-upload: the content field becomes a `file` argument (bytes or a path), the file
        name and media type fields optional str arguments the runtime fills in from the file."""
        by_wire = {f.wire_name: f for f in body.fields}
        names = [raw.get(key) for key in ("content", "filename", "mediaType")] if isinstance(raw, dict) else []
        content, filename, media_type = names or (None, None, None)
        given = [n for n in names if n is not None]
        if not (
            isinstance(content, str) and isinstance(filename, str)
            and all(isinstance(n, str) and n in by_wire for n in given)
            and len(set(given)) == len(given)
        ):
            self.warn(
                where,
                "x-file-upload must name distinct body properties for content and filename (and "
                "optionally mediaType); ignored",
            )
            return None
        content_field = by_wire[content]
        upload = FileUpload(
            file=PyIdent(dedupe("file", taken)),
            content=content_field.py_name,
            filename=by_wire[filename].py_name,
            media_type=by_wire[media_type].py_name if isinstance(media_type, str) else None,
            content_wire=content,
            filename_wire=filename,
            media_type_wire=media_type if isinstance(media_type, str) else None,
        )
        roles: dict[str, UploadRole] = {filename: "filename"}
        if isinstance(media_type, str):
            roles[media_type] = "media_type"
        fields: list[BodyField] = []
        for f in body.fields:
            if f.wire_name == content:
                f = BodyField(
                    wire_name=f.wire_name,
                    py_name=upload.file,
                    required=f.required,
                    type=TypeRef("prim", "_FileInput"),
                    description=f.description,
                    role="file",
                )
            elif f.wire_name in roles:
                # Derived from the file when not given (the runtime requires a name for bytes).
                f.required, f.type, f.role = False, TypeRef("prim", "str"), roles[f.wire_name]
            fields.append(f)
        body.fields = fields
        return upload

    def _field_type(self, schema: Any, kind: str, hint: str, model: str | None, prop: str) -> TypeRef:
        resolved = self.deref(schema)
        if kind == "multipart" and isinstance(resolved, dict) and resolved.get("format") == "binary":
            return TypeRef("prim", "bytes")
        return self.models.type_of(schema, hint) if model is None else self.models.field_type(schema, hint, model, prop)

    def _responses(self, op: dict[str, Any], ptr: str, hint: str) -> tuple[list[Response], list[Response]]:
        # YAML reads an unquoted `200:` as an int; ranges are matched by the runtime as "4XX"
        responses = {_status_key(k): v for k, v in (op.get("responses") or {}).items()}
        statuses = sorted(responses)
        success_codes = [s for s in statuses if s.startswith("2")] or [s for s in statuses if s == "default"]
        success: list[Response] = []
        errors: list[Response] = []
        for status in statuses:
            is_success = status in success_codes
            if not is_success and not re.fullmatch(r"[45]\d\d|[45]XX|default", status, re.IGNORECASE):
                continue
            raw = self.deref(responses[status])
            content = raw.get("content") if isinstance(raw, dict) else None
            suffix = "" if len(success_codes) == 1 and is_success else status
            name = hint + ("Response" if is_success else "Error") + suffix
            response = Response(status=status, kind="empty", media_type=None, type=None,
                                description=str((raw or {}).get("description") or "") if isinstance(raw, dict) else "")
            if isinstance(content, dict) and content:
                media = next((m for m in content if _JSON_MEDIA.match(m)), None)
                media_obj = content.get(media) if media else None
                if media is not None and isinstance(media_obj, dict):
                    response.kind, response.media_type = "json", media
                    response.type = self.models.type_of(media_obj.get("schema") or {}, name)
                    response.schema = media_obj.get("schema") or {}
                    if "example" in media_obj:
                        response.example, response.has_example = media_obj["example"], True
                else:
                    media = next(iter(content))
                    media_obj = content[media] if isinstance(content[media], dict) else {}
                    schema = self.deref(media_obj.get("schema") or {})
                    is_text = media.lower().startswith("text/") and schema.get("format") != "binary"
                    response.kind = "text" if is_text else "binary"
                    response.media_type = media
            (success if is_success else errors).append(response)
        return success, errors

    def _pagination(
        self, raw: dict[str, Any], success: list[Response], ptr: str, hint: str
    ) -> Pagination | None:
        body = next((r for r in success if r.kind == "json"), None)
        if body is None:
            self.warn(ptr + "/x-pagination", "paginated operation has no JSON success response; not paginated")
            return None
        schema: Any = self.deref(body.schema)
        items_path = str(raw.get("items") or "")
        for token in [t for t in items_path.split(".") if t]:
            schema = self.deref((schema.get("properties") or {}).get(token)) if isinstance(schema, dict) else None
        if not isinstance(schema, dict) or not (schema.get("type") == "array" or "items" in schema):
            self.warn(ptr + "/x-pagination", f"items path {items_path!r} does not lead to an array; not paginated")
            return None
        style = raw.get("style")
        return Pagination(
            style="page" if style == "page" else "cursor",
            items=items_path,
            item_type=self.models.type_of(schema.get("items") or {}, hint + "Item"),
            cursor_param=raw.get("cursor_param"),
            limit_param=raw.get("limit_param"),
            max_limit=raw.get("max_limit"),
            next_url=raw.get("next_url"),
            page_param=raw.get("page_param"),
            size_param=raw.get("size_param"),
            total=raw.get("total"),
            first_page=int(raw.get("first_page", 1)),
        )


def _pick_body_media(content: dict[str, Any]) -> tuple[str | None, str | None]:
    for media in content:
        if _JSON_MEDIA.match(media):
            return media, "json"
    for media in content:
        lowered = media.lower()
        if lowered.startswith("application/x-www-form-urlencoded"):
            return media, "form"
        if lowered.startswith("multipart/"):
            return media, "multipart"
    for media in content:
        if media.lower().startswith("text/"):
            return media, "text"
    for media in content:
        return media, "binary"
    return None, None


def _flattenable(schema: dict[str, Any]) -> bool:
    return bool(schema.get("properties")) and not any(k in schema for k in ("oneOf", "anyOf", "allOf"))


def build_api(doc: Document, stem: str) -> tuple[Api, ModelSet, list[Diagnostic]]:
    builder = _Builder(doc, stem)
    api = builder.build()
    return api, builder.models, builder.diagnostics


def constraints(schema: Any) -> str:
    """A schema's limits in words, for a docstring: `at least 1; at most 250; default 25`."""
    if not isinstance(schema, dict):
        return ""
    parts: list[str] = []
    for key, text in (("minimum", "at least {}"), ("exclusiveMinimum", "more than {}"), ("maximum", "at most {}"),
                      ("exclusiveMaximum", "less than {}"), ("minLength", "at least {} characters"),
                      ("maxLength", "at most {} characters"), ("minItems", "at least {} items"),
                      ("maxItems", "at most {} items"), ("pattern", "matches `{}`"), ("format", "format {}")):  # fmt: skip
        value = schema.get(key)
        if value is not None and not isinstance(value, (dict, list, bool)):
            parts.append(text.format(value))
    if "default" in schema and not isinstance(schema["default"], (dict, list)):
        parts.append(f"default {schema['default']!r}")
    if schema.get("deprecated") is True:
        parts.append("deprecated")
    return "; ".join(parts)
