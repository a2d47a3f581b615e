"""A small synthetic shop table for dispatch_core tests (no retrieval code: the package stands alone)."""

from __future__ import annotations

import numpy as np

from dispatch_core.capacity import CapacityState
from dispatch_core.domain import Candidates, ShopData
from dispatch_core.exposure import ExposureTracker
from dispatch_core.ranking import Dispatcher
from dispatch_core.strategy import Strategy

MAKES = ("Toyota", "BMW", "Tesla")
NOW = 1_800_000_000.0


def synthetic_shops(n: int = 300, seed: int = 5) -> ShopData:
    rng = np.random.default_rng(seed)
    shop_type = rng.choice([0, 1, 2], size=n, p=[0.3, 0.5, 0.2])
    makes = np.where(shop_type == 0, 1 << rng.integers(0, len(MAKES), n), 0)
    columns = {
        "shop_id": np.array([f"T{i:04d}" for i in range(n)]),
        "shop_type": shop_type,
        "authorized_makes": makes.astype(np.int64),
        "capabilities": rng.integers(1, 512, n).astype(np.int64),
        "certifications": rng.integers(0, 64, n),
        "rating": rng.uniform(3.0, 5.0, n),
        "review_count": rng.integers(0, 500, n),
        "complaint_rate": rng.uniform(0, 0.1, n),
        "rework_rate": rng.uniform(0, 0.05, n),
        "mean_cycle_days": rng.uniform(1, 8, n),
        "labour_rate_index": rng.uniform(0.7, 1.6, n),
        "parts_price_index": rng.uniform(0.9, 1.2, n),
        "courtesy_cars": rng.integers(0, 4, n),
        "pickup_service": rng.random(n) < 0.4,
        "monthly_target": rng.integers(10, 80, n),
        "bays": rng.integers(2, 20, n),
        "technicians": rng.integers(2, 20, n),
    }
    return ShopData(
        columns=columns,
        parts_stock=rng.integers(0, 9, (n, len(MAKES))),
        makes=MAKES,
        is_new=rng.random(n) < 0.1,
        dealer_type=0,
        certification_for_capability={5: 2},
    )


def make_dispatcher(shops: ShopData, strategies: dict[str, Strategy] | None = None) -> Dispatcher:
    c = shops.columns
    capacity = CapacityState(c["shop_id"].tolist(), c["bays"], c["technicians"], MAKES)
    bays = c["bays"].astype(float)
    exposure = ExposureTracker(
        len(shops), capacity_share=bays / bays.sum(), monthly_target=c["monthly_target"], is_new=shops.is_new
    )
    strategies = strategies or {"test@v1": Strategy(name="test", version=1)}
    return Dispatcher(shops, strategies, capacity, exposure)


def candidates(n_shops: int, n: int = 120, seed: int = 1) -> Candidates:
    rng = np.random.default_rng(seed)
    rows = rng.choice(n_shops, size=n, replace=False).astype(np.int64)
    return Candidates(rows=rows, distance_km=rng.uniform(0.2, 40.0, n), coverage=np.ones(n))
