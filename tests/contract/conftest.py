"""One Prism per curated spec for the whole session, started on first use, all at once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._operations import Case
from ._prism import PrismPool


@pytest.fixture(scope="session")
def prism(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrismPool]:
    wanted = {
        value.stem
        for item in request.session.items
        if isinstance(item, pytest.Function) and hasattr(item, "callspec")
        for value in item.callspec.params.values()
        if isinstance(value, Case)
    }
    pool = PrismPool(wanted, tmp_path_factory.mktemp("prism"))
    try:
        yield pool
    finally:
        pool.close()
