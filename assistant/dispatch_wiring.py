"""Adapter from the retrieval catalog to dispatch_core's plain inputs (the only place the two meet)."""

from __future__ import annotations

from collections.abc import Mapping

from dispatch_core.capacity import CapacityState
from dispatch_core.domain import ShopData
from dispatch_core.exposure import ExposureTracker
from dispatch_core.ranking import Dispatcher
from dispatch_core.strategy import Strategy
from retrieval.catalog.table import ShopTable
from retrieval.catalog.vocabulary import CAPABILITY_INDEX, CERTIFICATION_INDEX, MAKE_NAMES, SHOP_TYPE_INDEX

# Which certification vouches for which repair capability.
CERTIFICATION_FOR = {
    "ev_battery": "EV high-voltage safety",
    "adas": "ADAS calibration",
    "collision": "I-CAR Gold Class",
    "paint": "waterborne paint (environmental)",
}


def shop_data(table: ShopTable) -> ShopData:
    return ShopData(
        columns=table.columns,
        parts_stock=table.parts_stock,
        makes=MAKE_NAMES,
        is_new=table.is_new(),
        dealer_type=SHOP_TYPE_INDEX["4s_dealer"],
        certification_for_capability={
            CAPABILITY_INDEX[c]: CERTIFICATION_INDEX[z] for c, z in CERTIFICATION_FOR.items()
        },
    )


def build_dispatcher(
    table: ShopTable, strategies: Mapping[str, Strategy], stale_after_s: float = 900.0
) -> Dispatcher:
    shops = shop_data(table)
    capacity = CapacityState(
        table["shop_id"].tolist(),
        table["bays"],
        table["technicians"],
        MAKE_NAMES,
        stale_after_s=stale_after_s,
    )
    bays = table["bays"].astype(float)
    exposure = ExposureTracker(
        len(table),
        capacity_share=bays / bays.sum(),
        monthly_target=table["monthly_target"],
        is_new=table.is_new(),
    )
    return Dispatcher(shops, strategies, capacity, exposure)
