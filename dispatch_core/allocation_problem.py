"""What every allocation solver shares: input validation into a ``Problem``, the ``Allocation`` result and
its summary, and the utilisation Gini."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dispatch_core.errors import InvalidInputError

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
UNASSIGNED = -1
METHODS = ("exact", "greedy", "nsga2")


@dataclass(frozen=True, eq=False)
class Allocation:
    """One allocation of claims to shops.

    Attributes
    ----------
    assignment : IntArray of shape (n_claims,)
        Shop of each claim, ``UNASSIGNED`` (-1) where the claim was not placed.
    total_utility, total_cost : float
        Sums of ``utility`` and ``cost`` over the placed pairs (cost 0 when none was given).
    load : IntArray of shape (n_shops,)
        Claims placed at each shop; never above its capacity.
    method : str
        ``"exact"``, ``"greedy"`` (also when ``allocate_assignment`` fell back to it) or ``"nsga2"``.
    utilization_gini : float
        Gini coefficient of ``load / capacity`` over shops with capacity: 0 is perfectly even.
    front : IntArray of shape (n_front, n_claims) or None
        NSGA-II only: the assignments of the final first front, for inspection.
    front_objectives : FloatArray of shape (n_front, 4) or None
        NSGA-II only: per front member, minimised (-utility, capacity overflow, utilisation Gini, cost).
    """

    assignment: IntArray
    total_utility: float
    total_cost: float
    load: IntArray
    method: str
    utilization_gini: float
    front: IntArray | None = None
    front_objectives: FloatArray | None = None

    def __post_init__(self) -> None:
        if self.assignment.ndim != 1:
            raise InvalidInputError("The assignment must be a 1-D array with one shop per claim.")
        if self.load.ndim != 1 or (self.load < 0).any():
            raise InvalidInputError("The load must be a 1-D array of non-negative counts, one per shop.")
        if self.method not in METHODS:
            raise InvalidInputError(f"The method must be one of {METHODS}, got {self.method!r}.")
        if not 0.0 <= self.utilization_gini <= 1.0:
            raise InvalidInputError(f"The utilisation Gini must lie in [0, 1], got {self.utilization_gini}.")
        if self.front is not None and self.front.shape[1:] != self.assignment.shape:
            raise InvalidInputError("Every front member must assign the same claims as the assignment.")


@dataclass(frozen=True, eq=False)
class Problem:
    """Validated inputs. ``allowed`` (n_claims, n_shops) excludes shops without capacity; ``utility`` and
    ``score`` are -inf and ``cost`` is 0 outside it; ``capacity`` has shape (n_shops,)."""

    utility: FloatArray
    capacity: IntArray
    cost: FloatArray
    allowed: NDArray[np.bool_]
    score: FloatArray


def make_problem(
    utility: ArrayLike, capacity: ArrayLike, cost: ArrayLike | None = None, cost_weight: float = 0.0
) -> Problem:
    """Validate the inputs of every solver; NaN and -inf utilities become "not allowed"."""
    values = np.asarray(utility, dtype=np.float64)
    if values.ndim != 2:
        raise InvalidInputError(f"Utility must be a 2-D (n_claims, n_shops) array, got {values.ndim} dim(s).")
    if np.isposinf(values).any():
        raise InvalidInputError("Utility must not be +inf; use a large finite number for a must-have pair.")
    caps = _capacity(capacity, values.shape[1])
    allowed = np.isfinite(values) & (caps > 0)[None, :]
    costs = np.zeros_like(values) if cost is None else np.asarray(cost, dtype=np.float64)
    if costs.shape != values.shape:
        raise InvalidInputError(f"Cost must have the utility's shape {values.shape}, got {costs.shape}.")
    if not np.isfinite(costs[allowed]).all():
        raise InvalidInputError("Cost must be finite for every allowed (claim, shop) pair.")
    if not (np.isfinite(cost_weight) and cost_weight >= 0):
        raise InvalidInputError(f"The cost weight must be a finite number >= 0, got {cost_weight}.")
    values = np.where(allowed, values, -np.inf)
    costs = np.where(allowed, costs, 0.0)
    return Problem(values, caps, costs, allowed, np.where(allowed, values - cost_weight * costs, -np.inf))


def _capacity(capacity: ArrayLike, n_shops: int) -> IntArray:
    caps = np.asarray(capacity)
    if caps.shape != (n_shops,):
        raise InvalidInputError(f"Capacity must have shape ({n_shops},), one per shop, got {caps.shape}.")
    if caps.dtype.kind not in "iuf" or not np.isfinite(caps).all() or (caps != np.round(caps)).any():
        raise InvalidInputError("Capacity must hold whole numbers of free slots.")
    if (caps < 0).any():
        raise InvalidInputError("Capacity must not be negative; use 0 for a shop without free slots.")
    return caps.astype(np.int64)


def utilization_gini(load: ArrayLike, capacity: IntArray) -> FloatArray:
    """Gini of ``load / capacity`` per row of ``load`` (P, n_shops) over shops with capacity, shape (P,)."""
    usable = capacity > 0
    share = np.sort(np.asarray(load, dtype=np.float64)[:, usable] / capacity[usable], axis=1)
    k, total = share.shape[1], share.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        gini = 2.0 * (share * np.arange(1, k + 1)).sum(axis=1) / (k * total) - (k + 1) / max(k, 1)
    # Rounding can push an even load a hair below 0; no load at all counts as perfectly even.
    return np.clip(np.where(total > 0, gini, 0.0), 0.0, 1.0)


def make_allocation(
    problem: Problem,
    assignment: IntArray,
    method: str,
    front: IntArray | None = None,
    front_objectives: FloatArray | None = None,
) -> Allocation:
    """Summarise ``assignment`` (n_claims,) into an ``Allocation``."""
    claims = np.flatnonzero(assignment >= 0)
    shops = assignment[claims]
    load = np.bincount(shops, minlength=problem.capacity.size).astype(np.int64)
    return Allocation(
        assignment=assignment,
        total_utility=float(problem.utility[claims, shops].sum()),
        total_cost=float(problem.cost[claims, shops].sum()),
        load=load,
        method=method,
        utilization_gini=float(utilization_gini(load[None, :], problem.capacity)[0]),
        front=front,
        front_objectives=front_objectives,
    )
