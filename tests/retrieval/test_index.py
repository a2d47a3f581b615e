from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog.generator import generate_catalog
from retrieval.catalog.table import ShopTable
from retrieval.errors import IndexStaleError
from retrieval.geo import haversine_km, unit_vectors
from retrieval.index import GeoIndex


def test_saved_index_loads_and_answers_like_the_original(
    tmp_path: Path, small_catalog: ShopTable, small_index: GeoIndex
) -> None:
    small_index.save(tmp_path)
    loaded = GeoIndex.load(tmp_path, small_catalog.fingerprint())
    point = unit_vectors(np.array([31.2]), np.array([121.5]))[0]
    assert np.array_equal(loaded.nearest(point, 25)[1], small_index.nearest(point, 25)[1])


def test_an_index_of_another_catalog_is_refused_and_rebuilt(tmp_path: Path, small_catalog: ShopTable) -> None:
    GeoIndex.build(small_catalog).save(tmp_path)
    other = generate_catalog(500, seed=99)
    with pytest.raises(IndexStaleError, match="built for catalog"):
        GeoIndex.load(tmp_path, other.fingerprint())
    rebuilt = GeoIndex.load_or_build(tmp_path, other)
    assert rebuilt.index.ntotal == 500
    assert GeoIndex.load(tmp_path, other.fingerprint()).fingerprint == other.fingerprint()


def test_nearest_matches_brute_force_haversine(small_catalog: ShopTable, small_index: GeoIndex) -> None:
    lat, lon = 30.66, 104.07  # Chengdu
    _, rows = small_index.nearest(unit_vectors(np.array([lat]), np.array([lon]))[0], 30)
    truth = np.argsort(haversine_km(lat, lon, small_catalog["lat"], small_catalog["lon"]), kind="stable")[:30]
    assert set(rows.tolist()) == set(truth.tolist())


def test_nearest_respects_the_allowed_mask(small_catalog: ShopTable, small_index: GeoIndex) -> None:
    allowed = np.zeros(len(small_catalog), dtype=bool)
    allowed[::7] = True
    _, rows = small_index.nearest(unit_vectors(np.array([39.9]), np.array([116.4]))[0], 50, allowed)
    assert len(rows) == 50 and allowed[rows].all()
