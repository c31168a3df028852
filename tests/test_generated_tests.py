"""The tests specgen generates for each package (generator/render_tests.py) catch a wrong client.

A fixture spec is generated once; its generated tests run (in a subprocess, as `pytest` would run
them) against the client as generated, and against copies broken on purpose, one defect each.
Every defect must fail exactly the tests that are about it; the untouched client must pass.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pytest

from generator.pipeline import check_command, generate_command

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "generated_tests" / "shop.yaml"
_FAILED = re.compile(r"^FAILED \S+::(\S+)", re.MULTILINE)
_SKIPPED = re.compile(r"^SKIPPED \[\d+\] \S+: (.+)$", re.MULTILINE)


@dataclass(frozen=True)
class Defect:
    """Replace `old` by `new` in one file of the package (the `which`-th occurrences, or all)."""

    file: str
    old: str
    new: str
    fails: frozenset[str]  # the generated tests that must fail, and only those
    which: tuple[int, ...] = ()


DEFECTS: dict[str, Defect] = {
    "wrong path": Defect(
        "shop_client/resources/orders.py",
        'path="/orders/" + _serialize.path(order_ref)',
        'path="/order/" + _serialize.path(order_ref)',
        frozenset({"test_orders_retrieve", "test_orders_delete"}),
    ),
    "path value not percent-encoded": Defect(
        "shop_client/_serialize.py",
        'return quote(text(value), safe="")',
        "return quote(text(value))",
        frozenset({"test_orders_retrieve", "test_orders_delete"}),
    ),
    "ISO date instead of DD-MM-YYYY": Defect(
        "shop_client/_wire.py",
        'return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"',
        "return value.isoformat()",
        frozenset(
            {"test_orders_list_pages", "test_orders_list_async", "test_orders_create", "test_orders_retrieve",
             "test_orders_list_invoices_pages"}
        ),
    ),
    "amount without two decimals": Defect(
        "shop_client/_wire.py",
        'return format(value.quantize(_CENT), "f")',
        "return str(float(value))",
        frozenset(
            {"test_orders_list_pages", "test_orders_list_async", "test_orders_create", "test_orders_retrieve",
             "test_orders_list_invoices_pages"}
        ),
    ),
    "wrong query parameter name": Defect(
        "shop_client/resources/orders.py",
        '"placedAfter": _serialize.param(',
        '"placed_after": _serialize.param(',
        frozenset({"test_orders_list_pages", "test_orders_list_async"}),
    ),
    "header parameter not sent": Defect(
        "shop_client/resources/orders.py",
        '"X-Reason": _serialize.param(x_reason)',
        '"X-Reason": None',
        frozenset({"test_orders_delete"}),
    ),
    "body field under the wrong wire name": Defect(
        "shop_client/resources/orders.py",
        '"placed": placed,',
        '"placedOn": placed,',
        frozenset({"test_orders_create"}),
    ),
    "untyped result": Defect(
        "shop_client/resources/orders.py",
        "success=Order,",
        "success=_t.Any,",
        frozenset({"test_orders_retrieve"}),
        which=(2,),
    ),
    "wrong exception class": Defect(
        "shop_client/_exceptions.py",
        "404: NotFoundError,",
        "404: ConflictError,",
        frozenset({"test_orders_retrieve_errors[404]"}),
    ),
    "error body not parsed into its model": Defect(
        "shop_client/_base_client.py",
        "return adapter(model).validate_json(content)",
        "return json.loads(content)",
        frozenset(
            {"test_orders_create_errors[400]", "test_orders_create_errors[418]", "test_orders_retrieve_errors[404]",
             "test_orders_delete_errors[409]", "test_orders_list_errors[401]"}
        ),
    ),
    "cursor pagination stops after one page": Defect(
        "shop_client/_pagination.py",
        "return None if next_query == query else next_query",
        "return None",
        frozenset({"test_orders_list_pages", "test_orders_list_async"}),
    ),
    "wrong auth header": Defect(
        "shop_client/_client.py",
        '"Bearer " + api_key',
        '"Token " + api_key',
        frozenset(
            {"test_orders_list_pages", "test_orders_list_async", "test_orders_create", "test_orders_retrieve",
             "test_orders_delete", "test_orders_list_invoices_pages", "test_files_download", "test_files_download_async",
             "test_files_upload", "test_files_submit_form", "test_files_submit_scan", "test_files_submit_note", "test_files_search",
             "test_credentials[bearerAuth]"}
        ),
    ),
    "deepObject form property sent form-style": Defect(
        "shop_client/resources/files.py",
        '"metadata": ("deepObject", True, False, None),',
        '"metadata": ("form", True, False, None),',
        frozenset({"test_files_submit_form"}),
    ),
    "form property of JSON contentType sent as fields": Defect(
        "shop_client/_serialize.py",
        'json_part = content_type is not None and "json" in content_type',
        "json_part = False",
        frozenset({"test_files_submit_form"}),
    ),
    "a file in body= sent as a text field": Defect(
        "shop_client/_serialize.py",
        "        if given_files:\n",
        "        if False:\n",
        frozenset({"test_files_submit_scan"}),
    ),
    "multipart fields without a file sent urlencoded": Defect(
        "shop_client/_base_client.py",
        "            if options.files is not None and not files and data:\n",
        "            if False:\n",
        frozenset({"test_files_submit_note"}),
    ),
    "JSON text of a content parameter or form property not sent": Defect(
        "shop_client/_serialize.py",
        "_enc(_json_text(value), allow_reserved, plus)",
        "_enc(text(value), allow_reserved, plus)",
        frozenset({"test_files_search", "test_files_submit_form"}),
    ),
    "async twin only": Defect(
        "shop_client/resources/orders.py",
        'path="/orders",\n            query={\n                "status"',
        'path="/orderz",\n            query={\n                "status"',
        frozenset({"test_orders_list_async"}),
        which=(1,),
    ),
}


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str

    @property
    def failed(self) -> set[str]:
        return set(_FAILED.findall(self.output))


def run_pytest(package: Path) -> Run:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfs", "-p", "no:cacheprovider", "--rootdir", str(package),
         str(package / "tests")],
        check=False, cwd=package, capture_output=True, text=True, timeout=300,
    )
    return Run(proc.returncode, proc.stdout + proc.stderr)


def break_package(package: Path, target: Path, defect: Defect) -> None:
    shutil.copytree(package, target, ignore=shutil.ignore_patterns("__pycache__"))
    file = target / defect.file
    text = file.read_text(encoding="utf-8")
    pieces = text.split(defect.old)
    assert len(pieces) > 1, f"{defect.old!r} not in {defect.file}: the fixture's client changed"
    which = set(defect.which) if defect.which else set(range(len(pieces) - 1))
    out = pieces[0]
    for index, piece in enumerate(pieces[1:]):
        out += (defect.new if index in which else defect.old) + piece
    file.write_text(out, encoding="utf-8")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    assert generate_command([FIXTURE], out, force=True) == 0
    return out / "shop"


@pytest.fixture(scope="module")
def runs(shop: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """The generated tests against the real client and against each broken copy, in parallel."""
    work = tmp_path_factory.mktemp("broken")
    targets = {"": shop}
    for index, (name, defect) in enumerate(DEFECTS.items()):
        target = work / str(index) / "shop"
        break_package(shop, target, defect)
        targets[name] = target
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = dict(zip(targets, pool.map(run_pytest, targets.values()), strict=True))
    return results


def test_generated_tests_pass_on_the_generated_client(runs: dict[str, Run]) -> None:
    run = runs[""]
    assert run.returncode == 0, run.output[-4000:]
    assert re.search(r"\b(\d+) passed\b", run.output)


def test_uncovered_operations_are_skipped_with_a_reason(runs: dict[str, Run]) -> None:
    reasons = _SKIPPED.findall(runs[""].output)
    assert reasons == ["specgen tests multipart bodies of a model with fields only"]


@pytest.mark.parametrize("name", list(DEFECTS))
def test_a_broken_client_fails_the_tests_about_it(name: str, runs: dict[str, Run]) -> None:
    run, known = runs[name], runs[""].failed
    assert run.returncode != 0, run.output[-4000:]
    # Failures the untouched client already has cannot show this defect.
    new, expected = run.failed - known, DEFECTS[name].fails - known
    assert new == expected, f"failed {sorted(new)}, expected {sorted(expected)}\n{run.output[-3000:]}"


def test_generated_tests_are_ruff_and_mypy_clean(shop: Path) -> None:
    for command in (["ruff", "check", "tests"], ["mypy", "tests"]):
        proc = subprocess.run(
            [sys.executable, "-m", *command], check=False, cwd=shop, capture_output=True, text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_spec_text_is_never_code(shop: Path) -> None:
    """The fixture's examples and descriptions hold Python; in the tests they stay literals."""
    for module in sorted((shop / "tests").glob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert "__import__" not in names and "system" not in attributes, module.name
    orders = (shop / "tests" / "test_shop_orders.py").read_text(encoding="utf-8")
    assert repr('""" + __import__("os").system("x") + """') in orders


def test_custom_tests_are_created_once_and_never_overwritten(tmp_path: Path) -> None:
    assert generate_command([FIXTURE], tmp_path, force=True) == 0
    custom = tmp_path / "shop" / "tests" / "test_custom_shop.py"
    assert "def test_" in custom.read_text(encoding="utf-8")
    custom.write_text("def test_mine() -> None:\n    assert True\n", encoding="utf-8")
    assert generate_command([FIXTURE], tmp_path, force=True) == 0
    assert custom.read_text(encoding="utf-8") == "def test_mine() -> None:\n    assert True\n"
    assert check_command([FIXTURE], tmp_path) == 0


_DOCUMENT = {
    "components": {
        "schemas": {
            "Node": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}},
                "required": ["name"],
            },
            "Item": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"id": {"type": "string", "readOnly": True}, "size": {"$ref": "#/components/schemas/Size"}},
                "required": ["id", "size"],
            },
            "Size": {"type": "integer", "minimum": 1},
        }
    }
}
_VALUES = [
    {"name": "a", "children": [{"name": "b", "children": []}]},
    {"name": "a", "children": [{"children": []}]},
    {"id": "x", "size": 2},
    {"size": 2},
    {"size": 0},
    {"id": "x"},
    3,
    "text",
]


