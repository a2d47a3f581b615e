"""The lat/lon grid in front of the FAISS search: exact whenever it answers; FAISS covers the rest."""

from __future__ import annotations

import faiss
import numpy as np
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from retrieval.catalog.table import ShopTable
from retrieval.geo import unit_vectors
from retrieval.geo_grid import GeoGrid
from retrieval.index import GeoIndex

FAST = settings(max_examples=60, deadline=None)
Answer = tuple[NDArray[np.float32], NDArray[np.int64]]


def index_of(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> GeoIndex:
    flat = faiss.IndexFlatL2(3)
    flat.add(unit_vectors(lat, lon))
    return GeoIndex(index=flat, fingerprint="test")


def point(lat: float, lon: float) -> NDArray[np.float32]:
    return unit_vectors(np.array([lat]), np.array([lon]))[0]


def assert_exact(
    index: GeoIndex, q: NDArray[np.float32], k: int, allowed: NDArray[np.bool_] | None, got: Answer
) -> None:
    """`got` holds the k nearest allowed shops by FAISS's own distances; only ties at the k-th may differ."""
    dist, rows = got
    n = index.index.ntotal
    want_dist, _ = index.search_flat(q, k, allowed)
    assert np.array_equal(dist, want_dist)  # bit for bit, not just close
    every_dist, every_row = index.search_flat(q, n)  # FAISS distance to every shop
    every = np.empty(n, dtype=np.float32)
    every[every_row] = every_dist
    ok = np.ones(n, dtype=bool) if allowed is None else allowed
    assert len(set(rows.tolist())) == len(rows) and ok[rows].all()
    assert np.array_equal(every[rows], dist)
    kth = dist[-1] if len(dist) else np.inf
    assert set(np.flatnonzero(ok & (every < kth)).tolist()) <= set(rows.tolist())


@st.composite
def scenes(draw: st.DrawFn) -> tuple[GeoIndex, NDArray[np.float32], int, NDArray[np.bool_] | None]:
    """A catalog (spread, clustered or co-located), a mask (none, dense, sparse, empty), a query and a k."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    n = draw(st.one_of(st.integers(1, 40), st.sampled_from([300, 1_000, 3_000])))
    c_lat, c_lon = draw(st.floats(-60, 60)), draw(st.floats(-175, 175))
    span = draw(st.sampled_from([0.02, 0.3, 2.0]))
    layout = draw(st.sampled_from(["uniform", "clustered", "co-located"]))
    if layout == "uniform":
        lat, lon = c_lat + rng.uniform(-span, span, n), c_lon + rng.uniform(-span, span, n)
    else:
        m = draw(st.integers(1, 5))
        centres = rng.uniform(-span, span, (m, 2))
        pick = rng.integers(m, size=n)
        sigma = 0.0 if layout == "co-located" else span / 50
        lat = c_lat + centres[pick, 0] + rng.normal(0, sigma, n)
        lon = c_lon + centres[pick, 1] + rng.normal(0, sigma, n)
    density = draw(st.sampled_from([None, None, 0.9, 0.3, 0.05, 0.0]))
    allowed = None if density is None else rng.random(n) < density
    inside = draw(st.booleans())
    row = int(rng.integers(n))
    q_lat = lat[row] + rng.normal(0, span / 10) if inside else c_lat + draw(st.floats(-6, 6))
    q_lon = lon[row] + rng.normal(0, span / 10) if inside else c_lon + draw(st.floats(-6, 6))
    k = draw(st.one_of(st.integers(1, 10), st.integers(1, 60), st.integers(1, n + 5)))  # mostly k < allowed
    return index_of(lat, lon), point(q_lat, q_lon), k, allowed


@FAST
@given(scenes(), st.sampled_from([0.05, 0.25, 1.0]))
def test_whenever_the_grid_answers_it_answers_exactly(scene, cell_deg: float) -> None:  # type: ignore[no-untyped-def]
    index, q, k, allowed = scene
    grid = GeoGrid(
        index.index.reconstruct_n(0, index.index.ntotal), cell_deg, max_ring=min(64, 40 / cell_deg)
    )
    got = grid.nearest(q, k, allowed)
    event("grid answered" if got is not None else "grid stepped aside")
    if got is not None:
        assert_exact(index, q, k, allowed, got)
        dist, rows = got
        assert np.all(np.diff(dist) >= 0) and np.all(np.diff(rows)[np.diff(dist) == 0] > 0)  # ties by row


@FAST
@given(scenes())
def test_the_index_always_answers_like_brute_force(scene) -> None:  # type: ignore[no-untyped-def]
    index, q, k, allowed = scene
    assert_exact(index, q, k, allowed, index.nearest(q, k, allowed))


def test_the_grid_answers_the_common_case(small_catalog: ShopTable, small_index: GeoIndex) -> None:
    assert small_index.grid is not None
    for lat, lon in [(31.23, 121.47), (39.9, 116.4), (23.13, 113.26), (30.66, 104.07)]:
        got = small_index.grid.nearest(point(lat, lon), 20)
        assert got is not None
        assert_exact(small_index, point(lat, lon), 20, None, got)


def test_the_grid_answers_most_catalog_queries_and_every_answer_is_exact(
    small_catalog: ShopTable, small_index: GeoIndex
) -> None:
    rng = np.random.default_rng(3)
    assert small_index.grid is not None
    answered = 0
    for trial in range(120):
        row = int(rng.integers(len(small_catalog)))
        q = point(
            small_catalog["lat"][row] + rng.normal(0, 0.1), small_catalog["lon"][row] + rng.normal(0, 0.1)
        )
        allowed = rng.random(len(small_catalog)) < [1.0, 0.3, 0.05][trial % 3]
        k = [1, 10, 60][trial % 4 % 3]
        got = small_index.grid.nearest(q, k, allowed)
        if got is not None:
            answered += 1
            assert_exact(small_index, q, k, allowed, got)
    assert answered >= 100


def test_grid_distances_are_faiss_distances_bit_for_bit(small_index: GeoIndex) -> None:
    # FAISS fuses multiply-adds: a numpy float32 sum would differ by an ulp here and there.
    q = point(31.2, 121.5)
    dist, rows = small_index.search_flat(q, small_index.index.ntotal)
    assert small_index.grid is not None
    assert np.array_equal(small_index.grid.chord_sq(q, rows), dist)


def test_across_the_antimeridian_the_grid_steps_aside_and_the_answer_is_exact() -> None:
    rng = np.random.default_rng(1)
    lon = (180 + rng.uniform(-0.5, 0.5, 300) + 180) % 360 - 180  # straddles +-180
    index = index_of(rng.uniform(-17.5, -16.5, 300), lon)
    q = point(-17.0, 179.95)
    assert index.grid is not None and index.grid.nearest(q, 30) is None
    _, rows = got = index.nearest(q, 30)
    assert_exact(index, q, 30, None, got)
    assert (lon[rows] < 0).any() and (lon[rows] > 0).any()  # neighbours found on both sides of the line


@pytest.mark.parametrize("lat", [89.9, -89.7, 89.0])
def test_near_a_pole_the_grid_steps_aside_and_the_answer_is_exact(lat: float) -> None:
    rng = np.random.default_rng(2)
    index = index_of(np.clip(lat + rng.normal(0, 0.3, 200), -90, 90), rng.uniform(-180, 180, 200))
    q = point(lat, 10.0)
    assert index.grid is not None and index.grid.nearest(q, 10) is None
    assert_exact(index, q, 10, None, index.nearest(q, 10))


def test_a_very_sparse_mask_is_answered_by_measuring_just_its_shops(
    small_catalog: ShopTable, small_index: GeoIndex
) -> None:
    allowed = np.zeros(len(small_catalog), dtype=bool)
    allowed[np.argsort(small_catalog["lat"])[[0, 1, -1]]] = True  # far south twice, far north once
    q = point(31.23, 121.47)
    assert small_index.grid is not None
    got = small_index.grid.nearest(q, 2, allowed)
    assert got is not None
    assert_exact(small_index, q, 2, allowed, got)


def test_a_block_beyond_the_budget_falls_back_to_faiss() -> None:
    rng = np.random.default_rng(4)  # two towns 10 degrees apart, the claim half-way between them
    lat = 30 + rng.normal(0, 0.1, 20_000)
    index = index_of(lat, np.r_[np.full(10_000, 100.0), np.full(10_000, 110.0)] + rng.normal(0, 0.1, 20_000))
    q = point(30.0, 105.0)
    assert index.grid is not None and index.grid.nearest(q, 10) is None
    assert_exact(index, q, 10, None, index.nearest(q, 10))


def test_a_k_beyond_the_grid_limit_falls_back_to_faiss(small_index: GeoIndex) -> None:
    q = point(31.23, 121.47)
    assert small_index.grid is not None and small_index.grid.nearest(q, 2_001) is None
    assert_exact(small_index, q, 2_001, None, small_index.nearest(q, 2_001))


def test_k_beyond_the_allowed_shops_returns_every_allowed_shop(
    small_catalog: ShopTable, small_index: GeoIndex
) -> None:
    allowed = np.zeros(len(small_catalog), dtype=bool)
    allowed[::300] = True
    q = point(31.23, 121.47)
    assert small_index.grid is not None and small_index.grid.nearest(q, 50, allowed) is not None
    dist, rows = small_index.nearest(q, 50, allowed)
    assert sorted(rows.tolist()) == np.flatnonzero(allowed).tolist() and np.all(np.diff(dist) >= 0)


def test_co_located_shops_tie_in_row_order() -> None:
    lat = np.r_[np.full(5, 30.0), 30.0 + np.linspace(0.01, 0.05, 20)]
    index = index_of(lat[::-1].copy(), np.full(25, 120.0))  # the five twins are the last rows
    assert index.grid is not None
    got = index.grid.nearest(point(30.0, 120.0), 3)
    assert got is not None and got[1].tolist() == [20, 21, 22]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cell_deg": 0.0}, "cell_deg must divide 180"),
        ({"cell_deg": 0.7}, "cell_deg must divide 180"),
        ({"cell_deg": 1.0, "max_ring": 50}, "must lie below 45 degrees"),
    ],
)
def test_a_grid_that_could_not_certify_is_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        GeoGrid(unit_vectors(np.array([30.0]), np.array([120.0])), **kwargs)  # type: ignore[arg-type]
