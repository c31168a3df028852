"""The curated-spec lint: one broken spec per rule, the CLI contract, and the real specs."""

from __future__ import annotations

import copy
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.diagnostics import Diagnostic, Level
from generator.lint import EXTENSION_SHAPES, extension_rule, lint_command, lint_document
from generator.load import load

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "lint"
BASE = yaml.safe_load((FIXTURES / "petstore.yaml").read_text(encoding="utf-8"))
LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): #\S*: (?:warning: |error: )(?P<rule>[a-z0-9-]+): \S.*$")

Spec = dict[str, Any]
LIST = "#/paths/~1pets/get"
CREATE = "#/paths/~1pets/post"
DELETE = "#/paths/~1pets~1{petId}/delete"
SCHEMAS = "#/components/schemas"


def lint_data(data: Spec, tmp_path: Path) -> list[Diagnostic]:
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return lint_document(load(path))


def op(spec: Spec, path: str, method: str) -> Spec:
    result: Spec = spec["paths"][path][method]
    return result


def schema(spec: Spec, name: str) -> Spec:
    result: Spec = spec["components"]["schemas"][name]
    return result


def media(node: Spec) -> Spec:
    result: Spec = node["content"]["application/json"]
    return result


# Each case: (rule, how to break the base spec, pointer of one diagnostic the break must cause).
Break = Callable[[Spec], None]
CASES: list[tuple[str, str, Break, str]] = [
    ("openapi-valid", "missing-info-version", lambda s: s["info"].pop("version"), "#/info"),
    (
        "openapi-valid",
        "default-of-wrong-type",
        lambda s: schema(s, "NewPet")["properties"]["name"].update(default=5),
        f"{SCHEMAS}/NewPet/properties/name/default",
    ),
    (
        "ref-resolves",
        "dangling",
        lambda s: schema(s, "PetPage")["properties"]["data"]["items"].update(
            {"$ref": "#/components/schemas/Nope"}
        ),
        f"{SCHEMAS}/PetPage/properties/data/items/$ref",
    ),
    (
        "ref-resolves",
        "external",
        lambda s: schema(s, "Pet")["properties"].update(tag={"$ref": "common.yaml#/Tag"}),
        f"{SCHEMAS}/Pet/properties/tag/$ref",
    ),
    (
        "ref-cycle",
        "two-refs",
        lambda s: s["components"]["schemas"].update(
            A={"$ref": "#/components/schemas/B"}, B={"$ref": "#/components/schemas/A"}
        ),
        f"{SCHEMAS}/A/$ref",
    ),
    (
        "path-params-declared",
        "template-renamed",
        lambda s: s["paths"].update({"/pets/{id}": s["paths"].pop("/pets/{petId}")}),
        "#/paths/~1pets~1{id}/delete",
    ),
    (
        "operation-id-unique",
        "duplicate",
        lambda s: op(s, "/pets/{petId}", "delete").update(operationId="listPets"),
        f"{DELETE}/operationId",
    ),
    (
        "operation-id-present",
        "missing",
        lambda s: op(s, "/pets/{petId}", "delete").pop("operationId"),
        DELETE,
    ),
    (
        "operation-id-camel-case",
        "snake-case",
        lambda s: op(s, "/pets/{petId}", "delete").update(operationId="delete_pet"),
        f"{DELETE}/operationId",
    ),
    (
        "operation-summary",
        "blank",
        lambda s: op(s, "/pets", "post").update(summary="  "),
        CREATE,
    ),
    ("operation-tag", "no-tags", lambda s: op(s, "/pets", "post").pop("tags"), CREATE),
    (
        "example-valid",
        "response-example",
        lambda s: media(op(s, "/pets", "get")["responses"]["200"])["example"]["data"][0].update(
            name=5
        ),
        f"{LIST}/responses/200/content/application~1json/example/data/0/name",
    ),
    (
        "example-valid",
        "referenced-example-value",
        lambda s: s["components"]["examples"]["Missing"].update(value={"msg": "x"}),
        "#/components/responses/NotFound/content/application~1json/examples/missing/value",
    ),
    (
        "example-valid",
        "request-examples-value",
        lambda s: media(op(s, "/pets", "post")["requestBody"])["examples"]["rex"].update(
            value={"name": ""}
        ),
        f"{CREATE}/requestBody/content/application~1json/examples/rex/value/name",
    ),
    (
        "example-valid",
        "parameter-example-not-in-enum",
        lambda s: op(s, "/pets", "get")["parameters"][1].update(example=3),
        f"{LIST}/parameters/1/example",
    ),
    (
        "example-valid",
        "schema-example-pattern",
        lambda s: schema(s, "Pet")["properties"]["born"].update(example="2021-01-28"),
        f"{SCHEMAS}/Pet/properties/born/example",
    ),
    (
        "example-valid",
        "format-checked",
        lambda s: schema(s, "Pet")["properties"].update(
            seen={"type": "string", "format": "date", "example": "2021-02-30"}
        ),
        f"{SCHEMAS}/Pet/properties/seen/example",
    ),
    (
        "request-example-present",
        "examples-removed",
        lambda s: media(op(s, "/pets", "post")["requestBody"]).pop("examples"),
        f"{CREATE}/requestBody/content/application~1json",
    ),
    (
        "response-example-present",
        "component-response",
        lambda s: media(s["components"]["responses"]["NotFound"]).pop("examples"),
        "#/components/responses/NotFound/content/application~1json",
    ),
    (
        "response-default",
        "on-a-schema-a-response-refs",
        lambda s: schema(s, "Pet")["properties"]["name"].update(default="Rex"),
        f"{SCHEMAS}/Pet/properties/name/default",
    ),
    (
        "response-default",
        "beside-a-ref-in-an-array-item",
        lambda s: schema(s, "PetPage")["properties"]["data"]["items"].update(
            default={"id": 1, "name": "Rex"}
        ),
        f"{SCHEMAS}/PetPage/properties/data/items/default",
    ),
    (
        "response-default",
        "inside-an-anyof-of-a-component-response",
        lambda s: schema(s, "Error")["properties"].update(
            code={"anyOf": [{"type": "integer", "default": 0}, {"type": "null"}]}
        ),
        f"{SCHEMAS}/Error/properties/code/anyOf/0/default",
    ),
    (
        "extension-curation",
        "empty-issue",
        lambda s: schema(s, "Pet").update({"x-curation": [{"issue": "", "decision": "d"}]}),
        f"{SCHEMAS}/Pet/x-curation/0/issue",
    ),
    (
        "extension-curation",
        "missing-decision",
        lambda s: s["x-curation"][0].pop("decision"),
        "#/x-curation/0",
    ),
    (
        "extension-rate-limit",
        "zero-period",
        lambda s: s["x-rate-limit"].update(period=0),
        "#/x-rate-limit/period",
    ),
    (
        "extension-rate-limit",
        "on-an-operation",
        lambda s: op(s, "/pets", "post").update({"x-rate-limit": {"requests": 1, "period": 1}}),
        f"{CREATE}/x-rate-limit",
    ),
    (
        "extension-pagination",
        "page-style-without-page-param",
        lambda s: op(s, "/pets", "get")["x-pagination"].update(style="page"),
        f"{LIST}/x-pagination",
    ),
    (
        "extension-pagination",
        "key-of-the-other-style",
        lambda s: op(s, "/pets", "get")["x-pagination"].update(total="total"),
        f"{LIST}/x-pagination",
    ),
    (
        "extension-pagination",
        "items-not-a-string",
        lambda s: op(s, "/pets", "get")["x-pagination"].update(items=["data"]),
        f"{LIST}/x-pagination/items",
    ),
    (
        "extension-idempotent",
        "on-a-schema",
        lambda s: schema(s, "Pet").update({"x-idempotent": True}),
        f"{SCHEMAS}/Pet/x-idempotent",
    ),
    (
        "extension-idempotent",
        "not-a-bool",
        lambda s: op(s, "/pets", "post").update({"x-idempotent": "yes"}),
        f"{CREATE}/x-idempotent",
    ),
    (
        "extension-wire-format",
        "unknown-format",
        lambda s: schema(s, "Pet")["properties"]["price"].update({"x-wire-format": "cents"}),
        f"{SCHEMAS}/Pet/properties/price/x-wire-format",
    ),
    (
        "extension-wire-format",
        "on-an-integer",
        lambda s: schema(s, "Pet")["properties"]["id"].update({"x-wire-format": "decimal-2dp"}),
        f"{SCHEMAS}/Pet/properties/id/x-wire-format",
    ),
    (
        "extension-wire-format",
        "without-a-pattern",
        lambda s: schema(s, "Pet")["properties"]["price"].pop("pattern"),
        f"{SCHEMAS}/Pet/properties/price/x-wire-format",
    ),
    (
        "extension-client-option",
        "on-a-path-parameter",
        lambda s: s["paths"]["/pets/{petId}"]["parameters"][0].update({"x-client-option": True}),
        "#/paths/~1pets~1{petId}/parameters/0/x-client-option",
    ),
    (
        "extension-enum-varnames",
        "one-name-short",
        lambda s: schema(s, "Status")["x-enum-varnames"].pop(),
        f"{SCHEMAS}/Status/x-enum-varnames",
    ),
    (
        "extension-enum-varnames",
        "not-an-identifier",
        lambda s: schema(s, "Status")["x-enum-varnames"].__setitem__(0, "1st"),
        f"{SCHEMAS}/Status/x-enum-varnames/0",
    ),
    (
        "extension-specgen-name",
        "method-name-not-an-identifier",
        lambda s: op(s, "/pets", "get").update({"x-specgen-name": "list pets"}),
        f"{LIST}/x-specgen-name",
    ),
    (
        "extension-specgen-name",
        "on-a-parameter",
        lambda s: s["paths"]["/pets/{petId}"]["parameters"][0].update({"x-specgen-name": "pet"}),
        "#/paths/~1pets~1{petId}/parameters/0/x-specgen-name",
    ),
    (
        "extension-specgen-name",
        "members-of-a-schema-without-enum",
        lambda s: schema(s, "NewPet").update({"x-specgen-name": {"members": {"a": "A"}}}),
        f"{SCHEMAS}/NewPet/x-specgen-name",
    ),
    (
        "extension-specgen-name",
        "member-value-not-in-the-enum",
        lambda s: schema(s, "Kind")["x-specgen-name"]["members"].update(bird="BIRD"),
        f"{SCHEMAS}/Kind/x-specgen-name",
    ),
    (
        "extension-specgen-name",
        "object-form-on-an-operation",
        lambda s: op(s, "/pets", "get").update({"x-specgen-name": {"name": "list_all"}}),
        f"{LIST}/x-specgen-name",
    ),
    (
        "extension-unknown",
        "typo-of-a-known-extension",
        lambda s: schema(s, "Pet").update({"x-curations": [{"issue": "i", "decision": "d"}]}),
        f"{SCHEMAS}/Pet/x-curations",
    ),
    (
        "extension-file-upload",
        "names-a-missing-property",
        lambda s: schema(s, "PetPhoto")["x-file-upload"].update(content="photo"),
        f"{SCHEMAS}/PetPhoto/x-file-upload/content",
    ),
    (
        "extension-file-upload",
        "same-property-twice",
        lambda s: schema(s, "PetPhoto")["x-file-upload"].update(mediaType="name"),
        f"{SCHEMAS}/PetPhoto/x-file-upload/mediaType",
    ),
    (
        "extension-file-upload",
        "without-filename",
        lambda s: schema(s, "PetPhoto")["x-file-upload"].pop("filename"),
        f"{SCHEMAS}/PetPhoto/x-file-upload",
    ),
    (
        "extension-file-upload",
        "unknown-key",
        lambda s: schema(s, "PetPhoto")["x-file-upload"].update(encoding="base64"),
        f"{SCHEMAS}/PetPhoto/x-file-upload",
    ),
    (
        "extension-file-upload",
        "on-a-composed-schema",
        lambda s: schema(s, "PetPhoto").update(allOf=[{"$ref": "#/components/schemas/NewPet"}]),
        f"{SCHEMAS}/PetPhoto/x-file-upload",
    ),
    (
        "extension-file-upload",
        "on-a-media-type",
        lambda s: media(op(s, "/pets/{petId}", "put")["requestBody"]).update(
            {"x-file-upload": {"content": "data", "filename": "name"}}
        ),
        "#/paths/~1pets~1{petId}/put/requestBody/content/application~1json/x-file-upload",
    ),
    (
        "extension-breaking-change-ack",
        "missing-reason",
        lambda s: s["x-breaking-change-ack"][0].pop("reason"),
        "#/x-breaking-change-ack/0",
    ),
]


