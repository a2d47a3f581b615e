"""Batch allocation of many claims to repair shops under shop capacity (a morning's claims at once).

``utility[i, j]`` (higher is better) scores sending claim i to shop j; NaN or -inf marks a pair that is not
allowed (out of range, incapable shop ...). A pair's score is ``utility - cost_weight * cost``. The exact
solver and greedy maximise the TOTAL score, so they never take a pair with a negative score (it would
lower the total). To place every claim that can be placed, add to every allowed pair a bonus larger than
n_claims times the spread of the scores. ``allocate_nsga2`` trades utility against utilisation imbalance
and cost with a small pure-numpy NSGA-II built on ``dispatch_core.pareto``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import linear_sum_assignment

from dispatch_core.errors import InvalidInputError
from dispatch_core.pareto import crowding_distance, non_dominated_fronts

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
UNASSIGNED = -1
MAX_EXPANDED_CELLS = 4_000_000
"""Largest slot-expanded matrix (claims x slots) solved exactly: 32 MB, ~0.2 s on 1,800 x 1,900 slots."""
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


def allocate_assignment(
    utility: ArrayLike,
    capacity: ArrayLike,
    cost: ArrayLike | None = None,
    cost_weight: float = 0.0,
    max_cells: int = MAX_EXPANDED_CELLS,
) -> Allocation:
    """Place claims to maximise the total score exactly, or greedily when the problem is too large.

    Parameters
    ----------
    utility : array-like of shape (n_claims, n_shops)
        Higher is better; NaN or -inf where the pair is not allowed (an all-NaN row is never placed).
    capacity : array-like of int, shape (n_shops,)
        Free slots per shop, >= 0.
    cost : array-like of shape (n_claims, n_shops), optional
        Insurer cost of each pair; finite wherever the pair is allowed.
    cost_weight : float, default 0
        The score maximised is ``utility - cost_weight * cost``.
    max_cells : int, default ``MAX_EXPANDED_CELLS``
        Largest slot-expanded matrix solved exactly; above it ``allocate_greedy`` runs instead and the
        result's ``method`` is ``"greedy"``.

    Returns
    -------
    Allocation
        ``method`` ``"exact"``: ``linear_sum_assignment`` on the matrix whose columns are the shops
        repeated once per free slot (never more often than the claims allowed there).
    """
    problem = make_problem(utility, capacity, cost, cost_weight)
    rows = np.flatnonzero(problem.allowed.any(axis=1))
    slot_shop = np.repeat(np.arange(problem.capacity.size), _slots(problem, rows))
    if rows.size * slot_shop.size > max_cells:
        return make_allocation(problem, greedy_assignment(problem), "greedy")
    assignment = np.full(problem.allowed.shape[0], UNASSIGNED, dtype=np.int64)
    # Not-allowed and negative-score cells gain 0, the same as leaving the claim out, which they then are.
    gain = np.maximum(problem.score[np.ix_(rows, slot_shop)], 0.0)
    picked_rows, picked_slots = linear_sum_assignment(gain, maximize=True)
    claims, shops = rows[picked_rows], slot_shop[picked_slots]
    keep = problem.score[claims, shops] >= 0.0
    assignment[claims[keep]] = shops[keep]
    return make_allocation(problem, assignment, "exact")


def _slots(problem: Problem, rows: IntArray) -> IntArray:
    """Columns per shop: its capacity, but never more than the claims allowed there (<= n_claims)."""
    allowed_claims: IntArray = problem.allowed[rows].sum(axis=0)
    return np.minimum(problem.capacity, allowed_claims)


def allocate_greedy(
    utility: ArrayLike, capacity: ArrayLike, cost: ArrayLike | None = None, cost_weight: float = 0.0
) -> Allocation:
    """Take allowed pairs by descending score while the claim is free and the shop has room.

    Same inputs as ``allocate_assignment``; O(p log p) in the p allowed pairs, no optimality guarantee.
    """
    problem = make_problem(utility, capacity, cost, cost_weight)
    return make_allocation(problem, greedy_assignment(problem), "greedy")


def greedy_assignment(problem: Problem) -> IntArray:
    """Greedy assignment (n_claims,); ties go to the lower claim, then the lower shop, for determinism."""
    claims, shops = np.nonzero(problem.allowed & (problem.score >= 0.0))
    order = np.lexsort((shops, claims, -problem.score[claims, shops]))
    room = problem.capacity.tolist()
    assignment = [UNASSIGNED] * problem.allowed.shape[0]
    # A Python loop over plain ints: each step depends on the room left by the steps before.
    for claim, shop in zip(claims[order].tolist(), shops[order].tolist(), strict=True):
        if assignment[claim] == UNASSIGNED and room[shop] > 0:
            assignment[claim] = shop
            room[shop] -= 1
    return np.asarray(assignment, dtype=np.int64)


def allocate_nsga2(
    utility: ArrayLike,
    capacity: ArrayLike,
    rng: np.random.Generator,
    cost: ArrayLike | None = None,
    pop_size: int = 100,
    generations: int = 200,
    mutation_rate: float | None = None,
    repair: bool = True,
) -> Allocation:
    """Search allocations with NSGA-II and return the feasible first-front member of best utility.

    Parameters
    ----------
    utility, capacity, cost : array-like
        As for ``allocate_assignment``; shapes (n_claims, n_shops), (n_shops,), (n_claims, n_shops).
    rng : np.random.Generator
        Source of every random draw: the same seed gives the same result.
    pop_size, generations : int, default 100 and 200
        Population size (>= 2) and number of generations (>= 0).
    mutation_rate : float, optional
        Chance that a gene moves to a random allowed shop; 1 / n_claims by default.
    repair : bool, default True
        Unassign each overfull shop's lowest-utility claims and retry them elsewhere, so every member
        is feasible; without it, overflow is only an objective and the answer's overflow is dropped.

    Returns
    -------
    Allocation
        ``method`` ``"nsga2"``, with ``front`` and ``front_objectives`` of the final first front.

    Notes
    -----
    Genes are the chosen shop per claim among its allowed shops, or -1. Objectives, all minimised:
    -utility, capacity overflow, Gini of load / capacity, total cost. The first member of the initial
    population is the greedy allocation (seeding), so the answer is never worse than greedy's.
    """
    if not isinstance(rng, np.random.Generator):
        raise InvalidInputError("rng must be a seeded numpy.random.Generator, e.g. np.random.default_rng(0).")
    if pop_size < 2 or generations < 0:
        raise InvalidInputError(f"Need pop_size >= 2 and generations >= 0, got {pop_size} and {generations}.")
    problem = make_problem(utility, capacity, cost)
    n_claims = problem.allowed.shape[0]
    rate = 1.0 / max(n_claims, 1) if mutation_rate is None else mutation_rate
    if not 0.0 <= rate <= 1.0:
        raise InvalidInputError(f"The mutation rate must lie in [0, 1], got {rate}.")
    if not problem.allowed.any():
        return make_allocation(problem, np.full(n_claims, UNASSIGNED, dtype=np.int64), "nsga2")
    choices = _Choices.of(problem.allowed)
    population = choices.draw(np.tile(np.arange(n_claims), pop_size), rng).reshape(pop_size, n_claims)
    population[0] = greedy_assignment(problem)
    population = _repaired(problem, population, choices, rng) if repair else population
    state = _survive(problem, population, pop_size)
    for _ in range(generations):
        children = _offspring(state, choices, rate, rng)
        children = _repaired(problem, children, choices, rng) if repair else children
        state = _survive(problem, np.vstack([state.population, children]), pop_size)
    return _answer(problem, state)


@dataclass(frozen=True, eq=False)
class _Choices:
    """Allowed shops per claim in CSR form: claim i may go to ``shops[start[i] : start[i] + degree[i]]``."""

    shops: IntArray
    start: IntArray
    degree: IntArray

    @classmethod
    def of(cls, allowed: NDArray[np.bool_]) -> _Choices:
        _, shops = np.nonzero(allowed)  # row-major, so each claim's shops are contiguous
        degree = allowed.sum(axis=1).astype(np.int64)
        return cls(shops.astype(np.int64), np.concatenate([[0], np.cumsum(degree)[:-1]]), degree)

    def draw(self, claims: IntArray, rng: np.random.Generator) -> IntArray:
        """A uniformly random allowed shop for each of ``claims`` (k,), -1 for a claim without any."""
        degree = self.degree[claims]
        offset = (rng.random(claims.size) * degree).astype(np.int64)
        index = np.minimum(self.start[claims] + offset, self.shops.size - 1)
        return np.where(degree > 0, self.shops[index], UNASSIGNED)


@dataclass(frozen=True, eq=False)
class _State:
    """A population (P, n_claims) with its objectives (P, 4), front rank (P,) and crowding (P,)."""

    population: IntArray
    objectives: FloatArray
    rank: IntArray
    crowding: FloatArray


def _objectives(problem: Problem, population: IntArray) -> FloatArray:
    """Per member (P, 4): -utility, capacity overflow, Gini of load / capacity, total cost."""
    placed = population >= 0
    claims = np.broadcast_to(np.arange(population.shape[1]), population.shape)
    shops = np.where(placed, population, 0)
    utility = np.where(placed, problem.utility[claims, shops], 0.0).sum(axis=1)
    cost = np.where(placed, problem.cost[claims, shops], 0.0).sum(axis=1)
    load = _loads(population, problem.capacity.size)
    overflow = np.maximum(load - problem.capacity, 0).sum(axis=1)
    return np.column_stack([-utility, overflow, utilization_gini(load, problem.capacity), cost])


def _loads(population: IntArray, n_shops: int) -> IntArray:
    """Claims per shop per member, shape (P, n_shops); -1 genes land in a dropped column 0."""
    offset = np.arange(population.shape[0])[:, None] * (n_shops + 1)
    counts = np.bincount((population + 1 + offset).ravel(), minlength=population.shape[0] * (n_shops + 1))
    return counts.reshape(population.shape[0], n_shops + 1)[:, 1:].astype(np.int64)


def _drop_overflow(problem: Problem, population: IntArray) -> NDArray[np.bool_]:
    """Unassign, in place, each overfull shop's lowest-utility claims; return the (P, n_claims) mask."""
    dropped = np.zeros(population.shape, dtype=np.bool_)
    overfull = _loads(population, problem.capacity.size) > problem.capacity
    if not overfull.any():
        return dropped
    members, claims = np.nonzero(population >= 0)
    shops = population[members, claims]
    # Only genes at overfull shops are sorted: after crossover of feasible parents they are few.
    hit = overfull[members, shops]
    members, claims, shops = members[hit], claims[hit], shops[hit]
    order = np.lexsort((claims, -problem.utility[claims, shops], shops, members))
    group = (members * problem.capacity.size + shops)[order]
    starts = np.flatnonzero(np.concatenate([[True], group[1:] != group[:-1]]))
    position = np.arange(order.size) - np.repeat(starts, np.diff(np.append(starts, order.size)))
    over = order[position >= problem.capacity[shops[order]]]
    dropped[members[over], claims[over]] = True
    population[dropped] = UNASSIGNED
    return dropped


