"""Load a spec file (YAML or JSON) into plain data, with line numbers available for messages.

Parsing uses the C loaders when present; the node tree that maps JSON pointers to lines is only
built when a message needs a line, so large specs pay nothing for it on the happy path.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostic, SpecError, escape_token, split_pointer

if TYPE_CHECKING:
    import yaml


@functools.cache
def _loaders() -> tuple[type[yaml.SafeLoader], type[yaml.SafeLoader]]:
    """The C safe loader (when PyYAML has libyaml), and a subclass of it that keeps dates as
    strings: YAML 1.1 turns 2021-01-28 into a date object, and OpenAPI documents are JSON data.
    Made on first use: a run that loads no YAML (a no-op generate) does not import PyYAML, whose
    import compiles its resolvers' regular expressions (~25 ms of a 0.13 s no-op)."""
    import yaml

    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class NoDatesLoader(loader):  # type: ignore[misc,valid-type,unused-ignore]
        pass

    NoDatesLoader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in loader.yaml_implicit_resolvers.items()
    }
    return loader, NoDatesLoader


SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Document:
    path: Path
    display: str
    text: str
    data: Any
    _lines: dict[str, int] | None = field(default=None, repr=False)

    def line_of(self, ptr: str) -> int | None:
        """Line of the deepest node that exists on the way to ptr (1-based), or None."""
        if self._lines is None:
            self._lines = _line_map(self.text)
        tokens = split_pointer(ptr)
        while True:
            key = "/" + "/".join(escape_token(t) for t in tokens)
            if key in self._lines:
                return self._lines[key]
            if not tokens:
                return None
            tokens = tokens[:-1]

    def diagnostic(self, ptr: str, message: str, **kw: Any) -> Diagnostic:
        return Diagnostic(file=self.display, pointer=ptr, message=message, line=self.line_of(ptr), **kw)


def display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load(path: Path) -> Document:
    """Read and parse; raise SpecError with one diagnostic when the file is unreadable or malformed."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Diagnostic(shown, "#", f"cannot read file: {exc}")]) from None
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError([Diagnostic(shown, "#", f"invalid JSON: {exc.msg}", line=exc.lineno)]) from None
    else:
        import yaml

        try:
            data = yaml.load(text, Loader=_loaders()[1])  # a safe loader subclass
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            raise SpecError([Diagnostic(shown, "#", f"invalid YAML: {problem}", line=line)]) from None
    if not isinstance(data, dict):
        raise SpecError([Diagnostic(shown, "#", "the document is not a mapping (an OpenAPI object)")])
    doc = Document(path=path, display=shown, text=text, data=data)
    if "swagger" in data and "openapi" not in data:
        raise SpecError([doc.diagnostic("#/swagger", _swagger_message(path, data["swagger"]))])
    return doc


def _swagger_message(path: Path, version: object) -> str:
    return (
        f"a Swagger {version} document; specgen reads OpenAPI 3.0 and 3.1: convert it first, e.g. "
        f"`npx swagger2openapi {path.name} --outfile {path.stem}.openapi.yaml` or https://converter.swagger.io"
    )


def spec_files(inputs: list[Path]) -> list[Path]:
    """Spec files named directly, plus those directly inside named folders, sorted for determinism."""
    found: list[Path] = []
    for item in inputs:
        if item.is_dir():
            found.extend(sorted(p for p in item.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file()))
        else:
            found.append(item)
    return found


def _line_map(text: str) -> dict[str, int]:
    if text.count("\n", 0, 10_000) < 2 and len(text) > 10_000:
        return {"/": 1}  # minified JSON: every node is on line 1, no need to compose megabytes
    import yaml

    try:
        root = yaml.compose(text, Loader=_loaders()[0])  # the C composer: ~20x faster on big specs
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}
    stack: list[tuple[yaml.Node, str]] = [(root, "")] if root is not None else []
    while stack:
        node, path = stack.pop()
        lines.setdefault(path or "/", node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                token = str(key.value).replace("~", "~0").replace("/", "~1")
                lines[f"{path}/{token}"] = key.start_mark.line + 1
                stack.append((value, f"{path}/{token}"))
        elif isinstance(node, yaml.SequenceNode):
            for i, value in enumerate(node.value):
                stack.append((value, f"{path}/{i}"))
    # lines keys use "/a/b"; the root is "/" and split_pointer("#") == [] maps to "/"
    return lines
