"""Time dispatch_core's bandits and Pareto helpers against mabwiser and pymoo on the same data.

Run ``PYTHONPATH=. .venv/bin/python benchmarks/bench_policies.py`` (about 30 s on 2 cores) or add
``--quick`` for a smoke run. Times are best-of-N wall-clock (``time.perf_counter``); the
ratio is ours / peer, so below 1 means dispatch_core is faster.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from mabwiser.mab import MAB, LearningPolicy
from pymoo.operators.survival.rank_and_crowding.metrics import calc_crowding_distance
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from dispatch_core.pareto import crowding_distance, non_dominated_fronts, select_slate
from dispatch_core.policies import make_policy


@dataclass(frozen=True)
class Stream:
    """A decision stream: chosen arms (n,), binary rewards (n,) and contexts (n, d)."""

    arms: list[str]
    decisions: np.ndarray
    rewards: np.ndarray
    contexts: np.ndarray
    chunk: int

    def batches(self, contextual: bool) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
        starts = range(0, len(self.decisions), self.chunk)
        return [
            (
                self.decisions[s : s + self.chunk],
                self.rewards[s : s + self.chunk],
                self.contexts[s : s + self.chunk] if contextual else None,
            )
            for s in starts
        ]


def make_stream(n: int, n_arms: int, d: int, chunk: int, seed: int = 0) -> Stream:
    rng = np.random.default_rng(seed)
    arms = [f"shop-{i:05d}" for i in range(n_arms)]
    decisions = np.array(arms)[rng.integers(0, n_arms, n)]
    return Stream(arms, decisions, (rng.random(n) < 0.3).astype(float), rng.normal(size=(n, d)), chunk)


def best_of(repeats: int, setup: Callable[[], object], run: Callable[[object], object]) -> float:
    """Best wall time in seconds of ``run(setup())``; setup is not timed."""
    best = np.inf
    for _ in range(repeats):
        state = setup()
        start = time.perf_counter()
        run(state)
        best = min(best, time.perf_counter() - start)
    return float(best)


def time_policy(
    stream: Stream, name: str, peer: LearningPolicy, repeats: tuple[int, int]
) -> tuple[float, float]:
    """Time a stream of partial_fit calls after an untimed fit on the first batch, ours vs mabwiser."""
    contextual = name == "linucb"
    first, *rest = stream.batches(contextual)
    params = {"n_features": stream.contexts.shape[1]} if contextual else {}

    def ours_setup() -> object:
        return make_policy(name, arms=stream.arms, **params).fit(*first)

    def peer_setup() -> object:
        mab = MAB(stream.arms, peer, seed=0)
        mab.fit(*first)
        return mab

    def feed(policy: object) -> None:
        for batch in rest:
            policy.partial_fit(*batch)  # type: ignore[attr-defined]

    return best_of(repeats[0], ours_setup, feed), best_of(repeats[1], peer_setup, feed)


def time_call(repeats: int, inner: int, call: Callable[[], object]) -> float:
    return best_of(repeats, lambda: None, lambda _: [call() for _ in range(inner)]) / inner


def slate_percentiles(calls: int, seed: int = 1) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    samples = []
    for _ in range(calls):
        values = rng.random((200, 3))
        start = time.perf_counter()
        select_slate(values, 10)
        samples.append(time.perf_counter() - start)
    p50, p99 = np.percentile(samples, [50, 99])
    return float(p50), float(p99)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small stream, single repeats")
    quick = parser.parse_args().quick
    n, n_arms, chunk = (10_000, 200, 2_000) if quick else (100_000, 1_000, 10_000)
    repeats = (2, 1) if quick else (5, 3)
    stream = make_stream(n + chunk, n_arms, d=8, chunk=chunk)
    rows: list[tuple[str, float, float]] = []
    label = f"{n:,} decisions / {n_arms:,} arms, batches of {chunk:,}"
    for name, peer in [
        ("ucb1", LearningPolicy.UCB1(alpha=1.0)),
        ("thompson", LearningPolicy.ThompsonSampling()),
        ("linucb", LearningPolicy.LinUCB(alpha=1.0)),
    ]:
        suffix = " (d=8)" if name == "linucb" else ""
        rows.append((f"{name}{suffix} partial_fit, {label}", *time_policy(stream, name, peer, repeats)))
    values = np.random.default_rng(2).random((200, 3))
    inner = 20 if quick else 200
    rows.append(
        (
            "non_dominated_fronts 200x3 vs NonDominatedSorting",
            time_call(5, inner, lambda: non_dominated_fronts(values)),
            time_call(5, inner, lambda: NonDominatedSorting().do(values)),
        )
    )
    front = values[non_dominated_fronts(values)[0]]
    rows.append(
        (
            f"crowding_distance {len(front)}x3 vs calc_crowding_distance",
            time_call(5, inner, lambda: crowding_distance(front)),
            time_call(5, inner, lambda: calc_crowding_distance(front)),
        )
    )
    print(f"{'benchmark':<78}{'ours ms':>10}{'peer ms':>10}{'ours/peer':>11}")
    for title, ours, peer_time in rows:
        print(f"{title:<78}{ours * 1e3:>10.3f}{peer_time * 1e3:>10.3f}{ours / peer_time:>11.3f}")
    calls = 200 if quick else 2_000
    p50, p99 = slate_percentiles(calls)
    print(f"select_slate 200x3, k=10, {calls:,} calls: p50 {p50 * 1e3:.3f} ms, p99 {p99 * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