def _repaired(
    problem: Problem, population: IntArray, choices: _Choices, rng: np.random.Generator, rounds: int = 3
) -> IntArray:
    """A feasible copy: drop overflow, send the dropped claims to random allowed shops, repeat."""
    population = population.copy()
    for attempt in range(rounds + 1):
        dropped = _drop_overflow(problem, population)
        # The loop always ends right after a drop, so the result never overflows.
        if attempt == rounds or not dropped.any():
            break
        members, claims = np.nonzero(dropped)
        population[members, claims] = choices.draw(claims, rng)
    return population


def _survive(problem: Problem, merged: IntArray, size: int) -> _State:
    """NSGA-II survival: distinct members by (front, -crowding), duplicates only to fill up."""
    distinct = _first_occurrences(merged)
    objectives = _objectives(problem, merged)
    rank = np.full(merged.shape[0], merged.shape[0], dtype=np.int64)
    crowding = np.zeros(merged.shape[0])
    where = np.flatnonzero(distinct)
    for level, front in enumerate(non_dominated_fronts(objectives[where])):
        rank[where[front]] = level
        crowding[where[front]] = crowding_distance(objectives[where[front]])
    keep = np.lexsort((np.arange(merged.shape[0]), -crowding, rank))[:size]
    return _State(merged[keep], objectives[keep], rank[keep], crowding[keep])


