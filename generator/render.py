"""Intermediate model -> {relative path: source}. Writes nothing.

Templates only render the model: every name they print is a cleaned identifier from the model,
and every piece of spec text goes through a filter that makes it a literal (`pyrepr`) or safe
docstring text (`doc`), so no spec can inject code.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from functools import cache
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

import jinja2

from generator import __version__
from generator.atomic import TextCache, generator_digest
from generator.format import LINE_LENGTH
from generator.model import Api, Operation, Param, Resource
from generator.schemas import RUNTIME_ERRORS

if TYPE_CHECKING:
    from generator.split import ModelModules

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
RUNTIME = TEMPLATES / "runtime"

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_IDENT = re.compile(r"\b[A-Z][A-Za-z0-9_]*\b")


def pyrepr(value: Any) -> str:
    """A Python literal for plain JSON-like data (str, numbers, bools, None, lists, dicts)."""
    return repr(value)


class _TextOf(HTMLParser):
    """The text of an HTML fragment: block tags become line breaks, list items bullets."""

    _BLOCK = frozenset({"p", "div", "br", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BLOCK:
            self.out.append("\n\n" if tag in ("p", "ul", "ol", "table", "pre") or tag[0] == "h" else "\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "code":
            self.out.append("`")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCK:
            self.out.append("\n")
        elif tag == "code":
            self.out.append("`")

    def handle_data(self, data: str) -> None:
        self.out.append(data)


_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")


def plain(value: Any) -> str:
    """Spec text as plain text: HTML (public specs write `<p>Creates a customer.</p>`) loses its
    tags and entities; Markdown, already readable as text, stays."""
    text = str(value or "")
    if not _TAG.search(text):
        return text
    parser = _TextOf()
    parser.feed(text)
    parser.close()
    lines = [" ".join(line.split()) if not line.startswith("- ") else "- " + " ".join(line[2:].split())
             for line in "".join(parser.out).split("\n")]  # fmt: skip
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def doc(text: Any, indent: int = 0) -> str:
    """Spec text made safe inside a triple-quoted docstring, re-indented."""
    text = _CONTROL.sub("", plain(text)).replace("\r\n", "\n").replace("\r", "\n").strip()
    text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    if text.endswith('"'):
        text += " "
    pad = " " * indent
    return "\n".join((pad + line).rstrip() if line else "" for line in text.split("\n"))


def optional(annotation: str) -> str:
    return annotation if annotation.endswith("| None") or annotation in ("None", "_t.Any") else f"{annotation} | None"


def param(annotation: str, name: str, default: str = "") -> str:
    """A parameter's annotation as a method signature writes it, on a line of its own 8 spaces in: a
    union too long for that line comes in parentheses. There black puts it, and ruff then keeps it;
    left bare, ruff splits it at its `|`s and black would not (GitHub: 370 statements black had to
    redo, a third of all)."""
    if len(f"        {name}: {annotation}{default},") <= LINE_LENGTH or not _top_level_union(annotation):
        return annotation
    return f"({annotation})"


def _top_level_union(annotation: str) -> bool:
    depth, quote = 0, ""
    for i, char in enumerate(annotation):
        if quote:
            quote = "" if char == quote and annotation[i - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def one_line(text: Any) -> str:
    """Spec text for a Markdown table cell or a single line: no newlines, no pipes."""
    return re.sub(r"\s+", " ", _CONTROL.sub("", str(text or ""))).replace("|", "\\|").strip()


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """The templates compiled to Python bytecode, kept next to them in templates/__pycache__ as
    Python keeps a module's .pyc (and like it, outside SPECGEN_CACHE_DIR: it depends on specgen's
    own files only). Compiling them all costs a small spec's run ~0.2 s. jinja checks an entry
    against its template's source and this Python's version; the file names carry jinja's version
    and the options that decide the compiled code. An entry that cannot be read or written only
    means compiling again."""

    def __init__(self, options: dict[str, Any], folder: Path = TEMPLATES / "__pycache__") -> None:
        salt = hashlib.sha256(repr((jinja2.__version__, sorted(options.items()))).encode()).hexdigest()[:16]
        super().__init__(str(folder), f"{salt}-%s.jinja")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except (OSError, EOFError, pickle.UnpicklingError):  # unreadable: compiled
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            Path(self.directory).mkdir(exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:  # a read-only install: compiled again next time
            pass


@cache
def _environment() -> jinja2.Environment:
    # one per process: compiling the templates is worth keeping across the specs of a run
    options: dict[str, Any] = {
        "keep_trailing_newline": True, "trim_blocks": True, "lstrip_blocks": True, "autoescape": False
    }  # fmt: skip
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "package")),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_CompiledTemplates(options),
        **options,
    )
    env.filters.update(
        pyrepr=pyrepr, doc=doc, one_line=one_line, optional=optional, param=param, serialize=serialize_call
    )
    env.globals.update(method_doc=method_doc)
    return env


def compile_templates() -> None:
    """Compile every template into templates/__pycache__ now rather than on first use."""
    env = _environment()
    for name in env.list_templates():
        env.get_template(name)


_STATUS_ERRORS = {"400": "BadRequestError", "401": "AuthenticationError", "403": "PermissionDeniedError",
                  "404": "NotFoundError", "409": "ConflictError", "422": "UnprocessableEntityError",
                  "429": "RateLimitError"}  # fmt: skip


def _error_class(status: str) -> str:
    return "InternalServerError" if status.startswith("5") else _STATUS_ERRORS.get(status, "APIStatusError")


def _shown(annotation: str) -> str:
    """An annotation as a reader writes it: `list[Customer] | None`, not `_builtins.list[...]`."""
    return re.sub(r"(?<![\w.])_(?:t|builtins|uuid|dt|decimal|wire)\.", "", annotation)


def _sentences(*parts: str) -> str:
    """Non-empty parts as sentences: `The page size. Optional, query `limit`. At most 250.`"""
    out = []
    for part in parts:
        part = " ".join(plain(part).split()).rstrip(".")
        if part:
            out.append(part[0].upper() + part[1:] + ".")
    return " ".join(out)


def method_doc(op: Operation, part: str, indent: int = 8) -> str:
    """A method's docstring, safe and indented, after its summary line: part "text" is the
    description, "sections" the Google-style Args, Returns and Raises."""
    pad = " " * indent

    def entry(name: str, text: str) -> list[str]:
        body = doc(" ".join(plain(text).split()) or "-", 0)
        return [f"{pad}    {name}: {body}"]

    lines: list[str] = []
    described = op.description if op.description and op.description != op.summary else ""
    if described:
        lines += ["", doc(described, indent)]
    if op.deprecated:
        lines += ["", f"{pad}Deprecated by the API."]
    if part == "text":
        return "\n".join(lines)
    lines = []
    args: list[str] = []
    path_params = [p for p in op.params if p.location == "path"]
    others = [p for p in op.params if p.location != "path"]
    for p in [*path_params, *others]:
        where = "" if p.location == "path" else f"{'Required' if p.required else 'Optional'}, {p.location} `{one_line(p.wire_name)}`"
        args += entry(p.py_name, _sentences(p.description, where, p.constraints))
    body = op.body
    if body is not None:
        for f in body.fields:
            args += entry(f.py_name, _sentences(f.description, "Required" if f.required else "", f.constraints))
        if body.fields:
            model = f"`{body.model}`" if body.model else "the body"
            args += entry("body", f"the whole request body as {model}, instead of the field arguments.")
        else:
            args += entry("body", body.description or f"the request body ({body.media_type}).")
    if args:
        lines += ["", f"{pad}Args:", *args]
    if op.pagination is not None:
        item = op.pagination.item_annotation
        lines += ["", f"{pad}Returns:", f"{pad}    A pager over every `{doc(_shown(item))}` of every page, fetched lazily."]
    elif op.return_annotation not in ("None", ""):
        described = next((r.description for r in op.success if r.description.strip()), "")
        text = _sentences(f"`{_shown(op.return_annotation)}`" + (f": {plain(described)}" if described else ""))
        lines += ["", f"{pad}Returns:", f"{pad}    {doc(' '.join(text.split()))}"]
    raises: list[str] = []
    for r in op.errors:
        cls = _error_class(r.status) if r.status.isdigit() else "APIStatusError"
        model = f"`exc.body`: `{_shown(r.annotation)}`" if r.kind == "json" and r.annotation else ""
        raises += entry(cls, _sentences(f"{r.status}: {plain(r.description)}".rstrip(": "), model))
    raises += entry("APIStatusError", "any other non-2xx answer.")
    raises += entry("APIConnectionError", "the server could not be reached (APITimeoutError: it timed out).")
    lines += ["", f"{pad}Raises:", *raises]
    return "\n".join(lines)


def _context(api: Api) -> dict[str, Any]:
    """What every template may use."""
    return {"api": api, "header": header(api), "version": __version__, "runtime_errors": RUNTIME_ERRORS}


def header(api: Api, comment: str = "#") -> str:
    return (
        f"{comment} Generated by specgen {__version__} from {one_line(api.spec_name)}. Do not edit:\n"
        f"{comment} `make generate` overwrites this file. Hand-written code goes in custom/.\n"
    )


def serialize_call(p: Param) -> str:
    """The expression that serializes parameter `p` for the wire, in its style. Plain scalars (and
    form-exploded query lists) keep the short forms, which pagination reads back."""
    fmt = f", wire_format={p.wire_format!r}" if p.wire_format else ""
    media = f", media_type={p.media_type!r}" if p.media_type else ""
    if not p.styled:
        return f"_serialize.path({p.py_name})" if p.location == "path" else f"_serialize.param({p.py_name}{fmt})"
    name = repr(p.wire_name)
    if p.location == "path":
        return f"_serialize.styled_path({name}, {p.py_name}, {p.style!r}, {p.explode}{fmt}{media})"
    if p.location == "query":
        return f"_serialize.query({name}, {p.py_name}, {p.style!r}, {p.explode}, {p.allow_reserved}{fmt}{media})"
    if p.location == "header":
        return f"_serialize.header({p.py_name}, {p.explode}{fmt}{media})"
    return f"_serialize.cookie({name}, {p.py_name}, {p.explode}{fmt}{media})"


def path_parts(operation: Operation) -> list[tuple[str, str]]:
    """The path template as ("lit", text) and ("param", expression) pieces, for concatenation."""
    by_wire = {p.wire_name: p for p in operation.params if p.location == "path"}
    parts: list[tuple[str, str]] = []
    for piece in re.split(r"(\{[^}]+\})", operation.path):
        if piece.startswith("{") and piece[1:-1] in by_wire:
            parts.append(("param", serialize_call(by_wire[piece[1:-1]])))
        elif piece:
            parts.append(("lit", piece))
    return parts


_WORD = re.compile(r"\w+")
STRING_LITERAL = re.compile(r"'(?:\\.|[^'\\])*'|\"(?:\\.|[^\"\\])*\"")
_ALIAS_IMPORT = re.compile(r"^(?:from \S+ )?import \S+ as (_\w+)\n", re.MULTILINE)


def prune_imports(text: str) -> str:
    """Drop `import x as _alias` lines whose alias the module never uses: templates import every
    helper a method might need, and which ones a given API needs is only known after rendering."""
    matches = list(_ALIAS_IMPORT.finditer(text))
    if not matches:
        return text
    # one count of every word, not one search of the module per alias (GitHub: seconds)
    counts = Counter(_WORD.findall(text))
    for match in reversed(matches):
        alias, line = match.group(1), Counter(_WORD.findall(match.group(0)))
        if counts[alias] == line[alias]:
            text = text[: match.start()] + text[match.end() :]
            counts -= line
    return text


def models_in(texts: Iterable[str | None], model_names: Collection[str]) -> list[str]:
    """The model names that annotation texts mention (not inside the Literal["..."] of an enum's
    plain values)."""
    used: set[str] = set()
    for text in texts:
        used.update(n for n in _IDENT.findall(STRING_LITERAL.sub("", text or "")) if n in model_names)
    return sorted(used)


def model_imports(resource: Resource, model_names: set[str]) -> list[str]:
    """The models a resource module's annotations name (imported there for type checkers only)."""
    texts: list[str | None] = []
    for op in resource.operations:
        texts.extend(p.annotation for p in op.params)
        if op.body is not None:
            texts.append(op.body.annotation)
            texts.extend(f.annotation for f in op.body.fields)
        texts.append(op.pagination.item_annotation if op.pagination is not None else op.return_annotation)
    return models_in(texts, model_names)


