"""What a repair costs the insurer, and what a claim is worth to customer and insurer together.

Cost: the list-price bill × the shop's price index × (1 + `rework_cost_share` when the repair is redone),
plus `rental_per_day` for every day the car is away on claims whose policy pays a rental car. Utility (the
unit of regret): satisfaction − `regret_cost_weight` × (cost / list-price bill − 1) for an accepted claim,
0 otherwise.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from simulator.config import SimConfig

FloatArray = NDArray[np.float64]


def claim_cost(
    config: SimConfig,
    list_bill: FloatArray,
    price_index: FloatArray,
    reworked: FloatArray,
    rental: NDArray[np.bool_],
    cycle_days: FloatArray,
) -> FloatArray:
    """Yuan the insurer pays; `reworked` is 0/1 or a probability (for an expected cost). Arrays broadcast."""
    c = config.costs
    bill = list_bill * price_index * (1.0 + c.rework_cost_share * reworked)
    return np.asarray(bill + rental * c.rental_per_day * cycle_days, dtype=np.float64)


def claim_utility(
    config: SimConfig, satisfaction: FloatArray, cost: FloatArray, list_bill: FloatArray
) -> FloatArray:
    """The utility of an accepted claim (a walk-away is worth 0)."""
    return np.asarray(
        satisfaction - config.costs.regret_cost_weight * (cost / list_bill - 1.0), dtype=np.float64
    )
