"""Customers: what they truly want, what they say, which shop they pick, and how satisfied they end up.

Each customer has latent weights on distance, quality, speed, brand (a 4S dealer) and amenities. They
tell the assistant only part of it, and sometimes something else (`states_priority_p`,
`misstates_priority_p`). Shown a slate, they compare what they can see (distance, rating, 4S or not,
courtesy car or pick-up, the expected wait) with an outside option in a logit choice: they accept one
shop, or reject the slate and either ask for alternatives or walk away. They judge speed by the wait a
policy quotes (`sees_quoted_wait`; the rules quote none, so customers assume `assumed_wait_days`).
Satisfaction comes after the repair, from true quality, the real wait, distance, brand fit, rework and a
missed deadline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dispatch_core.domain import PRIORITIES
from simulator.claims import PREMIUM_MAKES, ClaimStream
from simulator.config import SimConfig
from simulator.rng import stream

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
DISTANCE, QUALITY, SPEED, BRAND, AMENITIES = range(5)


@dataclass(frozen=True)
class Customers:
    """One customer per claim; arrays (n_claims,) unless noted.

    `weights` (n, 5) are latent (distance, quality, speed, brand, amenities) and sum to 1.
    `stated_priority` indexes dispatch_core's PRIORITIES (-1: none said); `wants_authorized` is -1 (not
    said), 0 (prefers an independent) or 1 (4S only). The last three arrays are the claim's own draws for
    what happens after acceptance, the same whichever shop the policy picks (common random numbers).
    """

    weights: FloatArray
    distance_scale_km: FloatArray
    brand_affinity: FloatArray
    reservation: FloatArray
    stated_priority: IntArray
    wants_authorized: NDArray[np.int8]
    needs_courtesy_car: NDArray[np.bool_]
    satisfaction_noise: FloatArray
    rework_draw: FloatArray

    def __len__(self) -> int:
        return len(self.reservation)


def generate_customers(config: SimConfig, claims: ClaimStream) -> Customers:
    rng = stream(config.seed, "customers")
    c, n = config.customers, len(claims)
    weights = rng.dirichlet(np.asarray(c.preference_concentration), size=n)
    mean = np.where(PREMIUM_MAKES[claims.make], c.brand_affinity_premium, c.brand_affinity_mass)
    affinity = rng.beta(np.maximum(3.0 * mean, 1e-3), np.maximum(3.0 * (1.0 - mean), 1e-3))
    wants = np.full(n, -1, dtype=np.int8)
    wants[(affinity > 0.75) & (rng.random(n) < c.states_authorized_p)] = 1
    wants[(affinity < 0.15) & (rng.random(n) < 0.3)] = 0
    return Customers(
        weights=weights,
        distance_scale_km=c.distance_scale_km * rng.lognormal(0.0, c.distance_scale_sigma, n),
        brand_affinity=affinity,
        reservation=rng.normal(c.reservation_mean, c.reservation_sd, n),
        stated_priority=_stated_priorities(config, weights, rng),
        wants_authorized=wants,
        needs_courtesy_car=(weights[:, AMENITIES] > 0.25) & (rng.random(n) < c.states_courtesy_p),
        satisfaction_noise=rng.normal(size=n),
        rework_draw=rng.random(n),
    )


def _stated_priorities(config: SimConfig, weights: FloatArray, rng: np.random.Generator) -> IntArray:
    """The priority each customer names: their true top of distance/quality/speed, another one, or none."""
    n = len(weights)
    top = np.argmax(weights[:, [DISTANCE, QUALITY, SPEED]], axis=1)  # PRIORITIES starts with these three
    other = (top + rng.integers(1, len(PRIORITIES), n)) % len(PRIORITIES)
    u = rng.random(n)
    c = config.customers
    said = np.where(u < c.states_priority_p, top, -1)
    return np.where(
        (u >= c.states_priority_p) & (u < c.states_priority_p + c.misstates_priority_p), other, said
    )


def visible_utility(
    customers: Customers,
    claim: IntArray,
    distance_km: FloatArray,
    rating: FloatArray,
    authorized: NDArray[np.bool_],
    amenities: NDArray[np.bool_],
    wait_days: FloatArray,
) -> FloatArray:
    """What customer `claim[i]` makes of a shop from what the slate shows, in [0, 1]; shop arrays are
    (n, s) for n claims and s shops each. `wait_days` is the wait the customer expects: the policy's
    quote where it gives one and customers read it, else `assumed_wait_days`."""
    w = customers.weights[claim]
    tau = customers.distance_scale_km[claim][:, None]
    affinity = customers.brand_affinity[claim][:, None]
    parts = (
        w[:, DISTANCE, None] * np.exp(-distance_km / tau),
        w[:, QUALITY, None] * np.clip((rating - 3.5) / 1.5, 0.0, 1.0),
        w[:, SPEED, None] * np.exp(-wait_days / 2.0),
        w[:, BRAND, None] * np.where(authorized, affinity, 1.0 - affinity),
        w[:, AMENITIES, None] * amenities,
    )
    return np.asarray(sum(parts), dtype=np.float64)


def choose(
    scale: float, utility: FloatArray, taste: FloatArray, reservation: FloatArray, outside: FloatArray
) -> IntArray:
    """The slate position each customer accepts (-1: none) under a logit choice with an outside option.

    `utility` and `taste` (Gumbel draws) are (n, s) with NaN utility for an empty slot; `reservation`
    and `outside` (its Gumbel draw) are (n,).
    """
    value = np.where(np.isnan(utility), -np.inf, scale * np.nan_to_num(utility) + taste)
    best = np.argmax(value, axis=1)
    beats = value[np.arange(len(best)), best] > scale * reservation + outside
    return np.where(beats, best, -1).astype(np.int64)


def satisfaction(
    config: SimConfig,
    customers: Customers,
    claim: IntArray,
    quality_z: FloatArray,
    wait_days: FloatArray,
    distance_km: FloatArray,
    authorized: NDArray[np.bool_],
    reworked: FloatArray,
    missed_deadline: FloatArray,
    noise: bool = True,
) -> FloatArray:
    """Satisfaction in (0, 1) of customers `claim` (n,) with the shop they got; all arrays (n,).

    `reworked` and `missed_deadline` are 0/1, or probabilities for an expected value (with `noise` off).
    """
    c = config.customers
    w = customers.weights[claim]
    speed = np.clip(0.5 + 5.0 * w[:, SPEED], 0.5, 2.0)
    near = np.clip(0.5 + 3.0 * w[:, DISTANCE], 0.5, 2.0)
    affinity = customers.brand_affinity[claim]
    logit = (
        c.satisfaction_base
        + c.satisfaction_quality * quality_z
        - c.satisfaction_wait_per_day * wait_days * speed
        - c.satisfaction_distance * near * distance_km / customers.distance_scale_km[claim]
        + c.satisfaction_brand * 2.0 * np.where(authorized, affinity - 0.5, 0.5 - affinity)
        - c.satisfaction_rework * reworked
        - c.satisfaction_deadline * missed_deadline
    )
    if noise:
        logit = logit + c.satisfaction_noise * customers.satisfaction_noise[claim]
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -30.0, 30.0))), dtype=np.float64)