def split_of(api: Api, cache_dir: Path | None = None) -> tuple[str, str, int, Path | None]:
    """The arguments of generator.split.split_models for the models package."""
    from generator.split import LAZY_CYCLE

    return api.models_source, header(api), LAZY_CYCLE, cache_dir and cache_dir / "split"


def render_models(
    api: Api, cache_dir: Path | None = None, split: ModelModules | None = None
) -> dict[PurePosixPath, str]:
    """The models package: one module per group of classes (generator.split), imported on first use.
    With `cache_dir`, what the split reads of each chunk of the models module is kept there.
    `split`: split_models(*split_of(api, cache_dir)), made elsewhere."""
    from generator.split import split_models

    models = PurePosixPath(api.stem) / api.package / "models"
    split = split or split_models(*split_of(api, cache_dir))
    files = {models / f"{name}.py": text for name, text in split.sources.items()}
    by_module: dict[str, list[str]] = {}
    for name, module in split.module_of.items():
        by_module.setdefault(module, []).append(name)
    files[models / "__init__.py"] = _environment().get_template("models_init.py.j2").render(
        _context(api),
        modules=sorted((m, sorted(names)) for m, names in by_module.items()),
        module_of=sorted(split.module_of.items()),
    )
    return files


def render_package(api: Api, cache_dir: Path | None = None) -> dict[PurePosixPath, str]:
    """Every file of the package. With `cache_dir`, the test modules' model imports (tests/) and
    the split's reading of the models module (split/) are kept there, so that unchanged text is
    not parsed again."""
    return {**render_code(api, cache_dir), **render_package_tests(api, cache_dir)}


