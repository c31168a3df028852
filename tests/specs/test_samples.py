"""The documents' own response and error bodies (specs/samples/<stem>.yaml) as fixtures: each parses
as JSON, validates against its spec's response schema, and parses through the generated client's
client in strict mode (a real call: strict_response_validation=True raises on any mismatch)."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker
from pydantic import TypeAdapter
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.contract import _operations as ops
from tests.specs._responses import resource_module

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
SAMPLE_FILES = sorted((SPECS / "samples").glob("*.yaml"))
# The source documents live beside the repository (../shared/seeds); a worktree sits one level deeper.
SEEDS = next((p for p in (ROOT.parent / "shared" / "seeds", ROOT.parents[1] / "shared" / "seeds") if p.is_dir()), None)
JSON_MEDIA = re.compile(r"^application/([\w.+-]+\+)?json\s*(;.*)?$", re.IGNORECASE)
SPEC_URI = "urn:specgen:spec"
FIELDS = {"operation", "status", "source", "repairs", "body"}


def _entries() -> list[tuple[str, int, dict[str, Any]]]:
    found = []
    for path in SAMPLE_FILES:
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(entries, list), f"{path}: a YAML list of samples"
        found += [(path.stem, i, entry) for i, entry in enumerate(entries)]
    return found


ENTRIES = _entries()
PARAMS = [
    pytest.param(stem, entry, id=f"{stem}-{i}-{entry.get('operation')}-{entry.get('status')}")
    for stem, i, entry in ENTRIES
]


@cache
def spec(stem: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SPECS / f"{stem}.yaml").read_text(encoding="utf-8"))
    return data


def operation(stem: str, operation_id: str) -> tuple[str, dict[str, Any]]:
    """(JSON pointer, operation object) of the operation with this operationId."""
    for path, item in spec(stem)["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and op.get("operationId") == operation_id:
                return f"#/paths/{path.replace('~', '~0').replace('/', '~1')}/{method}", op
    raise AssertionError(f"specs/{stem}.yaml has no operation {operation_id}")


def response_schema_pointer(stem: str, entry: dict[str, Any]) -> str | None:
    """Pointer to the JSON schema of the entry's response; None when the response has none."""
    ptr, op = operation(stem, entry["operation"])
    responses = {str(k): v for k, v in op["responses"].items()}
    response = responses[entry["status"]]
    ptr = f"{ptr}/responses/{entry['status']}"
    if "$ref" in response:
        ptr = response["$ref"]
        response = spec(stem)["components"]["responses"][ptr.rsplit("/", 1)[1]]
    media = next((m for m in response.get("content", {}) if JSON_MEDIA.match(m)), None)
    if media is None or "schema" not in response["content"][media]:
        return None
    return f"{ptr}/content/{media.replace('/', '~1')}/schema"


def dotted(value: Any, path: str) -> Any:
    for key in path.split(".") if path else []:
        value = value[key]
    return value


def test_there_are_samples() -> None:
    assert SAMPLE_FILES and ENTRIES


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_sample_file_names_a_curated_spec(path: Path) -> None:
    assert (SPECS / f"{path.stem}.yaml").is_file()


@pytest.mark.parametrize(("stem", "entry"), PARAMS)
def test_sample_names_an_operation_and_status_of_its_spec(stem: str, entry: dict[str, Any]) -> None:
    assert set(entry) == FIELDS, set(entry) ^ FIELDS
    assert isinstance(entry["status"], str) and isinstance(entry["body"], str)
    assert isinstance(entry["repairs"], list) and all(isinstance(r, str) and r for r in entry["repairs"])
    document, _, line = entry["source"].rpartition(":")
    assert re.fullmatch(r"\d{3}_[0-9a-f]{16}\.txt", document) and line.isdigit(), entry["source"]
    _, op = operation(stem, entry["operation"])
    assert entry["status"] in {str(k) for k in op["responses"]}, (entry["operation"], entry["status"])


@pytest.mark.parametrize(("stem", "entry"), PARAMS)
def test_sample_is_json(stem: str, entry: dict[str, Any]) -> None:
    json.loads(entry["body"])


@pytest.mark.parametrize(("stem", "entry"), PARAMS)
def test_unrepaired_sample_is_the_document_text(stem: str, entry: dict[str, Any]) -> None:
    if SEEDS is None:
        pytest.skip("the source documents (../shared/seeds) are not beside the repository")
    if entry["repairs"]:
        pytest.skip("repaired: the recorded repairs say how it differs from the document")
    document, _, line = entry["source"].rpartition(":")
    lines = (SEEDS / document).read_text(encoding="utf-8").split("\n")
    body = entry["body"].rstrip("\n").split("\n")
    start = int(line) - 1
    assert lines[start : start + len(body)] == body


@pytest.mark.parametrize(("stem", "entry"), PARAMS)
def test_sample_validates_against_the_response_schema(stem: str, entry: dict[str, Any]) -> None:
    pointer = response_schema_pointer(stem, entry)
    if pointer is None:
        pytest.skip("the response has no schema (untyped JSON or no body): parsing is all there is")
    registry: Registry[Any] = Registry().with_resource(SPEC_URI, DRAFT202012.create_resource(spec(stem)))
    validator = Draft202012Validator(
        {"$ref": f"{SPEC_URI}{pointer}"}, registry=registry, format_checker=FormatChecker()
    )
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(json.loads(entry["body"]))]
    assert not errors, errors


def _strict_call(stem: str, operation_id: str, status: int, body: str) -> Any:
    """Call the operation on the generated client in strict mode, the server answering `body`
    with `status`: the parsed result, or the APIStatusError raised for an error status."""
    case = next(c for c in ops.cases(stem) if c.operation_id == operation_id)
    module = ops.package(stem)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body.encode(), headers={"Content-Type": "application/json"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    try:
        result = ops.call(case, base_url="https://samples.test", http_client=http, strict_response_validation=True)
        return result.first_page() if case.pagination else result
    except module.APIStatusError as error:
        return error
    finally:
        http.close()  # the caller's client, which the generated client does not close


@pytest.mark.parametrize(("stem", "entry"), PARAMS)
def test_sample_parses_through_the_generated_client_in_strict_mode(stem: str, entry: dict[str, Any]) -> None:
    """A real call through the generated client (strict_response_validation=True), answered with
    the sample: a success parses into its declared type, an error body into its error model."""
    module, op = resource_module(stem, entry["operation"])
    status = int(entry["status"])
    result = _strict_call(stem, entry["operation"], status, entry["body"])
    value = json.loads(entry["body"])
    response = getattr(module, f"_response_{op.py_name}")()
    if 200 <= status < 300:
        assert not isinstance(result, Exception), result
        if op.pagination is not None:
            assert len(result.items) == len(dotted(value, op.pagination.items))
            if response.success is not None:
                assert all(isinstance(i, response.success) for i in result.items if isinstance(response.success, type))
        elif response.success is None:
            assert result == value  # untyped JSON comes back as it arrived
        else:
            TypeAdapter(response.success).validate_python(result, strict=False)
        return
    assert status == result.status_code
    model = response.error_models().get(status) or response.error_models().get(f"{status // 100}XX")
    if model is None:
        assert result.body == value  # no error schema: the JSON as it arrived
    else:
        assert isinstance(result.body, model), type(result.body)
