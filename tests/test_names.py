"""Method and model names: the Stainless convention (`client.customers.list()`), derived for any
spec, deterministic and collision-free, and `x-specgen-name` overriding any of them.

tests/golden/method_names.txt holds every method name of the five curated specs and of two corpus
specs (bikewise, Stripe); `make golden` rewrites it after an intended change."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from generator.build import build_api
from generator.load import load
from generator.names import OperationShape, method_names
from generator.pipeline import render_spec
from tests.conftest import FIXTURES, models_source

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden" / "method_names.txt"
UPDATE = os.environ.get("SPECGEN_UPDATE_GOLDEN") == "1"
# the corpus sits beside the repository (../shared/corpus), also seen from a worktree one level down
CORPUS = next((p for p in (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus")
               if (p / "MANIFEST.tsv").is_file()), None)  # fmt: skip
CORPUS_SPECS = ("bikewise.org.json", "stripe.com.json")


def _names(path: Path) -> list[str]:
    api, _, _ = build_api(load(path), path.stem)
    return [f"{path.name}: client.{r.attr}.{op.py_name}  {op.method} {op.path}" for r in api.resources for op in r.operations]


@pytest.mark.skipif(CORPUS is None, reason="no ../shared/corpus")
def test_method_names_match_golden_file() -> None:
    assert CORPUS is not None
    lines = [line for spec in sorted((ROOT / "specs").glob("*.yaml")) for line in _names(spec)]
    lines += [line for name in CORPUS_SPECS for line in _names(CORPUS / name)]
    text = "\n".join(lines) + "\n"
    if UPDATE:
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.read_text(encoding="utf-8") == text, "method names changed: review, then `make golden`"


def test_crud_names_and_resource_words_dropped() -> None:
    names = {line.split(": ", 1)[1].split("  ")[0] for line in _names(ROOT / "specs" / "notify.yaml")}
    assert {"client.customers.list", "client.customers.create", "client.customers.retrieve",
            "client.customers.update", "client.customers.delete", "client.customers.search",
            "client.invoices.list"} <= names  # fmt: skip
    pay = {line.split("  ")[0].split(": ")[1] for line in _names(ROOT / "specs" / "payment_integrations.yaml")}
    assert {"client.invoices.mark_as_paid", "client.invoices.submit_card_payment", "client.invoices.download_pdf",
            "client.invoices.get_calculations", "client.invoices.publish"} <= pay  # fmt: skip
    novicap = {line.split("  ")[0].split(": ")[1] for line in _names(ROOT / "specs" / "novicap.yaml")}
    assert "client.dynamic_discounting_suppliers.list" in novicap


def test_generated_operation_ids_are_named_from_the_path() -> None:
    shapes = [
        OperationShape("get", "/v1/accounts", "GetAccounts"),
        OperationShape("post", "/v1/accounts/{account}", "PostAccountsAccount"),
        OperationShape("post", "/v1/accounts/{account}/bank_accounts", "PostAccountsAccountBankAccounts"),
        OperationShape("post", "/v1/accounts/{account}/bank_accounts/{id}", "PostAccountsAccountBankAccountsId"),
        OperationShape("get", "/v1/accounts/{account}/people", "GetAccountsAccountPeople"),
        OperationShape("post", "/v1/accounts/{account}/reject", "PostAccountsAccountReject"),
        OperationShape("get", "/v2/incidents", "GET--version-incidents---format-"),
    ]
    names, notes = method_names("accounts", shapes)
    assert names == ["list", "update", "create_bank_account", "update_bank_account", "list_people", "reject",
                     "list_incidents"]  # fmt: skip
    assert notes == []


def test_collisions_are_resolved_deterministically_with_a_note() -> None:
    shapes = [
        OperationShape("get", "/orgs/{org}/repos", "listOrgRepos"),
        OperationShape("get", "/repos", "listRepos"),
        OperationShape("get", "/user/repos", "listRepos2"),  # also wants `list`
        OperationShape("post", "/repos/search", "search"),
        OperationShape("get", "/repos/search", "searchRepos"),  # `search` is taken
    ]
    first = method_names("repos", shapes)
    assert first == method_names("repos", list(shapes))
    names, notes = first
    assert names[1] == "list"  # the shortest path wins the CRUD name
    assert len(set(names)) == len(names)
    assert names[:1] == ["list_org_repos"] and names[3] == "search" and names[4] == "search_repos"
    assert [i for i, _ in notes] == [4]


def test_x_specgen_name_overrides_method_and_builtin_names_are_kept() -> None:
    shapes = [
        OperationShape("get", "/pets", "listPets", override="all_pets"),
        OperationShape("get", "/pets/{id}", "getPet", override="list"),
        OperationShape("post", "/pets", "createPet", override="import"),  # a keyword
    ]
    names, _ = method_names("pets", shapes)
    assert names == ["all_pets", "list", "import_"]


SPEC = """
openapi: 3.1.0
info: {title: Zoo API, version: 1.0.0}
servers: [{url: 'https://zoo.test'}]
paths:
  /animals:
    get:
      operationId: listAnimals
      tags: [animals]
      x-specgen-name: everything
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Animal'}}}
components:
  schemas:
    Animal:
      type: object
      x-specgen-name: Creature
      properties:
        kind: {type: string, enum: [cat, dog], x-specgen-name: {name: Species, members: {cat: FELINE}}}
        address: {type: object, properties: {city: {type: string}}}
        resource: {type: string, enum: [animal]}
        diet: {type: string, enum: [meat, plants], default: meat, x-specgen-name: {members: {meat: CARNIVORE}}}
"""


def test_x_specgen_name_on_schemas_and_enum_members_and_inline_models_named_by_owner(tmp_path: Path) -> None:
    spec = tmp_path / "zoo.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    result = render_spec(spec, strict=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    files = {p.as_posix(): t for p, t in result.files.items()}
    models = models_source(result.files)
    classes = set(re.findall(r"^class (\w+)", models, re.MULTILINE))
    assert {"Creature", "Species", "CreatureAddress", "CreatureResource", "CreatureDiet"} <= classes
    assert "Animal" not in classes and not any(re.search(r"\d$", c) for c in classes)
    assert re.search(r"^    FELINE = \"cat\"$", models, re.MULTILINE)
    assert re.search(r"^    CARNIVORE = \"meat\"$", models, re.MULTILINE)
    assert "CreatureDiet.CARNIVORE" in models  # the default follows the renamed member
    assert "def everything(" in files["zoo/zoo_client/resources/animals.py"]


def test_golden_fixture_petstore_uses_crud_names() -> None:
    names = [line.split(": ", 1)[1].split("  ")[0] for line in _names(FIXTURES / "petstore.yaml")]
    assert names[:4] == ["client.pets.list", "client.pets.create", "client.pets.retrieve", "client.pets.delete"]