@pytest.mark.parametrize("request_side", [True, False], ids=["request", "response"])
def test_example_validators_judge_as_the_embedded_schema_does(request_side: bool) -> None:
    # The validators share the $ref targets between them instead of embedding them in each; the
    # verdicts must be those of the self-contained schema the generated tests embed.
    from jsonschema import Draft202012Validator

    from generator.render_tests import Schemas

    schemas = Schemas(_DOCUMENT)
    roots = [
        {"$ref": "#/components/schemas/Node"},
        {"$ref": "#/components/schemas/Item"},
        {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
        {"oneOf": [{"$ref": "#/components/schemas/Size"}, {"type": "string", "maxLength": 2}]},
    ]
    for root in roots:
        embedded = Draft202012Validator(Schemas(_DOCUMENT).embedded(root, request=request_side))
        check = schemas.validity(root, request=request_side)
        assert schemas.validity(root, request=request_side) is check  # built once per schema
        for value in [*_VALUES, [_VALUES[2]], [_VALUES[3]]]:
            assert check(value) == embedded.is_valid(value), (root, value)
    # readOnly: a request need not (and may not) send the id; a response must
    item = schemas.validity(roots[1], request=request_side)
    assert item({"size": 2}) is request_side
    assert item({"id": "x", "size": 2}) is not request_side


def test_a_read_only_property_is_not_required_of_a_request(tmp_path: Path) -> None:
    """A required readOnly property is required of responses only (OpenAPI). The Pet a request
    body shares with its response must not require the server's id, or no call could build one;
    a schema only responses use keeps it required. The spec's request example carries the id:
    the generated test sends the body without it, as the field arguments do."""
    fixture = FIXTURE.with_name("read_only.yaml")
    assert generate_command([fixture], tmp_path, force=True) == 0
    package = tmp_path / "read_only"
    models = "".join(p.read_text(encoding="utf-8") for p in (package / "read_only_client" / "models").glob("_*.py"))
    assert "id: int | None = None" in models and "number: int\n" in models
    code = """
import httpx
from read_only_client import ReadOnlyClient
sent = []
def answer(request):
    sent.append(request.content)
    return httpx.Response(200, json={"name": "Rex"})
with ReadOnlyClient(base_url="https://api.example.com", http_client=httpx.Client(transport=httpx.MockTransport(answer))) as api:
    pet = api.pets.create(name="Rex")
print(sent[0].decode(), pet.id)
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=package, capture_output=True, text=True, check=False)
    assert done.stdout.split() == ['{"name":"Rex"}', "None"], done.stderr
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                         cwd=package, capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]


def test_an_option_of_one_of_or_any_of_is_synthesised_with_the_object_it_constrains() -> None:
    """GitHub: `{properties, anyOf: [{required: [description]}, {required: [files]}]}` gave the
    string "specgen"; `oneOf` options that each accept `{}` gave `{}`, which all of them take."""
    from jsonschema import Draft202012Validator

    from generator.render_tests import Schemas

    either = {
        "type": "object",
        "properties": {"description": {"type": "string"}, "files": {"type": "object"}},
        "anyOf": [{"required": ["description"]}, {"required": ["files"]}],
    }
    labels = {
        "oneOf": [
            {"type": "object", "properties": {"labels": {"type": "array", "minItems": 1, "items": {"type": "string"}}}},
            {"type": "object", "properties": {"labels": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}}}}},
        ]
    }  # fmt: skip
    check = {
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "status": {"enum": ["queued", "completed"]},
                       "conclusion": {"enum": ["success", "failure"]}},
        "oneOf": [{"properties": {"status": {"enum": ["completed"]}}, "required": ["status", "conclusion"]},
                  {"properties": {"status": {"enum": ["queued"]}}}],
    }  # fmt: skip
    schemas = Schemas({})
    for schema in (either, labels, check):
        value = schemas.synthesise(schema)
        assert Draft202012Validator(schema).is_valid(value), (schema, value)
    assert schemas.synthesise(either) == {"description": "specgen"}
    assert schemas.synthesise(check) == {"name": "specgen", "status": "completed", "conclusion": "success"}


_PHONE = r"^\+[1-9]\d{1,14}$"


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": _PHONE},
        {"type": "string", "pattern": "^[A-Z]{2}$", "minLength": 2, "maxLength": 2},  # "sp" today
        {"type": "string", "pattern": r"^[a-z]+\d$", "maxLength": 4},  # the cut loses the digit
        {"type": "string", "pattern": r"^\d+$", "minLength": 3},  # exrex's first ("0") is too short
        {"type": "string", "pattern": "^(abcdef|x)$", "maxLength": 3},  # and here too long
    ],
    ids=["phone", "country", "cut", "minLength", "maxLength"],
)
def test_synthesised_strings_match_their_pattern(schema: dict[str, object]) -> None:
    # velopayments: the client refuses a request whose "specgen" misses the schema's pattern
    from generator.render_tests import Schemas

    value = Schemas({}).synthesise(schema)
    assert isinstance(value, str) and re.search(str(schema["pattern"]), value), value
    assert int(str(schema.get("minLength", 0))) <= len(value) <= int(str(schema.get("maxLength", 99)))


def test_a_pattern_value_is_the_same_every_time() -> None:
    # the generated tests must be byte-identical from one run to the next
    from generator.render_tests import Schemas

    values = {Schemas({}).synthesise({"type": "string", "pattern": _PHONE}) for _ in range(3)}
    assert len(values) == 1 and re.search(_PHONE, values.pop())


@pytest.mark.parametrize(
    "pattern",
    [
        "^[a-z]+$",  # already met: outputs of such specs do not change
        r"^\p{L}+$",  # not Python's syntax
        "^(?=x)y$",  # nothing can match
        r"(a)?\1x",  # exrex raises (KeyError)
        r"(a)?(?(1)b|c)d",  # syntax exrex skips, and reports on stdout
    ],
)
def test_a_pattern_met_or_unusable_keeps_the_usual_value(
    pattern: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.render_tests import Schemas

    assert Schemas({}).synthesise({"type": "string", "pattern": pattern}) == "specgen"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("location", ["path", "query"])
def test_parameters_with_a_pattern_get_a_matching_value(location: Literal["path", "query"]) -> None:
    from generator.model import Param, TypeRef
    from generator.names import PyIdent
    from generator.render_tests import Schemas, param_value

    schema = {"type": "string", "pattern": _PHONE}
    name, kind = PyIdent("phone"), TypeRef("prim", "str")
    param = Param("phone", name, location, True, kind, "str", schema=schema)
    value = param_value(param, Schemas({}))
    assert re.search(_PHONE, value.literal) and value.wire == [value.literal]


def test_a_date_time_keeps_its_value_when_the_pattern_misses_it() -> None:
    # a value made from the pattern ("0000-00-00T00:00:00Z") would not parse: the test would break
    from generator.model import Param, TypeRef
    from generator.names import PyIdent
    from generator.render_tests import Schemas, param_value

    schema = {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d\d-\d\dT[\d:]{8}Z$"}
    name, kind = PyIdent("since"), TypeRef("prim", "datetime")
    param = Param("since", name, "query", True, kind, "datetime", schema=schema)
    assert param_value(param, Schemas({})).wire == ["2021-01-28T10:30:00+00:00"]


def test_a_long_minimum_is_reached_by_repeating_a_short_match() -> None:
    from generator.render_tests import _string_value

    sha = {"type": "string", "pattern": "^[0-9a-fA-F]+$", "minLength": 40, "maxLength": 40}
    value = _string_value(sha)
    assert len(value) == 40 and re.fullmatch("[0-9a-fA-F]+", value), value  # GitHub's commit_sha


def test_an_example_a_uri_field_could_not_parse_is_replaced() -> None:
    """GitHub's `page_url` example is `hello-world.github.io`, which the model's URL type refuses
    (jsonschema passes any `uri` without the rfc3987 package)."""
    from generator.render_tests import Schemas

    schema = {"type": "object", "properties": {"page_url": {"type": "string", "format": "uri"}}}
    value, note = Schemas({}).sample(True, {"page_url": "hello-world.github.io"}, schema, request=False)
    assert value != {"page_url": "hello-world.github.io"} and "does not match its schema" in note
    kept, note = Schemas({}).sample(True, {"page_url": "https://hello-world.github.io"}, schema, request=False)
    assert kept == {"page_url": "https://hello-world.github.io"} and note == ""


def test_a_synthesised_request_carries_every_top_level_property_the_schema_takes_together() -> None:
    """Without an example, the request sample holds each optional argument once (Stripe's forms
    sent only their required fields), unless together they break the schema: then only the
    required ones. readOnly properties and responses keep to the required ones."""
    from generator.render_tests import Schemas

    order = {
        "type": "object",
        "required": ["sku"],
        "properties": {
            "sku": {"type": "string"},
            "amount": {"type": "string", "format": "decimal"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "id": {"type": "integer", "readOnly": True},
        },
    }
    schemas = Schemas({})
    value, note = schemas.sample(False, None, order, request=True)
    assert value == {"sku": "specgen", "amount": "1.5", "tags": ["specgen"]} and "synthesised" in note
    assert schemas.sample(False, None, order, request=False)[0] == {"sku": "specgen"}
    assert schemas.sample(True, {"sku": "A-1"}, order, request=True)[0] == {"sku": "A-1"}  # an example stays
    at_most_two = {**order, "maxProperties": 2}
    assert schemas.sample(False, None, at_most_two, request=True)[0] == {"sku": "specgen"}
