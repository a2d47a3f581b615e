"""The shop side of the market: the catalog the policies see, and the truth they do not.

What a policy sees is the catalog (rating, reviews, cycle days, prices, bays) and live capacity reports.
What it does not see: each shop's true quality (the displayed rating is a noisy measurement of it, the
noisier the fewer reviews), its true cycle time, its true rework rate, and how much of its bays its own
walk-in work takes. New shops (`new_shop_share`) have few reviews, so their quality is close to unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core.domain import ShopData
from retrieval.catalog.cities import load_cities
from retrieval.catalog.generator import TYPE_PROFILE, generate_catalog
from retrieval.catalog.table import CATALOG_AS_OF, EPOCH, NEW_SHOP_DAYS, ShopTable
from retrieval.catalog.vocabulary import (
    CAPABILITY_INDEX,
    CERTIFICATION_INDEX,
    MAKE_NAMES,
    SHOP_TYPE_INDEX,
    SHOP_TYPES,
)
from simulator.config import SimConfig
from simulator.rng import stream

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
DAYS_PER_MONTH = 30.44
RATING_SD = 0.25  # the catalog draws ratings with this spread around each type's mean
# Which certification vouches for which repair capability (as assistant/dispatch_wiring.py wires it).
CERTIFICATION_FOR = {
    "ev_battery": "EV high-voltage safety",
    "adas": "ADAS calibration",
    "collision": "I-CAR Gold Class",
    "paint": "waterborne paint (environmental)",
}


@dataclass(frozen=True)
class ShopWorld:
    """Every shop, by catalog row: the policies' view (`table`, `data`) and the hidden truth.

    Arrays have shape (n_shops,). `quality_z` is true quality in standard deviations; `servers` are the
    bays after `capacity_scale`; `background_level` is the mean share of bays the shop's own work takes;
    `target` is the monthly referral target the insurer agreed with the shop.
    """

    table: ShopTable
    data: ShopData
    servers: IntArray
    is_new: BoolArray
    quality_z: FloatArray
    true_cycle_days: FloatArray
    rework_p: FloatArray
    price_index: FloatArray
    background_level: FloatArray
    target: IntArray
    live_feed: BoolArray

    def __len__(self) -> int:
        return len(self.servers)


def build_shops(config: SimConfig, progress: Callable[[int], None] | None = None) -> ShopWorld:
    """The seeded catalog of `n_shops`, relabelled to `new_shop_share`, with its hidden truth drawn."""
    table = generate_catalog(config.n_shops, seed=config.seed, progress=progress)
    rng = stream(config.seed, "shops")
    is_new = _relabel_new_shops(table, config.new_shop_share, rng)
    quality = _true_quality(table, is_new, config, rng)
    s = config.shops
    noise = np.where(is_new, s.new_shop_cycle_noise_sigma, s.cycle_noise_sigma) * rng.normal(size=len(table))
    cycle = table["mean_cycle_days"].astype(np.float64)
    true_cycle = cycle * np.exp(noise - s.quality_speed_effect * quality)
    bays, techs = table["bays"].astype(np.int64), table["technicians"].astype(np.int64)
    servers = np.maximum(1, np.round(np.minimum(bays, techs) * config.capacity_scale)).astype(np.int64)
    mean, conc = s.background_load, s.background_concentration
    background = rng.beta(mean * conc, (1.0 - mean) * conc, len(table)) if mean > 0 else np.zeros(len(table))
    target = _referral_targets(config, table, servers, cycle)
    return ShopWorld(
        table=table,
        data=_shop_data(table, servers, target, is_new),
        servers=servers,
        is_new=is_new,
        quality_z=quality,
        true_cycle_days=true_cycle,
        rework_p=_rework(table, quality, s.rework_quality_effect),
        price_index=_price_index(table, config.costs.labour_share),
        background_level=background,
        target=target,
        live_feed=rng.random(len(table)) < s.live_feed_share,
    )


def _relabel_new_shops(table: ShopTable, share: float, rng: np.random.Generator) -> BoolArray:
    """Make exactly round(share * n) shops new (opened within 180 days, few reviews), the rest established.

    The catalog fixes 8 % new shops; the config may ask for another share, so opening dates and review
    counts are redrawn the way the catalog draws them.
    """
    n = len(table)
    is_new = np.zeros(n, dtype=bool)
    is_new[rng.choice(n, size=round(share * n), replace=False)] = True
    as_of = (CATALOG_AS_OF - EPOCH).days
    age = np.where(is_new, rng.integers(0, NEW_SHOP_DAYS, n), rng.integers(NEW_SHOP_DAYS + 1, 25 * 365, n))
    was_new = table.is_new()
    keep = was_new == is_new  # shops already on the right side keep their catalog history
    age = np.where(keep, as_of - table["opened_day"], age)
    reviews = (rng.lognormal(3.0, 1.0, n) * np.minimum(age / 365.0, 8.0) + 1).astype(np.int32)
    table.columns["opened_day"] = (as_of - age).astype(np.int32)
    table.columns["review_count"] = np.where(keep, table["review_count"], reviews).astype(np.int32)
    return is_new


def _true_quality(
    table: ShopTable, is_new: BoolArray, config: SimConfig, rng: np.random.Generator
) -> FloatArray:
    """True quality z ~ N(0, 1); the displayed rating measures it with reliability r = reviews/(reviews+R).

    Established shops: z given the catalog rating is N(sqrt(r) * z_rating, 1 - r). New shops: z is drawn
    first (their own mean and spread), then their few-review rating is drawn from it the same way.
    """
    s = config.shops
    type_mean = np.array([TYPE_PROFILE[SHOP_TYPES[t].name][4] for t in table["shop_type"]])
    reviews = table["review_count"].astype(np.float64)
    rho = np.sqrt(reviews / (reviews + s.rating_reliability_reviews)) if s.rating_reliability_reviews else 1.0
    rho = np.broadcast_to(rho, reviews.shape)
    z_rating = (table["rating"].astype(np.float64) - type_mean) / RATING_SD
    spread = np.sqrt(np.maximum(1.0 - rho**2, 0.0))
    established = rho * z_rating + spread * rng.normal(size=len(table))
    fresh = s.new_shop_quality_mean + s.new_shop_quality_sd * rng.normal(size=len(table))
    shown = type_mean + RATING_SD * (rho * fresh + spread * rng.normal(size=len(table)))
    table.columns["rating"] = np.where(is_new, np.round(np.clip(shown, 2.5, 5.0), 2), table["rating"]).astype(
        np.float32
    )
    return np.where(is_new, fresh, established)


def _rework(table: ShopTable, quality: FloatArray, effect: float) -> FloatArray:
    """True rework probability: the catalog rate, moved by how much better or worse the shop truly is."""
    base = np.maximum(table["rework_rate"].astype(np.float64), 0.002)
    odds = base / (1.0 - base) * np.exp(-effect * quality)
    return np.asarray(np.clip(odds / (1.0 + odds), 0.0, 0.5), dtype=np.float64)


def _price_index(table: ShopTable, labour_share: float) -> FloatArray:
    labour = table["labour_rate_index"].astype(np.float64)
    parts = table["parts_price_index"].astype(np.float64)
    return labour_share * labour + (1.0 - labour_share) * parts


def _referral_targets(config: SimConfig, table: ShopTable, servers: IntArray, cycle: FloatArray) -> IntArray:
    """Monthly referral targets, set as an insurer would from its claim history: each city's expected
    monthly claims (∝ population^x, as claims arrive), times `target_coverage`, shared among the city's
    shops in proportion to catalog throughput (bays / cycle days); at least one job each."""
    cities = load_cities()
    index = {c.name: i for i, c in reversed(list(enumerate(cities)))}
    weight = np.array([c.population for c in cities], dtype=np.float64) ** config.claims.population_exponent
    city = np.array([index[name] for name in table["city"]])
    monthly = config.n_claims * DAYS_PER_MONTH / config.days * weight / weight.sum()
    throughput = servers / np.maximum(cycle, 0.5)
    in_city = np.bincount(city, weights=throughput, minlength=len(cities))
    target = np.round(config.shops.target_coverage * monthly[city] * throughput / in_city[city])
    return np.asarray(np.maximum(1, target), dtype=np.int64)


def _shop_data(table: ShopTable, servers: IntArray, target: IntArray, is_new: BoolArray) -> ShopData:
    """What dispatch_core knows: the catalog with the simulated bays and the referral targets."""
    columns: dict[str, NDArray[Any]] = dict(table.columns)
    columns["bays"], columns["monthly_target"] = servers, target
    return ShopData(
        columns=columns,
        parts_stock=table.parts_stock,
        makes=MAKE_NAMES,
        is_new=is_new,
        dealer_type=SHOP_TYPE_INDEX["4s_dealer"],
        certification_for_capability={
            CAPABILITY_INDEX[c]: CERTIFICATION_INDEX[z] for c, z in CERTIFICATION_FOR.items()
        },
    )
