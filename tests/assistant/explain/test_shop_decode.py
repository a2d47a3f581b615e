"""The catalog's decoded `Shop`, which every payload reads, is what decoding it cell by cell gives.

`ShopTable._decode` takes Python scalars from `item` and converts by column kind, for speed; this holds it
to the plain reading: each cell as a numpy scalar through `_plain`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

import numpy as np

from retrieval.catalog.table import (
    CATALOG_AS_OF,
    EPOCH,
    INSURER_TIERS,
    NEW_SHOP_DAYS,
    Shop,
    ShopTable,
    _plain,
)
from retrieval.catalog.vocabulary import (
    CAPABILITY_NAMES,
    CERTIFICATIONS,
    MAKE_NAMES,
    SHOP_TYPE_NAMES,
    bits_to_names,
)


def _cell_by_cell(table: ShopTable, shop_id: str) -> Shop:
    i = table.row_of(shop_id)
    c = {k: v[i] for k, v in table.columns.items()}
    opened = EPOCH + dt.timedelta(days=int(c["opened_day"]))
    plain = {f.name: _plain(c[f.name]) for f in fields(Shop) if f.name in c}
    plain.update(
        shop_type=SHOP_TYPE_NAMES[int(c["shop_type"])],
        authorized_makes=bits_to_names(int(c["authorized_makes"]), MAKE_NAMES),
        capabilities=bits_to_names(int(c["capabilities"]), CAPABILITY_NAMES),
        certifications=bits_to_names(int(c["certifications"]), CERTIFICATIONS),
        opened_date=opened.isoformat(),
        is_new=(CATALOG_AS_OF - opened).days <= NEW_SHOP_DAYS,
        insurer_tier=INSURER_TIERS[int(c["insurer_tier"])],
        parts_stock={m: int(q) for m, q in zip(MAKE_NAMES, table.parts_stock[i], strict=True) if q > 0},
    )
    return Shop(**plain)


def test_a_decoded_shop_is_its_cells_read_one_by_one(small_catalog: ShopTable) -> None:
    for shop_id in small_catalog["shop_id"][::7].tolist():
        # repr: the same floats to the last bit, and the same Python types
        assert repr(small_catalog._decode(shop_id)) == repr(_cell_by_cell(small_catalog, shop_id))
        assert small_catalog.shop(shop_id) == small_catalog._decode(shop_id)


def test_cells_of_other_kinds_decode_as_plain_values_would(small_catalog: ShopTable) -> None:
    rows = 5
    columns = {k: v[:rows].copy() for k, v in small_catalog.columns.items()}
    # Objects are kept as they are unless numpy scalars; other widths of ints and floats are still plain.
    columns["description_en"] = np.array([np.str_("a"), 1.23456789, np.float32(2.25), 7, "b"], dtype=object)
    columns["rating"] = columns["rating"].astype(np.float64) + 1e-9
    columns["bays"] = columns["bays"].astype(np.uint16)
    columns["open_weekends"] = columns["open_weekends"].astype(np.int8)
    table = ShopTable(columns=columns, parts_stock=small_catalog.parts_stock[:rows].copy())
    for shop_id in table["shop_id"].tolist():
        assert repr(table._decode(shop_id)) == repr(_cell_by_cell(table, shop_id))
