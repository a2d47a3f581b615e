"""Off-policy evaluation in the simulator: log under one strategy, estimate another, check the truth.

The experiment offers one shop per claim (a push-repair message) and scores whether the customer takes
it. The hub logs every decision under `ope.logging_strategy` with its propensity, and next to it the
probability `ope.target_strategy` would have offered each candidate in the same state. IPS, SNIPS and
doubly robust estimates (dispatch_core.ope) of the target's acceptance rate are then checked against
two truths the simulator knows: the target's expected acceptance in the logged states (every
candidate's outcome is known through the customers' common random numbers), and the acceptance of a
separate run of the target strategy itself on the same claims.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dispatch_core import ope as estimators
from simulator.customers import visible_utility
from simulator.engine import Engine, PolicyRun, choice_noise
from simulator.policies.hub import Hub
from simulator.world import World

FloatArray = NDArray[np.float64]


def evaluate_off_policy(world: World) -> dict[str, Any]:
    """Estimates, truths and relative errors of the OPE experiment on `world`."""
    o = world.config.ope
    logged, run = _decisions(_one_shop_world(world, o.logging_strategy), o.target_strategy)
    offered = logged["action"] >= 0
    logged = {k: v[offered] for k, v in logged.items()}
    features = _features(world, logged["claims"], logged["quoted_wait"])
    outcomes = _outcomes(world, logged["claims"], logged["quoted_wait"])
    n = len(logged["claims"])
    pick = (np.arange(n), logged["action"])
    rewards = run.log.accepted[logged["claims"]].astype(np.float64)  # what the logging run observed
    p0, p1 = logged["behaviour"][pick], logged["target"][pick]
    q = _predict(_fit_logistic(features[pick], rewards, o.reward_model_l2), features)
    q_target = (logged["target"] * q).sum(axis=1)
    result: dict[str, Any] = {
        "logging": o.logging_strategy,
        "target": o.target_strategy,
        "decisions": n,
        "truth": float((logged["target"] * outcomes).sum(axis=1).mean()),
        "on_policy": _on_policy_value(world, o.target_strategy),
        "logging_value": float(rewards.mean()),
        "ips": estimators.ips(rewards, p0, p1).value,
        "snips": estimators.snips(rewards, p0, p1).value,
        "dr": estimators.doubly_robust(rewards, p0, p1, q[pick], q_target).value,
        "dm": estimators.direct_method(q_target).value,
        "max_weight": float((p1 / p0).max()),
        "counterfactual_matches_log": bool(np.array_equal(outcomes[pick], rewards)),
    }
    for name in ("ips", "snips", "dr", "dm"):
        result[name + "_error"] = result[name] / result["truth"] - 1.0
        result[name + "_error_on_policy"] = result[name] / result["on_policy"] - 1.0
    return result


def _one_shop_world(world: World, strategy: str) -> World:
    config = replace(world.config, hub_strategy=strategy, slate_size=1, max_slates=1)
    return replace(world, config=config)


def _decisions(world: World, target: str) -> tuple[dict[str, NDArray[Any]], PolicyRun]:
    """Run the logging strategy with the hub's decision log on: the logs as arrays, and the run."""
    engine = Engine(world, "hub", lambda w, floor: Hub(w, floor, target=target))
    hub = engine.policy
    assert isinstance(hub, Hub)
    run = engine.run()
    return {key: np.concatenate([entry[key] for entry in hub.logs]) for key in hub.logs[0]}, run


def _on_policy_value(world: World, target: str) -> float:
    """The target strategy's own one-shop acceptance rate on the same claims (its own dynamics)."""
    run = Engine(_one_shop_world(world, target), "hub").run()
    offered = run.log.slates > 0
    return float(run.log.accepted[offered].mean())


