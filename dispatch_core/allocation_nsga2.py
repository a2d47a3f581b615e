"""NSGA-II allocation in pure numpy: trades utility against capacity overflow, utilisation imbalance and
cost, built on ``dispatch_core.pareto``; seeded with the greedy allocation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dispatch_core.allocation_greedy import greedy_assignment
from dispatch_core.allocation_problem import (
    UNASSIGNED,
    Allocation,
    FloatArray,
    IntArray,
    Problem,
    make_allocation,
    make_problem,
    utilization_gini,
)
from dispatch_core.errors import InvalidInputError
from dispatch_core.pareto import crowding_distance, non_dominated_fronts


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
