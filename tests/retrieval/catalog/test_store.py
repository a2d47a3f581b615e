from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog.store import SqliteCatalogStore
from retrieval.catalog.table import ShopTable
from retrieval.errors import CatalogMissingError, UnknownShopError


def test_sqlite_store_round_trips_every_column(tmp_path: Path, small_catalog: ShopTable) -> None:
    store = SqliteCatalogStore(tmp_path / "catalog.sqlite")
    store.save(small_catalog, {"seed": 11})
    loaded = store.load()
    for name in small_catalog.columns:
        assert np.array_equal(loaded[name], small_catalog[name]), name
    assert np.array_equal(loaded.parts_stock, small_catalog.parts_stock)
    assert store.meta()["fingerprint"] == small_catalog.fingerprint()
    assert store.meta()["seed"] == 11


def test_saving_again_replaces_the_catalog_whole(tmp_path: Path, small_catalog: ShopTable) -> None:
    store = SqliteCatalogStore(tmp_path / "catalog.sqlite")
    store.save(small_catalog, {"seed": 11})
    smaller = ShopTable.from_columns(
        {k: v[:10] for k, v in small_catalog.columns.items()}, small_catalog.parts_stock[:10]
    )
    store.save(smaller, {"seed": 11})
    assert len(store.load()) == 10
    assert not (tmp_path / "catalog.building").exists()


def test_loading_a_missing_catalog_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(CatalogMissingError, match="rih catalog build"):
        SqliteCatalogStore(tmp_path / "nothing.sqlite").load()


def test_unknown_shop_id_raises_a_clear_error(small_catalog: ShopTable) -> None:
    with pytest.raises(UnknownShopError, match="No shop with id 'S999999'"):
        small_catalog.shop("S999999")


def test_decoded_shops_are_cached_up_to_a_bound_and_the_oldest_leaves_first(
    small_catalog: ShopTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retrieval.catalog import table

    monkeypatch.setattr(table, "SHOP_CACHE_SIZE", 3)
    monkeypatch.setattr(small_catalog, "_shops", type(small_catalog._shops)())
    ids = [str(s) for s in small_catalog["shop_id"][:5]]
    first = small_catalog.shop(ids[0])
    assert small_catalog.shop(ids[0]) is first  # cached
    for shop_id in ids[1:]:
        small_catalog.shop(shop_id)
    assert list(small_catalog._shops) == ids[2:]  # bounded; the two oldest left
    assert small_catalog.shop(ids[0]) == first and small_catalog.shop(ids[0]) is not first  # decoded again
