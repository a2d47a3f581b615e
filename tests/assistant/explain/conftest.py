"""About 600 recommendations of 200 real decisions over the small catalog, built once per session."""

from __future__ import annotations

import pytest

from retrieval.catalog.table import ShopTable
from retrieval.index import GeoIndex
from tests.assistant.explain.decisions import Case, real_cases


@pytest.fixture(scope="session")
def cases(small_catalog: ShopTable, small_index: GeoIndex) -> list[Case]:
    return real_cases(small_catalog, small_index)
