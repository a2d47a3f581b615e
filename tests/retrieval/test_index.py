from __future__ import annotations

from pathlib import Path

import faiss
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


def test_a_loaded_index_rebuilds_its_grid_and_answers_with_it(
    tmp_path: Path, small_catalog: ShopTable, small_index: GeoIndex
) -> None:
    small_index.save(tmp_path)
    loaded = GeoIndex.load(tmp_path, small_catalog.fingerprint())
    point = unit_vectors(np.array([39.9]), np.array([116.4]))[0]
    assert loaded.grid is not None and loaded.grid.nearest(point, 25) is not None
    flat_dist, _ = loaded.search_flat(point, 25)
    assert np.array_equal(loaded.nearest(point, 25)[0], flat_dist)


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


def test_the_flat_search_without_a_mask_measures_nearby_shops_exactly() -> None:
    rng = np.random.default_rng(5)
    vectors = unit_vectors(30 + rng.normal(0, 0.1, 20_000), 100 + rng.normal(0, 0.1, 20_000))
    flat = faiss.IndexFlatL2(3)
    flat.add(vectors)
    q = unit_vectors(np.array([30.001]), np.array([100.001]))[0]
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(2)  # FAISS's unmasked multi-threaded kernel rounds these distances to 0
    try:
        dist, rows = GeoIndex(index=flat, fingerprint="test").search_flat(q, 16)
    finally:
        faiss.omp_set_num_threads(threads)
    truth = ((vectors.astype(np.float64) - q) ** 2).sum(axis=1)
    assert np.allclose(dist, truth[rows], rtol=1e-5, atol=0)
    assert set(rows.tolist()) == set(np.argsort(truth)[:16].tolist())