def test_base_spec_passes(tmp_path: Path) -> None:
    assert lint_data(BASE, tmp_path) == []


@pytest.mark.parametrize(
    ("rule", "breaks", "ptr"),
    [pytest.param(rule, fn, ptr, id=f"{rule}:{name}") for rule, name, fn, ptr in CASES],
)
def test_rule_fails_on_broken_spec(rule: str, breaks: Break, ptr: str, tmp_path: Path) -> None:
    broken = copy.deepcopy(BASE)
    breaks(broken)
    found = lint_data(broken, tmp_path)
    assert (rule, ptr) in {(d.rule, d.pointer) for d in found}, [d.format() for d in found]
    # The break trips that rule alone, so each rule is tested in isolation.
    assert {d.rule for d in found} == {rule}  # BASE itself is clean: test_base_spec_passes


def test_every_rule_has_a_case() -> None:
    rules = {rule for rule, *_ in CASES}
    extensions = {extension_rule(name) for name in EXTENSION_SHAPES}
    assert extensions <= rules
    assert {
        "openapi-valid", "ref-resolves", "ref-cycle", "path-params-declared",
        "operation-id-unique", "operation-id-present", "operation-summary", "operation-tag",
        "example-valid", "request-example-present", "response-example-present", "response-default",
    } <= rules  # fmt: skip


