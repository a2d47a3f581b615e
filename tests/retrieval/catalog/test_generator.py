from __future__ import annotations

import numpy as np
import pytest

from retrieval.catalog.cities import find_city, load_cities
from retrieval.catalog.generator import generate_catalog
from retrieval.catalog.table import ShopTable
from retrieval.catalog.vocabulary import CAPABILITY_NAMES, MAKE_NAMES, SHOP_TYPE_INDEX
from retrieval.errors import InvalidQueryError


def test_same_seed_gives_the_same_catalog(small_catalog: ShopTable) -> None:
    again = generate_catalog(3_000, seed=11)
    assert again.fingerprint() == small_catalog.fingerprint()
    for name in small_catalog.columns:
        assert np.array_equal(again[name], small_catalog[name]), name
    assert np.array_equal(again.parts_stock, small_catalog.parts_stock)


def test_another_seed_gives_another_catalog(small_catalog: ShopTable) -> None:
    assert generate_catalog(3_000, seed=12).fingerprint() != small_catalog.fingerprint()


def test_shop_ids_are_unique_and_stable(small_catalog: ShopTable) -> None:
    ids = small_catalog["shop_id"]
    assert len(set(ids.tolist())) == len(ids)
    assert ids[0] == "S000001"


def test_values_stay_in_realistic_ranges(small_catalog: ShopTable) -> None:
    t = small_catalog
    assert ((t["lat"] > 17) & (t["lat"] < 54) & (t["lon"] > 73) & (t["lon"] < 136)).all(), "inside China"
    assert ((t["rating"] >= 2.5) & (t["rating"] <= 5.0)).all()
    assert ((t["complaint_rate"] >= 0) & (t["complaint_rate"] <= 0.5)).all()
    assert ((t["rework_rate"] >= 0) & (t["rework_rate"] <= 0.4)).all()
    assert (t["bays"] >= 2).all() and (t["bays"] <= 30).all()
    assert (t["technicians"] >= 1).all()
    assert (t["mean_cycle_days"] > 0).all() and (t["mean_cycle_days"] < 30).all()
    assert (t["open_hour"] < t["close_hour"]).all()
    assert (t["capabilities"] > 0).all(), "every shop can repair something"
    assert 0.03 < t.is_new().mean() < 0.15, "a minority of shops are new"


def test_dealers_are_authorized_for_one_or_two_makes_and_others_for_none(small_catalog: ShopTable) -> None:
    dealer = small_catalog["shop_type"] == SHOP_TYPE_INDEX["4s_dealer"]
    counts = np.array([int(b).bit_count() for b in small_catalog["authorized_makes"]])
    assert set(counts[dealer].tolist()) <= {1, 2}
    assert (counts[~dealer] == 0).all()


def test_dealers_stock_parts_only_for_their_own_makes(small_catalog: ShopTable) -> None:
    dealer_rows = np.flatnonzero(small_catalog["shop_type"] == SHOP_TYPE_INDEX["4s_dealer"])
    for row in dealer_rows[:200]:
        bits = int(small_catalog["authorized_makes"][row])
        stocked = np.flatnonzero(small_catalog.parts_stock[row] > 0)
        assert all(bits >> int(m) & 1 for m in stocked)


def test_shops_follow_population(small_catalog: ShopTable) -> None:
    cities, counts = np.unique(small_catalog["city"], return_counts=True)
    top = cities[np.argmax(counts)]
    assert top in {"Shanghai", "Beijing", "Shenzhen", "Guangzhou"}


def test_decoded_shop_carries_every_factor(small_catalog: ShopTable) -> None:
    shop = small_catalog.shop("S000042")
    assert shop.name_zh and shop.name_en and shop.city_zh
    assert set(shop.capabilities) <= set(CAPABILITY_NAMES)
    assert set(shop.authorized_makes) <= set(MAKE_NAMES)
    assert shop.description_en.endswith(".") and shop.description_zh.endswith("。")


@pytest.mark.parametrize("n", [0, -5, 3_000_000])
def test_impossible_sizes_are_refused_with_a_clear_message(n: int) -> None:
    with pytest.raises(InvalidQueryError, match="n_shops must be between"):
        generate_catalog(n)


def test_cities_are_bilingual_and_districts_merge_into_their_city() -> None:
    shanghai = find_city("上海市")
    assert shanghai.name == "Shanghai" and shanghai.zh == "上海"
    assert "Pudong" in {d[0] for d in shanghai.districts}
    assert all(c.zh for c in load_cities())
    assert find_city("Shenzhen").zh == "深圳"
