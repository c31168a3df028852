"""Hostile specs (tests/fixtures/hostile/): spec text can neither inject code nor write outside the
output folder, and odd names become valid, distinct identifiers while wire names stay intact.

Every payload in the fixtures, if it ever ran, would create the canary file (@CANARY@ is replaced by
a fresh path per test) or set SPECGEN_PWNED. Each test generates into tmp_path with the real CLI,
compiles every generated file, imports every module of the package in a subprocess and calls
operations through httpx.MockTransport, then checks that nothing ran and nothing was written
outside the output folder.
"""

from __future__ import annotations

import ast
import json
import keyword
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

from generator.names import package_stem, pascal, snake
from tests.conftest import FIXTURES, models_source, run_specgen

HOSTILE = FIXTURES / "hostile"


class Generated:
    def __init__(self, tmp_path: Path, fixture: str, spec_name: str | None = None) -> None:
        self.tmp = tmp_path
        self.canary = tmp_path / f"specgen-canary-{uuid.uuid4().hex}"
        spec_dir = tmp_path / "hostile-specs"
        spec_dir.mkdir()
        self.spec = spec_dir / (spec_name or fixture)
        text = (HOSTILE / fixture).read_text(encoding="utf-8")
        self.spec.write_text(text.replace("@CANARY@", str(self.canary)), encoding="utf-8")
        self.out = tmp_path / "out"
        # A deep working directory: a title or name resolved against cwd with ../ would land in
        # tmp_path/cwd, where the listing below sees it.
        cwd = tmp_path / "cwd" / "a" / "b"
        cwd.mkdir(parents=True)
        before = _listing(tmp_path)
        self.result = run_specgen("generate", str(self.spec), "--out", str(self.out), cwd=cwd)
        written = _listing(tmp_path) - before
        self.outside = sorted(p for p in written if not p.startswith("out/") and p != "out")

    def package(self) -> Path:
        [package] = [p for p in self.out.iterdir() if p.is_dir() and not p.name.startswith(".")]
        return package

    def run(self, code: str) -> dict[str, object]:
        """Import every module of the package, then run `code` (with `client`, `sent` and `module`
        set up) in a fresh interpreter; returns what the code stores in `report`."""
        package = self.package()
        script = _HARNESS.replace("@EXERCISE@", textwrap.indent(textwrap.dedent(code), "    "))
        proc = subprocess.run(
            [sys.executable, "-c", script, f"{package.name}_client"],
            cwd=package, capture_output=True, text=True, timeout=120, check=False,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(package), "PYTHONDONTWRITEBYTECODE": "1"},
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert not self.canary.exists(), "a payload from the spec ran while importing or calling"
        return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _listing(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


_HARNESS = '''
import functools, importlib, inspect, json, os, pkgutil, sys
import httpx

name = sys.argv[1]
module = importlib.import_module(name)
for info in pkgutil.walk_packages(module.__path__, name + "."):
    importlib.import_module(info.name)
sent = []
RESPONSE = {}

def handler(request):
    sent.append(request)
    return httpx.Response(200, json=RESPONSE.get("json"))

client_name = [n for n in module.__all__ if n.endswith("Client") and not n.startswith("Async")][0]
client_cls = getattr(module, client_name)
kwargs = {"base_url": "https://api.example.com", "http_client": httpx.Client(transport=httpx.MockTransport(handler))}
if "api_key" in inspect.signature(client_cls).parameters:
    kwargs["api_key"] = "k"
report = {"client": client_name}

def main():
    client = client_cls(**kwargs)
@EXERCISE@

main()
assert "SPECGEN_PWNED" not in os.environ, "SPECGEN_PWNED"
print(json.dumps(report, default=str))
'''


def _check_sources(package: Path) -> None:
    """Every generated .py file compiles (without writing .pyc into the output)."""
    files = sorted(package.rglob("*.py"))
    assert files
    for file in files:
        compile(file.read_text(encoding="utf-8"), str(file), "exec")


def _assert_safe(gen: Generated) -> None:
    assert gen.result.returncode == 0, gen.result.stderr
    assert "Traceback" not in gen.result.stderr
    assert not gen.outside, f"generate wrote outside --out: {gen.outside}"
    assert [p.name for p in gen.out.iterdir() if not p.name.startswith(".")] == [gen.package().name]
    _check_sources(gen.package())


# -- injection: payloads in every place spec text lands ---------------------------------------

_INJECTION_CALL = '''
resource_names = [n for n, v in vars(type(client)).items() if isinstance(v, functools.cached_property)]
assert len(resource_names) == 1, resource_names
resource = getattr(client, resource_names[0])
[method_name] = [n for n in vars(type(resource)) if not n.startswith("_") and n != "with_raw_response"]
method = getattr(resource, method_name)
params = inspect.signature(method).parameters
positional = [p for p in params.values() if p.kind is p.POSITIONAL_ONLY]
wire = 'note"\\'\\'\\'\\\\'
RESPONSE["json"] = {wire: "ok", "kind": "\\'\\'\\'"}
q_name = [n for n in params if n.startswith("q_")][0]
header_name, cookie_name = "x_evil", "c"
result = method(*["id/1" for _ in positional], note="v", **{q_name: "{{ 7*7 }}", header_name: "h", cookie_name: "c"})
request = sent[-1]
report.update(
    method=method_name, params=list(params), positional=len(positional),
    url=str(request.url), query=list(request.url.params.multi_items()),
    headers={k: v for k, v in request.headers.items()}, body=json.loads(request.content),
    result=type(result).__name__, doc=module.__doc__, client_doc=client_cls.__doc__,
    version=module.__version__,
)
client.close()
'''


def test_injection_payloads_stay_inert_text(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "injection.yaml")
    _assert_safe(gen)
    report = gen.run(_INJECTION_CALL)
    payload_marker = '__import__("pathlib").Path('
    # Text survived as text: docstrings hold it verbatim, Jinja syntax untouched.
    assert payload_marker in str(report["client_doc"]) and "{{ 7*7 }}" in str(report["client_doc"])
    assert "{% raw %}" in str(report["client_doc"])
    assert report["version"] == "0.0.0"  # info.version is no PEP 440 version: the package's is 0.0.0
    # Identifiers are clean and the wire names went out as written in the spec.
    for name in report["params"]:  # type: ignore[union-attr]
        assert str(name).isidentifier() and not keyword.iskeyword(str(name)), name
    assert str(report["method"]).isidentifier()
    assert report["positional"] == 1
    query = dict(report["query"])  # type: ignore[call-overload]
    assert query == {f'q"); __import__("pathlib").Path("{gen.canary}").touch()  #': "{{ 7*7 }}"}
    headers = report["headers"]
    assert headers["x-evil\"'''\\"] == "h"  # type: ignore[index]
    key_header = f'X-Key"); __import__("pathlib").Path("{gen.canary}").touch()  #'.lower()
    assert headers[key_header] == "k"  # type: ignore[index]
    assert "c\"'''=c" in headers["cookie"]  # type: ignore[index]
    assert report["body"] == {"note\"'''\\": "v"}
    assert "/items/id%2F1/" in str(report["url"])
    assert report["result"] == "EvilX"


def test_models_keep_hostile_text_as_data(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "injection.yaml")
    _assert_safe(gen)
    report = gen.run('''
    from importlib import import_module
    models = import_module(name + ".models")
    evil = models.EvilX
    fields = {f.alias or n: n for n, f in evil.model_fields.items()}
    report.update(fields=fields, enum=[m.value for m in models.EvilXKind],
                  members=[m.name for m in models.EvilXKind],
                  pattern=str(evil.model_fields[fields['note"\\'\\'\\'\\\\']].metadata))
    ''')
    fields = report["fields"]
    assert set(fields) == {"note\"'''\\", "note", "kind", f"x\n__import__('pathlib').Path('{gen.canary}').touch()\n"}  # type: ignore[arg-type]
    assert all(str(n).isidentifier() for n in fields.values())  # type: ignore[union-attr]
    assert len(set(fields.values())) == len(fields)  # type: ignore[union-attr,arg-type]
    values = report["enum"]
    assert "{{ 7*7 }}" in values and "'''" in values and '"""' in values and "\\" in values  # type: ignore[operator]
    assert '"); import os; os.system("x")  #' in values and "café" in values  # type: ignore[operator]
    members = report["members"]
    assert len(set(members)) == len(members)  # type: ignore[arg-type]
    assert all(str(m).isidentifier() and not keyword.iskeyword(str(m)) for m in members)  # type: ignore[union-attr]


def test_package_folder_comes_from_the_file_stem_never_a_path(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "injection.yaml", spec_name="..evil.yaml")
    _assert_safe(gen)
    assert gen.package().name == "evil"
    assert (gen.package() / "evil_client" / "__init__.py").is_file()
    gen.run("client.close()")


# -- names: keywords, builtins, duplicates after snake_casing, leading digits ----------------

_NAMES_CALL = '''
resource = client.class_
sig = inspect.signature(resource.import_)
report["import_params"] = list(sig.parameters)
RESPONSE["json"] = {"class": "c", "from": "f", "1st": "one", "_private": "p", "kind": "1"}
thing = resource.import_(
    "C/1", "first", from_="f", page_size=1, page_size_2=2, page_size_3=3, self_2="s", body_2="b",
    timeout_2="t", list_="l", n2_fa="two", x_request_id="hdr", x_request_id_2="qry",
)
request = sent[-1]
report.update(
    path=request.url.raw_path.decode().split("?")[0], query=list(request.url.params.multi_items()),
    request_id=request.headers.get("X-Request-ID"), thing=thing.model_dump(by_alias=True),
    thing_fields=sorted(type(thing).model_fields),
)
RESPONSE["json"] = None
resource.get_items_3(def_="lower", def_2="upper", self_2="s", body_2="b", options_2="o", n2_fa="2")
report["body"] = json.loads(sent[-1].content)
report["methods"] = sorted(n for n in vars(type(resource)) if not n.startswith("_") and n != "with_raw_response")
report["resources"] = sorted(n for n, v in vars(type(client)).items() if isinstance(v, functools.cached_property))
report["n1_methods"] = sorted(n for n in vars(type(client.n1_password)) if not n.startswith("_") and n != "with_raw_response")
client.n1_password.self()
client.n1_password.print()
report["n1_paths"] = [r.url.path for r in sent[-2:]]
'''


def test_odd_names_become_valid_distinct_identifiers_and_wire_names_survive(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "names.yaml")
    _assert_safe(gen)
    report = gen.run(_NAMES_CALL)
    params = report["import_params"]
    assert params[:2] == ["class_", "n1_st"]  # keyword suffixed, leading digit prefixed
    for name in params:  # type: ignore[union-attr]
        assert str(name).isidentifier() and not keyword.iskeyword(str(name)), name
    assert len(set(params)) == len(params)  # type: ignore[arg-type]
    assert report["path"] == "/things/C%2F1/first"
    assert report["query"] == [
        ["from", "f"], ["page-size", "1"], ["page_size", "2"], ["pageSize", "3"], ["self", "s"],
        ["body", "b"], ["timeout", "t"], ["list", "l"], ["2fa", "two"], ["x_request_id", "qry"],
    ]
    assert report["request_id"] == "hdr"
    assert report["thing"]["class"] == "c" and report["thing"]["1st"] == "one"  # type: ignore[index]
    assert report["thing"]["_private"] == "p"  # type: ignore[index]
    assert report["body"] == {"def": "lower", "Def": "upper", "self": "s", "body": "b", "options": "o", "2fa": "2"}
    assert report["methods"] == ["get_items", "get_items_2", "get_items_3", "import_"]
    assert report["n1_methods"] == ["n1_st_op", "print", "self"]  # builtins are fine as methods
    assert report["n1_paths"] == ["/other", "/other"]
    assert {"class_", "n1_password", "pets"} <= set(report["resources"])  # type: ignore[arg-type]


def test_odd_model_names_are_distinct_classes(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "names.yaml")
    _assert_safe(gen)
    tree = ast.parse(models_source(gen.package()))
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert len(classes) == len(set(classes))
    assert not {"BaseModel", "Field"} & set(classes)  # would shadow the pydantic imports
    assert all(c.isidentifier() and not keyword.iskeyword(c) for c in classes)
    assert {"Class", "Class_2", "N1St", "List_2", "BaseModel_2", "Field_2"} <= set(classes)


def test_models_named_like_runtime_exports_leave_the_exports_alone(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "names.yaml")
    _assert_safe(gen)
    report = gen.run('''
    report["page"] = module.Page.__module__
    report["error_base"] = issubclass(module.NotFoundError, module.APIError)
    report["page_models"] = sorted(n for n in module.models.__all__ if n.startswith("Page"))
    report["all_unique"] = len(module.__all__) == len(set(module.__all__))
    ''')
    assert report["page"].endswith("._pagination")  # type: ignore[union-attr]
    assert report["error_base"] is True
    assert report["page_models"] == ["Page_2"]  # the schema, renamed: it keeps the package's Page
    assert report["all_unique"] is True


def test_resource_attribute_does_not_shadow_client_attributes(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "names.yaml")
    _assert_safe(gen)
    report = gen.run('''
    report["timeout_type"] = type(client.timeout).__name__
    client.timeout_.list()  # the resource steps aside with a suffix
    ''')
    assert report["timeout_type"] != "TimeoutResource"


def test_model_named_like_a_resource_class_still_parses_responses(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "names.yaml")
    _assert_safe(gen)
    report = gen.run('''
    RESPONSE["json"] = {"x": 1}
    report["type"] = type(client.pets.list()).__module__
    ''')
    assert ".models._" in str(report["type"])  # a module of the models package


def test_spec_name_is_an_identifier_never_a_path(tmp_path: Path) -> None:
    for raw in ["../evil", "/etc/passwd", "a/../../b", "..", "class", "1st", "", "名前", "__init__"]:
        for clean in (snake(raw), package_stem(raw), pascal(raw)):
            assert clean.isidentifier() and not keyword.iskeyword(clean), (raw, clean)
            assert "/" not in clean and "." not in clean


def test_client_option_names_do_not_repeat_constructor_arguments(tmp_path: Path) -> None:
    gen = Generated(tmp_path, "client_options.yaml")
    _assert_safe(gen)
    gen.run("client.close()")