def test_request_defaults_are_allowed(tmp_path: Path) -> None:
    """NewPet is only a request body; the header parameter's default is not a response either."""
    spec = copy.deepcopy(BASE)
    schema(spec, "NewPet")["properties"]["name"]["default"] = "Rex"
    assert lint_data(spec, tmp_path) == []


def test_untyped_json_response_needs_no_example(tmp_path: Path) -> None:
    spec = copy.deepcopy(BASE)
    op(spec, "/pets/{petId}", "delete")["responses"]["200"] = {
        "description": "The document shows no body",
        "content": {"application/json": {}},
    }
    assert lint_data(spec, tmp_path) == []


def test_levels_extensions_are_errors_conventions_are_warnings(tmp_path: Path) -> None:
    broken = copy.deepcopy(BASE)
    op(broken, "/pets", "post").pop("summary")
    op(broken, "/pets", "post")["x-idempotent"] = 1
    levels = {d.rule: d.level for d in lint_data(broken, tmp_path)}
    assert levels == {"operation-summary": Level.WARNING, "extension-idempotent": Level.ERROR}


def test_misplaced_extension_inside_example_data_is_ignored(tmp_path: Path) -> None:
    # Example values are data: an "x-idempotent" key in a sample is the API's, not ours.
    spec = copy.deepcopy(BASE)
    schema(spec, "Error")["properties"]["x-idempotent"] = {"type": "string"}
    media(spec["components"]["responses"]["NotFound"])["examples"]["other"] = {
        "value": {"message": "m", "x-idempotent": "yes"}
    }
    assert lint_data(spec, tmp_path) == []