def render_package_tests(api: Api, cache_dir: Path | None = None) -> dict[PurePosixPath, str]:
    """The package's test modules (render_package)."""
    from generator.render_tests import render_tests

    return render_tests(api, _environment(), _context(api), cache_dir and cache_dir / "tests")


def fingerprint(*parts: Any) -> str:
    """A digest of plain data and model objects, pickled: a cache key. Equal values pickled apart
    (a string shared in one run and copied in another) give another digest: only a cache miss."""
    return hashlib.sha256(pickle.dumps(parts, protocol=5)).hexdigest()


def outline(api: Api) -> str:
    """fingerprint() of what a module rendered for one resource may read of the API besides the
    resource: all of it but the other resources, the models' source and the document, and the
    model names (which the module imports)."""
    return fingerprint(replace(api, resources=[], models_source="", document={}), __version__, RUNTIME_ERRORS)


@cache
def render_salt() -> bytes:
    """The TextCache salt of rendered modules: the generator's whole code and templates (what a
    module is rendered with is spread over several files: generator_digest, as the stamps), and the
    pinned versions of what renders them and checks the tests' samples (jinja2, jsonschema:
    importlib.metadata takes 25 ms to say)."""
    lock = TEMPLATES.parent / "requirements.lock"
    pinned = lock.read_bytes() if lock.is_file() else b""
    return generator_digest().encode() + b"\0" + pinned + b"\0" + jinja2.__version__.encode()


