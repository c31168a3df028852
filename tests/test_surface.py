"""The generated packages' small surface details: README wording, versions, no dead code in
_client.py, readable resource reprs, and no placeholder host as a default base URL."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from generator.resolve import dist_version

GENERATED = Path(__file__).resolve().parent.parent / "generated"
PACKAGES = sorted(p for p in GENERATED.iterdir() if (p / "pyproject.toml").is_file())


def _run(package: str, code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(GENERATED / package)})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_readme_wording_auth_lines_and_custom_test_file() -> None:
    readme = (GENERATED / "notify" / "README.md").read_text(encoding="utf-8")
    assert "API API" not in readme and "Typed client for the Notify API (" in readme
    assert re.search(r"^The key defaults to .*\n\n- `bearer_auth` \(default\)", readme, re.MULTILINE)
    named = re.search(r"`tests/(test_custom\w*\.py)`", readme)
    assert named and (GENERATED / "notify" / "tests" / named.group(1)).is_file()


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_version_is_the_distribution_version(package: Path) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    init = (package / f"{package.name}_client" / "__init__.py").read_text(encoding="utf-8")
    assert re.search(r"^__version__ = \"([^\"]+)\"", init, re.MULTILINE)[1] == project["version"]  # type: ignore[index]


def test_dist_version_from_info_version() -> None:
    assert [dist_version(v) for v in ("v2", "1.0", "2.1.0-beta.1", "2023-10-16", "latest", "")] == [
        "2", "1.0", "2.1.0b1", "0.0.0", "0.0.0", "0.0.0"
    ]  # fmt: skip


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_client_module_has_no_dead_code(package: Path) -> None:
    source = (package / f"{package.name}_client" / "_client.py").read_text(encoding="utf-8")
    assert "if True:" not in source
    assert ("def _required_base_url" in source) == ("_required_base_url(base_url)" in source)


def test_resources_have_a_readable_repr_without_secrets() -> None:
    text = _run("notify", "from notify_client import NotifyClient\n"
                          "print(repr(NotifyClient(api_key='sk_secret').customers))")  # fmt: skip
    assert text == "<CustomersResource .customers of NotifyClient(base_url='https://api.notify.cm/v2')>"


def test_placeholder_host_is_no_default_base_url() -> None:
    code = (
        "from payment_integrations_client import PaymentIntegrationsClient\n"
        "try:\n    PaymentIntegrationsClient(api_key='k')\nexcept ValueError as exc:\n    print(exc)\n"
        "print(PaymentIntegrationsClient(api_key='k', base_url='https://pay.test').base_url)\n"
    )
    error, chosen = _run("payment_integrations", code).splitlines()
    assert error == "base_url is required: the spec's server https://api.example.com is a placeholder"
    assert chosen == "https://pay.test"


def test_a_method_named_list_beside_list_bodies_generates_passing_tests(tmp_path: Path) -> None:
    """A resource with a `list` method spells the builtin `_builtins.list[...]`; the generated
    tests that build a list body must import it too (billingo's `document` resource did not)."""
    from tests.conftest import FIXTURES, run_specgen

    result = run_specgen("generate", str(FIXTURES / "builtin_names.yaml"), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    package = tmp_path / "builtin_names"
    assert "def list(" in (package / "builtin_names_client" / "resources" / "entries.py").read_text()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                         cwd=package, capture_output=True, text=True, check=False)  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:]
    assert "4 passed" in run.stdout
