"""A seeded, realistic national network of partner repair shops (no public data set exists).

Assumptions (also in the README): shops are spread over real cities in proportion to population^0.9
(small towns are slightly better served per head than megacities); inside a city they scatter around the
centre and its districts with a spread that grows with the city; 4S dealers concentrate in big cities and
luxury/EV brands even more; capabilities, prices, cycle times, ratings and services follow per-type
distributions. Shops are generated in fixed chunks of `CHUNK` rows, each from its own child seed, so the
catalog is a pure function of (seed, n_shops) and a progress bar can follow the chunks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retrieval.catalog import naming
from retrieval.catalog.cities import City, load_cities
from retrieval.catalog.table import CATALOG_AS_OF, EPOCH, NEW_SHOP_DAYS, ShopTable
from retrieval.catalog.vocabulary import CAPABILITY_INDEX, CERTIFICATION_INDEX, MAKES, SHOP_TYPES
from retrieval.errors import InvalidQueryError

CHUNK = 10_000
MAX_SHOPS = 2_000_000
KM_PER_DEG = 111.32

# fmt: off
# P(capability) per shop type, columns in CAPABILITIES order:
# collision, paint, glass, mechanical, electrical, ev_battery, adas, flood, tire
CAPABILITY_P: dict[str, tuple[float, ...]] = {
    "4s_dealer":        (0.95, 0.95, 0.50, 0.98, 0.90, 0.15, 0.60, 0.40, 0.70),
    "independent":      (0.85, 0.80, 0.35, 0.95, 0.60, 0.05, 0.10, 0.30, 0.80),
    "chain":            (0.50, 0.60, 0.50, 0.90, 0.50, 0.05, 0.15, 0.10, 0.98),
    "body_paint":       (1.00, 1.00, 0.30, 0.20, 0.20, 0.02, 0.20, 0.35, 0.10),
    "glass_specialist": (0.05, 0.05, 1.00, 0.00, 0.10, 0.00, 0.55, 0.00, 0.20),
    "ev_specialist":    (0.60, 0.50, 0.20, 0.80, 1.00, 1.00, 0.50, 0.30, 0.40),
}
# (bays low, high, cycle-days median, labour index, rating mean, courtesy-car P, pick-up P, warranty months)
TYPE_PROFILE: dict[str, tuple[int, int, float, float, float, float, float, int]] = {
    "4s_dealer":        (8, 30, 6.0, 1.45, 4.50, 0.80, 0.70, 24),
    "independent":      (3, 15, 4.5, 0.85, 4.20, 0.30, 0.35, 6),
    "chain":            (2, 8, 2.5, 0.95, 4.35, 0.25, 0.60, 12),
    "body_paint":       (6, 20, 5.0, 1.00, 4.35, 0.30, 0.45, 12),
    "glass_specialist": (2, 5, 0.8, 0.90, 4.40, 0.05, 0.55, 12),
    "ev_specialist":    (4, 12, 5.5, 1.20, 4.40, 0.40, 0.50, 12),
}
# fmt: on


def generate_catalog(n_shops: int, seed: int = 7, progress: Callable[[int], None] | None = None) -> ShopTable:
    """Generate `n_shops` shops deterministically from `seed`; `progress(rows_done)` is called per chunk."""
    if not 1 <= n_shops <= MAX_SHOPS:
        raise InvalidQueryError(f"n_shops must be between 1 and {MAX_SHOPS:,}; got {n_shops}.")
    cities = load_cities()
    child_seeds = np.random.SeedSequence(seed).spawn((n_shops + CHUNK - 1) // CHUNK)
    parts: list[tuple[dict[str, NDArray[Any]], NDArray[np.int16]]] = []
    for chunk_index, child in enumerate(child_seeds):
        size = min(CHUNK, n_shops - chunk_index * CHUNK)
        parts.append(_chunk(np.random.default_rng(child), cities, size, chunk_index * CHUNK))
        if progress is not None:
            progress(size)
    columns = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
    return ShopTable.from_columns(columns, np.concatenate([p[1] for p in parts]))


def _chunk(
    rng: np.random.Generator, cities: tuple[City, ...], n: int, first_id: int
) -> tuple[dict[str, NDArray[Any]], NDArray[np.int16]]:
    pop = np.array([c.population for c in cities], dtype=np.float64)
    city_idx = rng.choice(len(cities), size=n, p=pop**0.9 / (pop**0.9).sum())
    city_pop = pop[city_idx]
    shop_type = _shop_types(rng, city_pop)
    lat, lon, district = _locations(rng, cities, city_idx, city_pop)
    makes = _authorized_makes(rng, shop_type, city_pop)
    caps = _capabilities(rng, shop_type, makes)
    c: dict[str, NDArray[Any]] = {
        "shop_id": np.array([f"S{first_id + i + 1:06d}" for i in range(n)]),
        "lat": lat,
        "lon": lon,
        "shop_type": shop_type,
        "authorized_makes": makes,
        "capabilities": caps,
    }
    c.update(_operations(rng, shop_type, city_pop))
    c["certifications"] = _certifications(rng, shop_type, caps)
    c["city"] = np.array([cities[i].name for i in city_idx], dtype=object)
    c["city_zh"] = np.array([cities[i].zh for i in city_idx], dtype=object)
    c["province"] = np.array([cities[i].province for i in city_idx], dtype=object)
    c["district"], c["district_zh"] = district
    _texts(rng, c)
    return c, _parts_stock(rng, shop_type, makes, c["bays"])


def _shop_types(rng: np.random.Generator, city_pop: NDArray[np.float64]) -> NDArray[np.int8]:
    base = np.array([t.share for t in SHOP_TYPES])
    # 4S dealers and EV specialists cluster in big cities: scale their odds by city size.
    big = np.clip(np.log10(city_pop / 2e5), 0.2, 2.0)[:, None]
    odds = np.broadcast_to(base, (len(city_pop), len(base))).copy()
    odds[:, 0] *= big[:, 0]
    odds[:, 5] *= big[:, 0] ** 2
    cum = np.cumsum(odds / odds.sum(axis=1, keepdims=True), axis=1)
    return np.asarray((rng.random(len(city_pop))[:, None] > cum).sum(axis=1), dtype=np.int8)


def _locations(
    rng: np.random.Generator,
    cities: tuple[City, ...],
    city_idx: NDArray[np.int64],
    city_pop: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], tuple[Any, Any]]:
    n = len(city_idx)
    lat, lon = np.empty(n), np.empty(n)
    d_en, d_zh = np.empty(n, dtype=object), np.empty(n, dtype=object)
    spread_km = np.clip(1.5 + 3.0 * np.sqrt(city_pop / 1e6), 1.5, 14.0)
    for i, ci in enumerate(city_idx):
        city = cities[ci]
        centres = [(city.name, city.zh, city.lat, city.lon), *city.districts]
        pick = 0 if len(centres) == 1 or rng.random() < 0.5 else int(rng.integers(1, len(centres)))
        d_en[i], d_zh[i], lat[i], lon[i] = centres[pick]
    off = rng.normal(size=(n, 2)) * spread_km[:, None] / KM_PER_DEG
    lat = np.clip(lat + off[:, 0], 18.0, 53.5)
    lon = lon + off[:, 1] / np.cos(np.radians(lat))
    return lat, lon, (d_en, d_zh)


def _authorized_makes(
    rng: np.random.Generator, shop_type: NDArray[np.int8], city_pop: NDArray[np.float64]
) -> NDArray[np.int64]:
    share = np.array([m.market_share for m in MAKES])
    premium = np.array([m.luxury or m.ev_only for m in MAKES])
    bits = np.zeros(len(shop_type), dtype=np.int64)
    for i in np.flatnonzero(shop_type == 0):
        # Premium and EV brands open service centres mostly in cities above ~2 million people.
        w = share * np.where(premium, min(1.0, city_pop[i] / 2e6), 1.0)
        count = 2 if rng.random() < 0.15 else 1
        chosen = rng.choice(len(MAKES), size=count, replace=False, p=w / w.sum())
        bits[i] = int(sum(1 << int(m) for m in chosen))
    return bits


def _capabilities(
    rng: np.random.Generator, shop_type: NDArray[np.int8], makes: NDArray[np.int64]
) -> NDArray[np.int64]:
    p = np.array([CAPABILITY_P[SHOP_TYPES[t].name] for t in shop_type])
    ev_bits = sum(1 << i for i, m in enumerate(MAKES) if m.ev_only or m.name == "BYD")
    p[:, CAPABILITY_INDEX["ev_battery"]] = np.where(
        (makes & ev_bits) != 0, 0.95, p[:, CAPABILITY_INDEX["ev_battery"]]
    )
    has = rng.random(p.shape) < p
    has[:, CAPABILITY_INDEX["mechanical"]] |= ~has.any(axis=1)  # every shop can do something
    return np.asarray((has * (1 << np.arange(p.shape[1]))).sum(axis=1), dtype=np.int64)


def _operations(
    rng: np.random.Generator, shop_type: NDArray[np.int8], city_pop: NDArray[np.float64]
) -> dict[str, NDArray[Any]]:
    n = len(shop_type)
    prof = np.array([TYPE_PROFILE[SHOP_TYPES[t].name] for t in shop_type], dtype=np.float64)
    bays = rng.integers(prof[:, 0].astype(np.int64), prof[:, 1].astype(np.int64) + 1).astype(np.int16)
    cycle = prof[:, 2] * rng.lognormal(0.0, 0.30, n)
    city_cost = 0.85 + 0.12 * np.log10(np.maximum(city_pop, 1e5) / 1e5)
    age_days = np.where(
        rng.random(n) < 0.08, rng.integers(0, NEW_SHOP_DAYS, n), rng.integers(NEW_SHOP_DAYS, 25 * 365, n)
    )
    rating = np.clip(rng.normal(prof[:, 4], 0.25), 2.5, 5.0)
    reviews = (rng.lognormal(3.0, 1.0, n) * np.minimum(age_days / 365.0, 8.0) + 1).astype(np.int32)
    quality_gap = 5.0 - rating  # complaints and rework rise as ratings fall
    complaint = np.clip(rng.beta(2, 60, n) * (0.5 + quality_gap), 0.0, 0.5)
    tier = np.where((rating > 4.5) & (complaint < 0.03), 2, np.where(rating > 4.1, 1, 0)).astype(np.int8)
    open_hour = np.where(shop_type == 2, 8.0, rng.choice([8.0, 8.5, 9.0], n))
    return {
        "bays": bays,
        "technicians": np.maximum(1, np.round(bays * rng.uniform(0.8, 1.6, n))).astype(np.int16),
        "open_hour": open_hour,
        "close_hour": np.where(shop_type == 2, 21.0, rng.choice([17.5, 18.0, 19.0], n)),
        "open_weekends": rng.random(n) < np.where(shop_type == 0, 0.9, 0.6),
        "labour_rate_index": np.round(prof[:, 3] * city_cost * rng.lognormal(0.0, 0.08, n), 3),
        "parts_price_index": np.round(np.where(shop_type == 0, 1.15, 0.95) * rng.lognormal(0.0, 0.06, n), 3),
        "mean_cycle_days": np.round(cycle, 2),
        "rating": np.round(rating, 2),
        "review_count": reviews,
        "complaint_rate": np.round(complaint, 4),
        "rework_rate": np.round(np.clip(complaint * rng.uniform(0.4, 1.2, n), 0.0, 0.4), 4),
        "opened_day": ((CATALOG_AS_OF - EPOCH).days - age_days).astype(np.int32),
        "monthly_target": np.maximum(4, np.round(bays * 22.0 / np.maximum(cycle, 0.5) * 0.75)).astype(
            np.int16
        ),
        "courtesy_cars": np.where(rng.random(n) < prof[:, 5], rng.integers(1, 11, n), 0).astype(np.int16),
        "pickup_service": rng.random(n) < prof[:, 6],
        "insurer_tier": tier,
        "warranty_months": prof[:, 7].astype(np.int8),
    }


def _certifications(
    rng: np.random.Generator, shop_type: NDArray[np.int8], caps: NDArray[np.int64]
) -> NDArray[np.int64]:
    def has(cap: str) -> NDArray[np.bool_]:
        return (caps >> CAPABILITY_INDEX[cap] & 1).astype(bool)

    n = len(shop_type)
    rules = {
        "ISO 9001": np.isin(shop_type, (0, 2)) & (rng.random(n) < 0.7),
        "I-CAR Gold Class": has("collision") & (rng.random(n) < 0.25),
        "EV high-voltage safety": has("ev_battery"),
        "ADAS calibration": has("adas") & (rng.random(n) < 0.9),
        "waterborne paint (environmental)": has("paint") & (rng.random(n) < 0.5),
        "insurer gold partner": rng.random(n) < 0.1,
        "aluminium body repair": has("collision") & (shop_type == 0) & (rng.random(n) < 0.3),
    }
    return sum(
        (mask.astype(np.int64) << CERTIFICATION_INDEX[name] for name, mask in rules.items()),
        np.zeros(n, dtype=np.int64),
    )


def _parts_stock(
    rng: np.random.Generator, shop_type: NDArray[np.int8], makes: NDArray[np.int64], bays: NDArray[np.int16]
) -> NDArray[np.int16]:
    share = np.array([m.market_share for m in MAKES])
    authorized = (makes[:, None] >> np.arange(len(MAKES)) & 1).astype(bool)
    # Dealers stock their own brands deeply; others stock common brands in proportion to the car parc.
    general = rng.poisson(bays[:, None] * share[None, :] * 6.0)
    own = rng.poisson(np.full(authorized.shape, 15.0) * bays[:, None] / 10.0 + 10.0)
    stock = np.where(shop_type[:, None] == 0, np.where(authorized, own, 0), general)
    return np.asarray(np.clip(stock, 0, 32_000), dtype=np.int16)


def _texts(rng: np.random.Generator, c: dict[str, NDArray[Any]]) -> None:
    n = len(c["shop_id"])
    names_en, names_zh = np.empty(n, dtype=object), np.empty(n, dtype=object)
    desc_en, desc_zh = np.empty(n, dtype=object), np.empty(n, dtype=object)
    as_of = (CATALOG_AS_OF - EPOCH).days
    for i in range(n):
        stype = SHOP_TYPES[int(c["shop_type"][i])].name
        city, district = (c["city"][i], c["city_zh"][i]), (c["district"][i], c["district_zh"][i])
        names_en[i], names_zh[i] = naming.shop_names(
            rng, stype, int(c["authorized_makes"][i]), city, district
        )
        desc_en[i], desc_zh[i] = naming.describe(
            int(c["shop_type"][i]),
            int(c["authorized_makes"][i]),
            int(c["capabilities"][i]),
            int(c["courtesy_cars"][i]),
            bool(c["pickup_service"][i]),
            city,
            as_of - int(c["opened_day"][i]) <= NEW_SHOP_DAYS,
        )
    c.update(name_en=names_en, name_zh=names_zh, description_en=desc_en, description_zh=desc_zh)
