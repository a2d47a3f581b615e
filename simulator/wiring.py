"""Build the hub's dispatch_core `Dispatcher` from the simulated network, as production wires it.

Mirrors `assistant/dispatch_wiring.py` (the simulator must not import the assistant): live capacity keyed
by shop id with the simulated bays, fair exposure by capacity share with the insurer's referral targets.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from dispatch_core.capacity import CapacityState
from dispatch_core.exposure import ExposureTracker
from dispatch_core.ranking import Dispatcher
from dispatch_core.strategy import Strategy, load_strategies
from retrieval.catalog.vocabulary import MAKE_NAMES
from simulator.config import SimConfig
from simulator.errors import InvalidConfigError
from simulator.shops import ShopWorld


def load_hub_strategies(config: SimConfig, *required: str) -> dict[str, Strategy]:
    """The strategies of `config.strategies_path`; each name in `required` must be among them."""
    strategies = load_strategies(config.strategies_path)
    missing = [key for key in required if key not in strategies]
    if missing:
        known = ", ".join(sorted(strategies))
        raise InvalidConfigError(
            f"Strategy {missing[0]!r} is not in {config.strategies_path}; known: {known}."
        )
    return strategies


def build_dispatcher(shops: ShopWorld, strategies: Mapping[str, Strategy], default: str) -> Dispatcher:
    """A Dispatcher over the simulated catalog; `default` sets staleness and the new-shop budget."""
    chosen = strategies[default]
    table = shops.table
    capacity = CapacityState(
        table["shop_id"].tolist(),
        shops.servers,
        table["technicians"].astype(np.int64),
        MAKE_NAMES,
        stale_after_s=chosen.stale_after_s,
    )
    servers = shops.servers.astype(np.float64)
    exposure = ExposureTracker(
        len(shops),
        capacity_share=servers / servers.sum(),
        monthly_target=shops.target,
        is_new=shops.is_new,
        new_shop_budget=chosen.new_shop_budget,
    )
    return Dispatcher(shops.data, strategies, capacity, exposure, default_strategy=default)
