"""The Prism harness fails loudly: a missing install or a Prism that cannot serve a spec is an
error naming the cause, never a skip."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import _prism

pytestmark = pytest.mark.contract


def test_missing_prism_names_the_make_target(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(_prism, "PRISM", _prism.ROOT / "node_modules" / ".bin" / "no-such-prism")
    with pytest.raises(_prism.PrismUnavailable, match=r"make node_modules/\.installed"):
        _prism.start_all([_prism.ROOT / "specs" / "notify.yaml"], tmp_path)


def test_missing_node_is_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(_prism.PrismUnavailable, match="node is not on PATH"):
        _prism.check_installed()


def test_prism_that_exits_is_reported_with_its_output(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.1.0\npaths: [not, a, mapping]\n")
    with pytest.raises(_prism.PrismUnavailable, match="broken.yaml exited") as raised:
        _prism.start_all([broken], tmp_path)
    assert "No operations found" in str(raised.value)


def test_stop_ends_the_process(tmp_path: Path) -> None:
    (server,) = _prism.start_all(
        [_prism.ROOT / "specs" / "invisible_collector.yaml"], tmp_path
    ).values()
    assert server.accepts_connections()
    server.stop()
    assert server.process.returncode is not None
    assert not server.accepts_connections()
