"""Greedy allocation: allowed pairs by descending score while the claim is free and the shop has room."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from dispatch_core.allocation_problem import (
    UNASSIGNED,
    Allocation,
    IntArray,
    Problem,
    make_allocation,
    make_problem,
)


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