def test_unrelated_extensions_are_ignored(tmp_path: Path) -> None:
    spec = copy.deepcopy(BASE)
    spec["x-logo"] = {"url": "https://example.com/logo.png"}
    op(spec, "/pets", "get")["x-codegen-request-body-name"] = "body"
    assert lint_data(spec, tmp_path) == []


def test_curation_on_paths_and_responses_objects_is_checked(tmp_path: Path) -> None:
    # Extensions are legal on the Paths and Responses objects (openapi-spec-validator used to
    # crash on the former); their x-curation entries are linted like any other.
    spec = copy.deepcopy(BASE)
    spec["paths"]["x-curation"] = [{"issue": "i", "decision": "d"}]
    op(spec, "/pets", "post")["responses"]["x-curation"] = [{"issue": "i", "decision": "d"}]
    assert lint_data(spec, tmp_path) == []
    spec["paths"]["x-curation"] = [{"issue": "i"}]
    op(spec, "/pets", "post")["responses"]["x-curation"] = [{"decision": "d"}]
    assert {(d.rule, d.pointer) for d in lint_data(spec, tmp_path)} == {
        ("extension-curation", f"{CREATE}/responses/x-curation/0"),
        ("extension-curation", "#/paths/x-curation/0"),
    }


def test_openapi_30_examples_honour_nullable(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {"N": {"type": "string", "nullable": True, "example": None}},
        },
    }
    assert lint_data(spec, tmp_path) == []
    spec["components"]["schemas"]["N"]["example"] = 5
    assert [(d.rule, d.pointer) for d in lint_data(spec, tmp_path)] == [
        ("example-valid", "#/components/schemas/N/example")
    ]


