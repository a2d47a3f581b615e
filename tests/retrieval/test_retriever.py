from __future__ import annotations

import numpy as np
import pytest

from retrieval.catalog.table import ShopTable
from retrieval.catalog.vocabulary import CAPABILITY_INDEX, MAKE_INDEX, SHOP_TYPE_INDEX
from retrieval.errors import InvalidQueryError, UnknownCityError
from retrieval.geo import haversine_km
from retrieval.index import GeoIndex
from retrieval.needs import NeedParser, Needs
from retrieval.retriever import Retriever
from tests.fakes import HashingEmbedder


@pytest.fixture(scope="module")
def retriever(small_catalog: ShopTable, small_index: GeoIndex, fake_embedder: HashingEmbedder) -> Retriever:
    return Retriever(small_catalog, small_index, NeedParser(fake_embedder, mode="lexical"))


def _capable(table: ShopTable, needs: Needs) -> np.ndarray:
    bits = needs.capability_bits()
    ok = (table["capabilities"] & bits) == bits
    if needs.make:
        authorized = (table["authorized_makes"] >> MAKE_INDEX[needs.make] & 1).astype(bool)
        dealer = table["shop_type"] == SHOP_TYPE_INDEX["4s_dealer"]
        ok &= authorized if needs.authorized_only else (authorized | ~dealer)
    return ok


@pytest.mark.parametrize(
    "needs",
    [
        Needs(capabilities=("glass",)),
        Needs(capabilities=("collision", "paint"), make="BMW", authorized_only=True),
        Needs(capabilities=("ev_battery",), make="Tesla"),
        Needs(),
    ],
)
def test_results_are_the_nearest_capable_shops(
    retriever: Retriever, small_catalog: ShopTable, needs: Needs
) -> None:
    found = retriever.search(31.23, 121.47, k=20, needs=needs)
    capable = _capable(small_catalog, needs)
    distance = haversine_km(31.23, 121.47, small_catalog["lat"], small_catalog["lon"])
    truth = np.flatnonzero(capable)[np.argsort(distance[capable], kind="stable")][: min(20, capable.sum())]
    assert set(found.rows[: len(truth)].tolist()) == set(truth.tolist())
    assert np.all(np.diff(found.distance_km[: len(truth)]) >= -1e-6), "nearest first"
    np.testing.assert_allclose(found.distance_km, distance[found.rows], atol=0.01)


def test_partial_matches_fill_up_only_after_every_full_match(retriever: Retriever) -> None:
    needs = Needs(capabilities=("ev_battery", "flood", "adas"), make="Porsche", authorized_only=True)
    found = retriever.search(22.54, 114.06, k=200, needs=needs)
    full = found.coverage == 1.0
    assert not np.any(np.diff(full.astype(int)) > 0), "full matches come first"
    assert (found.coverage[~full] < 1.0).all()


def test_max_distance_is_a_hard_limit(retriever: Retriever) -> None:
    found = retriever.search(31.23, 121.47, k=200, needs=Needs(capabilities=("glass",)), max_km=8.0)
    assert len(found) > 0 and (found.distance_km <= 8.0).all()


def test_text_is_parsed_into_needs(retriever: Retriever) -> None:
    found = retriever.search_city("上海", k=5, text="宝马4S店 钣金喷漆")
    assert found.needs.make == "BMW" and found.needs.authorized_only
    assert set(found.needs.capabilities) == {"collision", "paint"}
    rows = found.rows[found.coverage == 1.0]
    assert (retriever.table["authorized_makes"][rows] >> MAKE_INDEX["BMW"] & 1).all()
    assert (retriever.table["capabilities"][rows] >> CAPABILITY_INDEX["paint"] & 1).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lat": 31.2, "lon": 121.4, "k": 0}, "k must be between"),
        ({"lat": 31.2, "lon": 121.4, "k": -3}, "k must be between"),
        ({"lat": 95.0, "lon": 121.4}, "Latitude must be within"),
        ({"lat": 31.2, "lon": 181.0}, "Longitude must be within"),
        ({"lat": float("nan"), "lon": 121.4}, "finite"),
        ({"lat": 31.2, "lon": 121.4, "max_km": 0.0}, "max_km must be a positive"),
    ],
)
def test_bad_queries_get_clear_errors(retriever: Retriever, kwargs: dict, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        retriever.search(**kwargs)


def test_unknown_city_gets_a_clear_error(retriever: Retriever) -> None:
    with pytest.raises(UnknownCityError, match="Unknown city 'Atlantis'"):
        retriever.search_city("Atlantis", text="glass")


def test_a_retriever_refuses_an_index_of_another_catalog(small_catalog: ShopTable) -> None:
    from retrieval.catalog.generator import generate_catalog

    with pytest.raises(ValueError, match="different catalog"):
        Retriever(small_catalog, GeoIndex.build(generate_catalog(100, seed=3)))
