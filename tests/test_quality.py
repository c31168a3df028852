"""Quality gates on every package in generated/: mypy --strict and ruff (with the package's own
pyproject config) pass, and the packages install from their folders into a fresh virtual
environment and import there.

Each test copies generated/ into tmp_path first, so it never writes into the working tree (no
build/, *.egg-info or caches) and a concurrent `make generate` cannot swap a package away mid-run.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

from tests.conftest import ROOT

GENERATED = ROOT / "generated"


def _package_dirs() -> list[Path]:
    return sorted(p.parent for p in GENERATED.glob("*/pyproject.toml"))


def _copy_generated(dest: Path) -> list[Path]:
    packages = _package_dirs()
    assert packages, f"no generated packages in {GENERATED}; run `make generate`"
    ignore = shutil.ignore_patterns("__pycache__", "build", "*.egg-info", ".mypy_cache", ".ruff_cache")
    copies = []
    for package in packages:
        copy = dest / package.name
        shutil.copytree(package, copy, ignore=ignore)
        copies.append(copy)
    return copies


def _run(args: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


@pytest.mark.slow
def test_generated_packages_pass_mypy_strict_and_ruff(tmp_path: Path) -> None:
    copies = _copy_generated(tmp_path / "pkgs")
    for copy in copies:  # the package's own config asks for what we check
        config = tomllib.loads((copy / "pyproject.toml").read_text())
        assert config["tool"]["mypy"]["strict"] is True, copy.name
        assert "ruff" in config["tool"], copy.name
    # One mypy run over all five import packages; each folder is a search path root.
    env_path = ":".join(str(c) for c in copies)
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(tmp_path / "mypy-cache"),
         *[arg for copy in copies for arg in ("-p", f"{copy.name}_client")]],
        cwd=tmp_path, capture_output=True, text=True, timeout=900, check=False,
        env={"MYPYPATH": env_path, "PATH": "/usr/bin:/bin"},
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = Path(sys.executable).with_name("ruff")
    for copy in copies:
        # cwd=the package: ruff picks up the package's pyproject.toml [tool.ruff].
        result = _run([str(ruff), "check", "--no-cache", "."], cwd=copy)
        assert result.returncode == 0, f"{copy.name}:\n{result.stdout}{result.stderr}"


_PROBE = textwrap.dedent(
    """
    import importlib, importlib.metadata, inspect, json, sys
    report = {}
    for stem in sys.argv[1:]:
        module = importlib.import_module(stem + "_client")
        exported = list(module.__all__)
        sync = [n for n in exported if n.endswith("Client") and not n.startswith("Async")]
        assert len(sync) == 1, (stem, sync)
        name = sync[0]
        assert "Async" + name in exported and "APIError" in exported, (stem, exported)
        assert all(hasattr(module, n) for n in exported), stem
        cls = getattr(module, name)
        kwargs = {"base_url": "https://api.example.com"}
        for param in inspect.signature(cls).parameters.values():
            if param.name in ("api_key", "username", "password") or param.default is param.empty:
                kwargs.setdefault(param.name, "x")
        client = cls(**kwargs)
        client.close()
        assert issubclass(module.APIError, Exception)
        dist = importlib.metadata.distribution(stem.replace("_", "-") + "-client")
        report[stem] = {"name": dist.metadata["Name"], "version": dist.version,
                        "file": module.__file__}
    print(json.dumps(report))
    """
)


@pytest.mark.slow
def test_generated_packages_install_into_a_fresh_venv(tmp_path: Path) -> None:
    copies = _copy_generated(tmp_path / "pkgs")
    venv = tmp_path / "venv"
    created = _run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    python = venv / "bin" / "python"
    installed = _run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "--no-input",
         *[str(c) for c in copies]],
        cwd=tmp_path,
        timeout=900,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    stems = [c.name for c in copies]
    # Run from tmp_path with -I: the installed packages, not the copies or the repository, import.
    probe = _run([str(python), "-I", "-c", _PROBE, *stems], cwd=tmp_path)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    report = json.loads(probe.stdout)
    for copy in copies:
        project = tomllib.loads((copy / "pyproject.toml").read_text())["project"]
        got = report[copy.name]
        assert (got["name"], got["version"]) == (project["name"], project["version"]), copy.name
        assert "site-packages" in got["file"], got["file"]


def test_specgen_itself_passes_mypy_strict_and_ruff(tmp_path: Path) -> None:
    """The generator, its tests and benchmarks are held to what they demand of generated code."""
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy")],  # config: pyproject.toml
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "generator", "bench", "tests"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_models_and_resources_are_imported_on_first_use() -> None:
    """`import <pkg>` stays cheap however many models a spec has; the first use pulls them in."""
    script = textwrap.dedent(
        """
        import sys
        import notify_client
        assert "notify_client.models" not in sys.modules
        assert "notify_client.resources.invoices" not in sys.modules
        client = notify_client.NotifyClient(api_key="k")
        client.invoices
        assert "notify_client.resources.invoices" in sys.modules
        assert client.invoices is client.invoices
        assert notify_client.Invoice is sys.modules["notify_client.models"].Invoice
        assert notify_client.models.Invoice is notify_client.Invoice
        from notify_client import *  # noqa: F403 - every name in __all__ resolves
        print("ok")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=GENERATED / "notify", capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