# --- CLI ---------------------------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: Spec) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_cli_clean_spec_prints_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "pets.yaml", BASE)
    assert lint_command([path]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        f"{path}: ok (4 operations, 7 schemas, 1 curation entries)",
    ]


def test_cli_prints_one_line_per_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = copy.deepcopy(BASE)
    del schema(broken, "Pet")["properties"]["id"]["type"]
    schema(broken, "Pet")["properties"]["id"]["x-wire-format"] = "date-dmy"
    schema(broken, "Status")["x-enum-varnames"] = ["A"]
    op(broken, "/pets", "post").pop("summary")
    path = write(tmp_path, "pets.yaml", broken)
    expected = lint_document(load(path))
    assert len(expected) == 3

    assert lint_command([path]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines == [d.format() for d in expected]
    text = path.read_text(encoding="utf-8").splitlines()
    for line in lines:
        match = LINE.match(line)
        assert match, line
        assert match["file"] == str(path)
    # The line number points at the offending key.
    (varnames,) = [line for line in lines if "extension-enum-varnames" in line]
    number = int(LINE.match(varnames)["line"])  # type: ignore[index]
    assert text[number - 1].strip().startswith("x-enum-varnames:")


def test_cli_folder_lints_each_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path, "a_good.yaml", BASE)
    broken = copy.deepcopy(BASE)
    op(broken, "/pets", "post").pop("tags")
    write(tmp_path, "b_bad.yaml", broken)
    (tmp_path / "notes.txt").write_text("not a spec", encoding="utf-8")
    assert lint_command([tmp_path]) == 1
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        f"{tmp_path / 'a_good.yaml'}: ok (4 operations, 7 schemas, 1 curation entries)"
    ]
    assert len(err.splitlines()) == 1
    assert "b_bad.yaml" in err and "operation-tag" in err


def test_cli_no_spec_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_command([tmp_path]) == 1
    assert "no spec files" in capsys.readouterr().err


def test_cli_unreadable_yaml_has_line_and_no_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "lint", str(FIXTURES / "broken_yaml.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "tests/fixtures/lint/broken_yaml.yaml:4: #: error: invalid YAML: did not find expected ',' or ']'"
    ]


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert lint_command([tmp_path / "nope.yaml"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "nope.yaml: #: error: cannot read file" in line


# --- the real curated specs --------------------------------------------------------------------


@pytest.mark.parametrize("spec", sorted((ROOT / "specs").glob("*.yaml")), ids=lambda p: p.name)
def test_curated_spec_passes_lint(spec: Path) -> None:
    found = lint_document(load(spec))
    assert found == [], "\n".join(d.format() for d in found)