def _first_occurrences(merged: IntArray) -> NDArray[np.bool_]:
    """Mask (P,) of the first copy of each distinct row; hashing row bytes beats np.unique(axis=0)."""
    first: dict[bytes, int] = {}
    for index, row in enumerate(merged):
        first.setdefault(row.tobytes(), index)
    distinct = np.zeros(merged.shape[0], dtype=np.bool_)
    distinct[list(first.values())] = True
    return distinct


def _offspring(state: _State, choices: _Choices, rate: float, rng: np.random.Generator) -> IntArray:
    """Binary tournaments, uniform crossover, then each gene moves to a random allowed shop at ``rate``."""
    size, n_claims = state.population.shape
    mothers, fathers = _tournament(state, size, rng), _tournament(state, size, rng)
    from_father = rng.random((size, n_claims)) < 0.5
    children = np.where(from_father, state.population[fathers], state.population[mothers])
    members, claims = np.nonzero(rng.random((size, n_claims)) < rate)
    children[members, claims] = choices.draw(claims, rng)
    return children


def _tournament(state: _State, size: int, rng: np.random.Generator) -> IntArray:
    """Winners of ``size`` binary tournaments: lower front first, then larger crowding distance."""
    a, b = rng.integers(0, state.rank.size, size), rng.integers(0, state.rank.size, size)
    better_front = state.rank[a] < state.rank[b]
    a_wins = better_front | ((state.rank[a] == state.rank[b]) & (state.crowding[a] >= state.crowding[b]))
    return np.where(a_wins, a, b).astype(np.int64)


def _answer(problem: Problem, state: _State) -> Allocation:
    """The best-utility feasible first-front member (ties: lowest index) plus the front itself."""
    front = np.flatnonzero(state.rank == 0)
    feasible = front[state.objectives[front, 1] == 0]
    pool = feasible if feasible.size else front
    best = state.population[pool[np.argmin(state.objectives[pool, 0])]].copy()
    if not feasible.size:  # only without repair: make the answer feasible by dropping its overflow
        _drop_overflow(problem, best[None, :])
    members = state.population[front]
    return make_allocation(problem, best, "nsga2", front=members, front_objectives=state.objectives[front])