def _outcomes(world: World, claims: NDArray[np.int64], wait: FloatArray) -> FloatArray:
    """1.0 where the customer would take candidate a if offered it alone (their own draws), shape (n, K)."""
    c = world.config
    seen = _seen(world, claims, wait)
    bounds = world.claims.step_bounds
    step = np.searchsorted(bounds, claims, side="right") - 1
    taste, outside = np.empty(seen.shape), np.empty(len(claims))
    for s in np.unique(step):
        mine = np.flatnonzero(step == s)
        t, o, _ = choice_noise(c.seed, int(s), int(bounds[s + 1] - bounds[s]), seen.shape[1], 1)
        taste[mine], outside[mine] = t[claims[mine] - bounds[s]], o[claims[mine] - bounds[s], 0]
    value = c.customers.choice_scale * seen + taste
    threshold = c.customers.choice_scale * world.customers.reservation[claims] + outside
    return np.asarray(np.nan_to_num(value, nan=-np.inf) > threshold[:, None], dtype=np.float64)


def _seen(world: World, claims: NDArray[np.int64], wait: FloatArray) -> FloatArray:
    table, c = world.shops.table, world.config.customers
    rows = np.maximum(world.candidates.rows[claims], 0).astype(np.int64)
    dealer = table["shop_type"][rows] == world.shops.data.dealer_type
    authorized = dealer & (
        (table["authorized_makes"][rows] >> world.claims.make[claims][:, None]) & 1
    ).astype(bool)
    amenities = (table["courtesy_cars"][rows] > 0) | table["pickup_service"][rows].astype(bool)
    quoted = wait if c.sees_quoted_wait else np.full(wait.shape, c.assumed_wait_days)
    distance = world.candidates.distance_km[claims].astype(np.float64)
    seen = visible_utility(
        world.customers,
        claims,
        distance,
        table["rating"][rows].astype(np.float64),
        authorized,
        amenities,
        quoted,
    )
    return np.where(world.candidates.rows[claims] >= 0, seen, np.nan)


def _features(world: World, claims: NDArray[np.int64], wait: FloatArray) -> FloatArray:
    """What the insurer knows of (claim, candidate), for the reward model: (n, K, d)."""
    table = world.shops.table
    rows = np.maximum(world.candidates.rows[claims], 0).astype(np.int64)
    near = np.exp(-np.minimum(world.candidates.distance_km[claims].astype(np.float64), 1e3) / 6.0)
    rating = np.clip((table["rating"][rows].astype(np.float64) - 3.5) / 1.5, 0.0, 1.0)
    dealer = table["shop_type"][rows] == world.shops.data.dealer_type
    authorized = (
        dealer & ((table["authorized_makes"][rows] >> world.claims.make[claims][:, None]) & 1).astype(bool)
    ).astype(np.float64)
    wants = world.customers.wants_authorized[claims][:, None]
    amenities = ((table["courtesy_cars"][rows] > 0) | table["pickup_service"][rows].astype(bool)).astype(
        np.float64
    )
    fast = np.exp(-wait / 2.0)
    said = world.customers.stated_priority[claims][:, None]
    columns = [
        np.ones(rows.shape),
        near,
        rating,
        authorized,
        authorized * (wants == 1),
        (1 - authorized) * (wants == 0),
    ]
    columns += [amenities, fast, near * (said == 0), rating * (said == 1), fast * (said == 2)]
    return np.stack(columns, axis=-1)


def _fit_logistic(x: FloatArray, y: FloatArray, l2: float, iterations: int = 25) -> FloatArray:
    """Ridge-penalised logistic regression by Newton's method; coefficients (d,)."""
    beta = np.zeros(x.shape[1])
    penalty = l2 * np.eye(x.shape[1])
    penalty[0, 0] = 0.0  # no shrinkage of the intercept
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30.0, 30.0)))
        gradient = x.T @ (p - y) + penalty @ beta
        hessian = (x * (p * (1.0 - p))[:, None]).T @ x + penalty
        step = np.linalg.solve(hessian + 1e-9 * np.eye(x.shape[1]), gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def _predict(beta: FloatArray, x: FloatArray) -> FloatArray:
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x @ beta, -30.0, 30.0))), dtype=np.float64)
