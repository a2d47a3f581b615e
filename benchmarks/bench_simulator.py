"""The market simulator at the insurer's real volume: 800,000 claims over 110,000 shops in 30 days.

Prints the wall time of the whole month-scale run (world build + five policies on two worker processes,
target: under 15 minutes on this 2-core machine) and, as the baseline in the same run, the time of the
`nearest` policy alone (the hub's ratio to it is what the bandit, the Pareto pool and the capacity feed
cost). Then how time grows: with claims at a fixed network, and with shops at a fixed claim count, timing
`nearest` and `hub` one after the other in this process.

Usage: python -m benchmarks.bench_simulator [--skip-month] [--skip-growth] [--out runs/month]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from benchmarks.common import BENCH_DIR  # noqa: F401  (sets one BLAS thread per process first)
from simulator.config import load_config
from simulator.engine import run_policy
from simulator.runner import simulate
from simulator.world import build_world

MONTH = Path(__file__).resolve().parents[1] / "simulator" / "configs" / "month.toml"


def month_scale(out: Path | None) -> None:
    config = load_config(MONTH)
    started = time.perf_counter()
    report = simulate(config, out, show_progress=False)
    total = time.perf_counter() - started
    run = report["run"]
    size = f"{config.n_claims:,} claims, {config.n_shops:,} shops, {config.days} days"
    print(f"month scale: {size}, {config.workers} worker processes")
    print(f"  total wall time      {total:8.1f} s  ({total / 60:.1f} min; target < 15 min)")
    print(f"  world (catalog, claims, customers, candidates) {run['world_seconds']:.1f} s")
    for name, seconds in run["policy_seconds"].items():
        ratio = seconds / run["policy_seconds"]["nearest"]
        print(f"  policy {name:16s} {seconds:8.1f} s  (x{ratio:.2f} the nearest baseline)")
    hub = report["metrics"]["hub"]
    print(
        f"  hub: acceptance {hub['acceptance_rate']:.4f}, wait {hub['mean_wait_days']:.3f} d, "
        f"new-shop target rate {hub['new_shop_target_rate']:.4f}"
    )


def growth() -> None:
    """Seconds of `nearest` and `hub` as claims grow (110,000 shops) and as shops grow (200,000 claims)."""
    points = [(110_000, claims) for claims in (100_000, 200_000, 400_000)]
    points += [(shops, 200_000) for shops in (27_500, 55_000)]
    print("growth (30 days, one process; world build excluded):")
    heads = ("shops", "claims", "world s", "nearest s", "hub s", "hub/nearest", "hub µs/claim")
    print("  " + " ".join(f"{h:>12s}" for h in heads))
    for shops, claims in sorted(points):
        config = load_config(MONTH, {"n_shops": shops, "n_claims": claims, "workers": 1})
        started = time.perf_counter()
        world = build_world(config)
        built = time.perf_counter() - started
        seconds = {}
        for name in ("nearest", "hub"):
            seconds[name] = run_policy(world, name).seconds
        ratio = seconds["hub"] / seconds["nearest"]
        cells = (f"{shops:,}", f"{claims:,}", f"{built:.1f}", f"{seconds['nearest']:.1f}")
        cells += (f"{seconds['hub']:.1f}", f"{ratio:.2f}", f"{seconds['hub'] / claims * 1e6:.0f}")
        print("  " + " ".join(f"{c:>12s}" for c in cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-month", action="store_true", help="only the growth table")
    parser.add_argument("--skip-growth", action="store_true", help="only the month-scale run")
    parser.add_argument("--out", type=Path, default=None, help="also write the month run's metrics and plots")
    args = parser.parse_args()
    if not args.skip_month:
        month_scale(args.out)
    if not args.skip_growth:
        growth()


if __name__ == "__main__":
    main()
