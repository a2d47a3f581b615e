"""Batch allocation of a morning's claims: exact assignment, greedy, our NSGA-II and pymoo's NSGA-II (peer).

Usage: ``.venv/bin/python -m benchmarks.bench_allocation [--claims 500] [--shops 200] [--generations 200]``
(about 6 s on one core). Both NSGA-IIs get the same population size and generations and start from the
greedy allocation plus random ones; pymoo uses its integer recipe (SBX + PM + rounding) with capacity
overflow as a constraint, from the encoding defined in ``tests/dispatch_core/test_allocation.py``.
Exact and greedy times are medians of 5 runs; each NSGA-II runs once.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from benchmarks.common import latencies_ms, p
from dispatch_core.allocation import allocate_assignment, allocate_greedy, allocate_nsga2, utilization_gini
from tests.dispatch_core.test_allocation import random_instance, solve_with_pymoo, total_utility


def _row(name: str, wall_s: float, utility: float, exact: float, gini: float, unassigned: int) -> None:
    print(f"{name:<16}{wall_s:>9.3f}{utility:>11.2f}{utility / exact:>9.4f}{gini:>8.3f}{unassigned:>12d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--claims", type=int, default=500)
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--allowed", type=float, default=0.3, help="share of allowed (claim, shop) pairs")
    parser.add_argument("--pop-size", type=int, default=100)
    parser.add_argument("--generations", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    utility, capacity = random_instance(rng, args.claims, args.shops, args.allowed)
    print(
        f"{args.claims} claims x {args.shops} shops, capacity 1-5 ({capacity.sum()} slots), "
        f"{np.isfinite(utility).mean():.0%} pairs allowed; "
        f"NSGA-II pop {args.pop_size} x {args.generations} gen"
    )
    print(f"{'method':<16}{'wall_s':>9}{'utility':>11}{'/exact':>9}{'gini':>8}{'unassigned':>12}")
    exact = allocate_assignment(utility, capacity)
    for name, solve in (("exact", allocate_assignment), ("greedy", allocate_greedy)):
        wall_s = p(latencies_ms(lambda _, solve=solve: solve(utility, capacity), 5, warmup=1), 50) / 1e3
        result = solve(utility, capacity)
        unassigned = int((result.assignment < 0).sum())
        _row(name, wall_s, result.total_utility, exact.total_utility, result.utilization_gini, unassigned)
    started = time.perf_counter()
    ours = allocate_nsga2(utility, capacity, rng, pop_size=args.pop_size, generations=args.generations)
    wall_s = time.perf_counter() - started
    unassigned = int((ours.assignment < 0).sum())
    _row("nsga2 (ours)", wall_s, ours.total_utility, exact.total_utility, ours.utilization_gini, unassigned)
    started = time.perf_counter()
    peer = solve_with_pymoo(utility, capacity, rng, pop_size=args.pop_size, generations=args.generations)
    wall_s = time.perf_counter() - started
    load = np.bincount(peer[peer >= 0], minlength=capacity.size)
    gini = float(utilization_gini(load[None, :], capacity)[0])
    peer_utility = total_utility(utility, peer)
    _row("nsga2 (pymoo)", wall_s, peer_utility, exact.total_utility, gini, int((peer < 0).sum()))


if __name__ == "__main__":
    main()