def render_code(
    api: Api, cache_dir: Path | None = None, split: Callable[[], ModelModules | None] | None = None
) -> dict[PurePosixPath, str]:
    """The files of render_package but the tests. With `cache_dir`, each resource module is kept
    there by the digest of its resource and of the API's outline (resources/): a one-schema change
    renders again only the resources whose types or documentation it changes (GitHub: ~0.7 s for
    all 33). `split`: what gives the models' split made elsewhere meanwhile (render_models), asked
    for once the rest is rendered; None from it, the split is made here."""
    env = _environment()
    root = PurePosixPath(api.stem)
    pkg = root / api.package
    model_names = set(api.model_names)
    context = _context(api)
    store = TextCache(cache_dir / "resources", render_salt()) if cache_dir is not None else None
    shared = outline(api)
    files: dict[PurePosixPath, str] = {
        root / "pyproject.toml": env.get_template("pyproject.toml.j2").render(context),
        root / "README.md": env.get_template("README.md.j2").render(context),
        pkg / "__init__.py": env.get_template("__init__.py.j2").render(context),
        pkg / "_client.py": prune_imports(env.get_template("_client.py.j2").render(context)),
        pkg / "resources" / "__init__.py": env.get_template("resources_init.py.j2").render(context),
        pkg / "py.typed": "",
    }
    resources: dict[PurePosixPath, str] = {}
    resource_template = env.get_template("resource.py.j2")
    for resource in api.resources:
        key = shared + fingerprint(resource)
        text = store.get(key) if store is not None else None
        if text is None:
            text = prune_imports(
                resource_template.render(
                    context,
                    resource=resource,
                    models=model_imports(resource, model_names),
                    # the models a `_response_<op>()` or `_errors_<op>()` names, imported there at run time
                    models_in=lambda texts: models_in(texts, model_names),
                    path_parts=path_parts,
                )
            )
            if store is not None:
                store.put(key, text)
        resources[pkg / "resources" / f"{resource.attr}.py"] = text
    files.update(render_models(api, cache_dir, split() if split is not None else None))
    files.update(resources)
    for runtime_file in sorted(RUNTIME.glob("*.py")):
        files[pkg / runtime_file.name] = header(api) + runtime_file.read_text(encoding="utf-8")
    return files


def runtime_copies(api: Api) -> frozenset[PurePosixPath]:
    """The files of render_package copied verbatim from templates/runtime/ (already formatted)."""
    pkg = PurePosixPath(api.stem) / api.package
    return frozenset(pkg / f.name for f in RUNTIME.glob("*.py"))


# Files the generator creates once and then leaves to the package's owner.
def custom_files(api: Api) -> dict[PurePosixPath, str]:
    env = _environment()
    root = PurePosixPath(api.stem)
    context = _context(api)
    from generator.render_tests import custom_tests

    return {
        root / api.package / "custom" / "__init__.py": env.get_template("custom_init.py.j2").render(context),
        **custom_tests(api, env, context),
    }
