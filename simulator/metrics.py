"""The contract's metrics (shared/contracts/SIMULATOR.md) and the per-day curves behind the plots.

Definitions, where the contract leaves room:
- wait, cycle, cost and satisfaction are means over accepted claims (a walk-away has no repair);
- utilisation is bay occupancy (own work plus insurer cars) over the claim days, per shop, against its bays;
- a new shop "reached its monthly target" in a month when its jobs accepted that month reached the target,
  pro-rated to the days of the month the run covers; the rate averages over new shops and months;
- `regret_vs_oracle` is (oracle's total utility - the policy's) / claims, where a claim's utility is
  satisfaction - `regret_cost_weight` × (bill / list-price bill - 1) for an accepted claim, 0 otherwise.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from simulator.engine import PolicyRun
from simulator.floor import DAY_S
from simulator.world import World

FloatArray = NDArray[np.float64]
CONTRACT_METRICS = (
    "acceptance_rate",
    "mean_offers_to_accept",
    "mean_wait_days",
    "mean_cycle_days",
    "utilization_mean",
    "utilization_gini",
    "new_shop_target_rate",
    "mean_claim_cost",
    "mean_satisfaction",
    "regret_vs_oracle",
)


def gini(values: FloatArray) -> float:
    """Gini coefficient of non-negative values (0 = all equal, -> 1 = one holds everything)."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    total = x.sum()
    if x.size == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, x.size + 1)
    return float((2.0 * (ranks * x).sum()) / (x.size * total) - (x.size + 1.0) / x.size)


def policy_metrics(world: World, run: PolicyRun, oracle: PolicyRun) -> dict[str, float]:
    """Every contract metric of `run`, plus a few extras that explain them."""
    log, accepted = run.log, run.log.accepted
    n = len(world.claims)
    metrics = {
        "acceptance_rate": float(accepted.mean()),
        "mean_offers_to_accept": _mean(log.slates[accepted]),
        "mean_wait_days": _mean(log.wait_days[accepted]),
        "mean_cycle_days": _mean(log.cycle_days[accepted]),
        "utilization_mean": float(run.utilization.mean()),
        "utilization_gini": gini(run.utilization),
        "new_shop_target_rate": new_shop_target_rate(world, log.shop),
        "mean_claim_cost": _mean(log.cost[accepted]),
        "mean_satisfaction": _mean(log.satisfaction[accepted]),
        "regret_vs_oracle": float((oracle.log.utility.sum() - log.utility.sum()) / n),
    }
    extras = {
        "p90_wait_days": float(np.percentile(log.wait_days[accepted], 90)) if accepted.any() else 0.0,
        "insurer_utilization_gini": gini(run.insurer_utilization),
        "new_shop_job_share": _mean(world.shops.is_new[log.shop[accepted]].astype(np.float64)),
        "mean_utility": float(log.utility.mean()),
        "run_seconds": run.seconds,
    }
    return metrics | extras


def new_shop_target_rate(world: World, shop: NDArray[np.int64]) -> float:
    """Share of (new shop, month) pairs whose accepted jobs reached the pro-rated monthly target."""
    new = np.flatnonzero(world.shops.is_new)
    if new.size == 0:
        return 0.0
    start = dt.date.fromisoformat(world.config.start_date)
    day = (world.claims.time_s // DAY_S).astype(np.int64)
    month_of_day = np.array([_month_key(start + dt.timedelta(days=d)) for d in range(world.config.days)])
    reached: list[float] = []
    for key in np.unique(month_of_day):
        covered = int((month_of_day == key).sum())
        in_month = (shop >= 0) & (month_of_day[day] == key)
        jobs = np.bincount(shop[in_month], minlength=len(world.shops))[new]
        due = world.shops.target[new] * covered / calendar.monthrange(key // 100, key % 100)[1]
        reached.extend((jobs >= due).astype(np.float64).tolist())
    return float(np.mean(reached))


def _month_key(day: dt.date) -> int:
    return day.year * 100 + day.month


def daily_curves(world: World, run: PolicyRun, oracle: PolicyRun) -> dict[str, list[float]]:
    """Per arrival day: claims, acceptance, mean wait, utility per claim and regret per claim."""
    day = (world.claims.time_s // DAY_S).astype(np.int64)
    days = world.config.days
    count = np.bincount(day, minlength=days).astype(np.float64)
    per = np.maximum(count, 1.0)
    accepted = run.log.accepted
    waits = np.bincount(day[accepted], weights=run.log.wait_days[accepted], minlength=days)
    n_acc = np.bincount(day[accepted], minlength=days)
    utility = np.bincount(day, weights=run.log.utility, minlength=days)
    best = np.bincount(day, weights=oracle.log.utility, minlength=days)
    return {
        "claims": count.tolist(),
        "acceptance_rate": (n_acc / per).tolist(),
        "mean_wait_days": (waits / np.maximum(n_acc, 1)).tolist(),
        "utility_per_claim": (utility / per).tolist(),
        "regret_per_claim": ((best - utility) / per).tolist(),
    }


def regret_trend(curve: dict[str, list[float]]) -> dict[str, Any]:
    """Regret per claim in the first and last third of the days, and the least-squares slope per day."""
    regret = np.asarray(curve["regret_per_claim"])
    third = max(1, len(regret) // 3)
    slope = float(np.polyfit(np.arange(len(regret)), regret, 1)[0]) if len(regret) > 1 else 0.0
    return {
        "regret_first_third": float(regret[:third].mean()),
        "regret_last_third": float(regret[-third:].mean()),
        "regret_slope_per_day": slope,
    }


def _mean(values: NDArray[Any]) -> float:
    return float(np.mean(values)) if values.size else 0.0
