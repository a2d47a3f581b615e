"""Batch allocation of many claims to repair shops under shop capacity (a morning's claims at once).

``utility[i, j]`` (higher is better) scores sending claim i to shop j; NaN or -inf marks a pair that is not
allowed (out of range, incapable shop ...). A pair's score is ``utility - cost_weight * cost``. The exact
solver and greedy maximise the TOTAL score, so they never take a pair with a negative score (it would
lower the total). To place every claim that can be placed, add to every allowed pair a bonus larger than
n_claims times the spread of the scores. ``allocate_nsga2`` trades utility against utilisation imbalance
and cost with a small pure-numpy NSGA-II built on ``dispatch_core.pareto``.

The solvers live in ``allocation_exact``, ``allocation_greedy`` and ``allocation_nsga2``, their shared
set-up in ``allocation_problem``; every public name is re-exported here.
"""

from __future__ import annotations

from dispatch_core.allocation_exact import MAX_EXPANDED_CELLS, allocate_assignment
from dispatch_core.allocation_greedy import allocate_greedy, greedy_assignment
from dispatch_core.allocation_nsga2 import allocate_nsga2
from dispatch_core.allocation_problem import (
    METHODS,
    UNASSIGNED,
    Allocation,
    FloatArray,
    IntArray,
    Problem,
    make_allocation,
    make_problem,
    utilization_gini,
)

__all__ = [
    "MAX_EXPANDED_CELLS",
    "METHODS",
    "UNASSIGNED",
    "Allocation",
    "FloatArray",
    "IntArray",
    "Problem",
    "allocate_assignment",
    "allocate_greedy",
    "allocate_nsga2",
    "greedy_assignment",
    "make_allocation",
    "make_problem",
    "utilization_gini",
]
