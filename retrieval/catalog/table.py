"""The catalog in memory: columns of numpy arrays (the hot path reads columns), plus a frozen `Shop` view.

Bitmask columns use the bit order of `vocabulary` (makes, capabilities, certifications).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.vocabulary import (
    CAPABILITY_NAMES,
    CERTIFICATIONS,
    MAKE_NAMES,
    SHOP_TYPE_NAMES,
    bits_to_names,
)
from retrieval.errors import UnknownShopError

EPOCH = dt.date(1970, 1, 1)
# Recency is measured from a fixed date so a catalog is a pure function of (seed, size).
CATALOG_AS_OF = dt.date(2026, 11, 1)
NEW_SHOP_DAYS = 180

# Column name -> numpy dtype, in storage order. `parts_stock` is the (n, len(MAKES)) matrix.
COLUMNS: dict[str, str] = {
    "shop_id": "U8",
    "name_en": "O",
    "name_zh": "O",
    "city": "O",
    "city_zh": "O",
    "district": "O",
    "district_zh": "O",
    "province": "O",
    "lat": "f8",
    "lon": "f8",
    "shop_type": "i1",
    "authorized_makes": "i8",
    "capabilities": "i8",
    "certifications": "i8",
    "bays": "i2",
    "technicians": "i2",
    "open_hour": "f4",
    "close_hour": "f4",
    "open_weekends": "?",
    "labour_rate_index": "f4",
    "parts_price_index": "f4",
    "mean_cycle_days": "f4",
    "rating": "f4",
    "review_count": "i4",
    "complaint_rate": "f4",
    "rework_rate": "f4",
    "opened_day": "i4",
    "monthly_target": "i2",
    "courtesy_cars": "i2",
    "pickup_service": "?",
    "insurer_tier": "i1",
    "warranty_months": "i1",
    "description_en": "O",
    "description_zh": "O",
}
INSURER_TIERS = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class Shop:
    """One shop, decoded for people and the API (the hot path uses `ShopTable` columns instead)."""

    shop_id: str
    name_en: str
    name_zh: str
    city: str
    city_zh: str
    district: str
    district_zh: str
    province: str
    lat: float
    lon: float
    shop_type: str
    authorized_makes: list[str]
    capabilities: list[str]
    certifications: list[str]
    bays: int
    technicians: int
    open_hour: float
    close_hour: float
    open_weekends: bool
    labour_rate_index: float
    parts_price_index: float
    mean_cycle_days: float
    rating: float
    review_count: int
    complaint_rate: float
    rework_rate: float
    opened_date: str
    is_new: bool
    monthly_target: int
    courtesy_cars: int
    pickup_service: bool
    insurer_tier: str
    warranty_months: int
    parts_stock: dict[str, int]
    description_en: str
    description_zh: str


SHOP_CACHE_SIZE = 20_000


@dataclass
class ShopTable:
    """Every shop as aligned columns; row i of each array is shop i. Build with `from_columns`."""

    columns: dict[str, NDArray[Any]]
    parts_stock: NDArray[np.int16]  # (n, len(MAKES))
    _row_of: dict[str, int] = field(default_factory=dict, repr=False)
    # Decoded shops, kept: every recommendation decodes its shop for display, and the columns never change
    # after construction (a new catalog is a new table). Bounded so a crawl of the catalog cannot grow it.
    # An OrderedDict, not a dict: evicting a plain dict's oldest entry (`pop(next(iter(d)))`) scans the
    # deleted slots piled up at its front, 11.9 us a miss on average once full and up to ~1 ms;
    # `popitem(last=False)` took 1.6 us (200,000 evictions from 20,000 entries, measured).
    _shops: OrderedDict[str, Shop] = field(default_factory=OrderedDict, repr=False)

    def __post_init__(self) -> None:
        n = len(self.columns["shop_id"])
        ragged = [k for k, v in self.columns.items() if len(v) != n]
        if ragged or self.parts_stock.shape != (n, len(MAKE_NAMES)):
            raise ValueError(f"Catalog columns must all have {n} rows; ragged: {ragged or ['parts_stock']}.")
        self._row_of = {str(s): i for i, s in enumerate(self.columns["shop_id"])}

    def __len__(self) -> int:
        return len(self.columns["shop_id"])

    def __getitem__(self, name: str) -> NDArray[Any]:
        return self.columns[name]

    def row_of(self, shop_id: str) -> int:
        """Row index of a shop id; unknown ids raise `UnknownShopError`."""
        try:
            return self._row_of[shop_id]
        except KeyError:
            raise UnknownShopError(f"No shop with id {shop_id!r} in the catalog.") from None

    def shop(self, shop_id: str) -> Shop:
        """Decode one shop for display (a frozen `Shop`, cached)."""
        cached = self._shops.get(shop_id)
        if cached is not None:
            return cached
        shop = self._decode(shop_id)
        if len(self._shops) >= SHOP_CACHE_SIZE:
            self._shops.popitem(last=False)  # the oldest
        self._shops[shop_id] = shop
        return shop

    def _decode(self, shop_id: str) -> Shop:
        i = self.row_of(shop_id)
        # `_plain` of each cell, but from `item` (a Python scalar already), not a numpy scalar per cell: a
        # cache miss decodes the shop of every recommendation shown. Floats of float columns are rounded as
        # `_plain` rounds them; ints, bools and str are kept; anything else goes through `_plain` itself.
        plain: dict[str, Any] = {}
        shop_fields = Shop.__dataclass_fields__
        for name, column in self.columns.items():
            if name in shop_fields:
                value = column.item(i)
                if type(value) is float:
                    value = round(value, 4) if column.dtype.kind == "f" else value
                elif type(value) not in (int, bool, str):
                    value = _plain(column[i])
                plain[name] = value
        opened = EPOCH + dt.timedelta(days=int(self.columns["opened_day"].item(i)))
        stock = {m: int(q) for m, q in zip(MAKE_NAMES, self.parts_stock[i].tolist(), strict=True) if q > 0}
        plain.update(
            shop_type=SHOP_TYPE_NAMES[int(self.columns["shop_type"].item(i))],
            authorized_makes=bits_to_names(int(self.columns["authorized_makes"].item(i)), MAKE_NAMES),
            capabilities=bits_to_names(int(self.columns["capabilities"].item(i)), CAPABILITY_NAMES),
            certifications=bits_to_names(int(self.columns["certifications"].item(i)), CERTIFICATIONS),
            opened_date=opened.isoformat(),
            is_new=(CATALOG_AS_OF - opened).days <= NEW_SHOP_DAYS,
            insurer_tier=INSURER_TIERS[int(self.columns["insurer_tier"].item(i))],
            parts_stock=stock,
        )
        return Shop(**plain)

    def fingerprint(self) -> str:
        """Hash of ids, coordinates, types and capability bits: an index of another catalog is stale."""
        h = hashlib.sha256()
        for name in (
            "shop_id",
            "lat",
            "lon",
            "shop_type",
            "authorized_makes",
            "capabilities",
            "certifications",
        ):
            h.update(np.ascontiguousarray(self.columns[name]).tobytes())
        return h.hexdigest()[:16]

    def is_new(self) -> NDArray[np.bool_]:
        """Shops opened within `NEW_SHOP_DAYS` of `CATALOG_AS_OF`."""
        as_of = (CATALOG_AS_OF - EPOCH).days
        return np.asarray(as_of - self.columns["opened_day"] <= NEW_SHOP_DAYS)

    @classmethod
    def from_columns(cls, columns: dict[str, NDArray[Any]], parts_stock: NDArray[np.int16]) -> ShopTable:
        """Cast each column to its declared dtype, in `COLUMNS` order."""
        missing = set(COLUMNS) - set(columns)
        if missing:
            raise ValueError(f"Catalog columns missing: {sorted(missing)}.")
        typed = {k: np.asarray(columns[k], dtype=dt_) for k, dt_ in COLUMNS.items()}
        return cls(columns=typed, parts_stock=np.asarray(parts_stock, dtype=np.int16))


def _plain(value: Any) -> Any:
    """numpy scalar -> Python scalar, rounded where a float32 would show noise."""
    if isinstance(value, np.floating):
        return round(float(value), 4)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    return str(value) if isinstance(value, np.str_) else value
