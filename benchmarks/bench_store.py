"""Store write latency: what persistence adds to a chat turn and to a feedback call.

Times per call (p50 / p99) of `record` (a decision with 3 recommendations of 12 factors each), `add_outcome`,
`save` (a session state with a 20-message transcript) and `load` on SQLite with synchronous=FULL, SQLite
with NORMAL, and PostgreSQL when `RIH_TEST_DATABASE_URL` is set (eval "$(bash scripts/services.sh)"), each
write committed before it returns. Baseline in the same run: `InMemoryStore` (a JSON round trip, no disk).
Usage: python -m benchmarks.bench_store [--calls N]
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import sqlalchemy as sa

from assistant.decision_log import DecisionRecord, Outcome
from assistant.dialogue.state import DialogueState, new_state
from assistant.store import InMemoryStore, SqlStore
from assistant.store.ports import Persistence
from benchmarks.common import BENCH_DIR, latencies_ms, p

T0 = 1_800_000_000.0
FACTORS = (  # the dozen factors a logged recommendation explains itself with
    *("distance_km", "authorized_for_make", "certified_for_damage", "expected_wait_days", "parts_in_stock"),
    *("rating", "price_level", "courtesy_car", "pickup", "deadline", "load", "reviews"),
)


def recommendation(decision_id: str, j: int) -> dict[str, Any]:
    """One logged recommendation as the dispatch service writes it: payload, factors, propensity, context."""
    return {
        "shop_id": f"shop-{j:06d}",
        "name": f"Shanghai Pudong Auto Repair {j}",
        "rank": j + 1,
        "distance_km": 3.2 + j,
        "authorized_makes": ["Toyota", "Honda"],
        "rating": 4.6,
        "expected_wait_days": 2.5 + j,
        "score": 0.81 - 0.1 * j,
        "exploration": j == 2,
        "explanation": "Closest authorised Toyota repairer with a free bay tomorrow and parts in stock. " * 2,
        "factors": [
            {"name": name, "value": round(0.1 * k + 0.01 * j, 4), "contribution": round(0.02 * k, 4)}
            for k, name in enumerate(FACTORS)
        ],
        "propensity": 0.62 / (j + 1),
        "context": [1.0, 0.8, 1.0, 0.0, 0.6, 1.0],
    }


def decision(i: int) -> DecisionRecord:
    decision_id = f"{i:08d}-{uuid.uuid4().hex}"
    return DecisionRecord(
        decision_id=decision_id,
        created_at=T0 + i,
        strategy="linucb",
        strategy_version=3,
        session_id=f"session-{i % 500}",
        claim_id=f"CLM-{i}",
        request={"lat": 31.23, "lon": 121.47, "make": "Toyota", "damage_types": ["door", "paint"]},
        recommendations=[recommendation(decision_id, j) for j in range(3)],
        considered=412,
        filtered={"closed": 17, "no_capacity": 4, "not_authorized": 60},
        slate_propensity=0.071,
    )


def session(i: int) -> DialogueState:
    """A session 20 messages in, half of them Chinese, with preferences and the slate on the table."""
    state = new_state(f"session-{i}", "customer", {"claim_id": f"CLM-{i}", "customer": {"language": "zh"}})
    state["transcript"] = [
        {
            "role": ("user", "assistant")[k % 2],
            "text": ("我的车门被撞了，在浦东", "Which make is it?")[k % 2] * 3,
        }
        | {"ts": T0 + k}
        for k in range(20)
    ]
    state["preferences"] = {"language": "zh", "make": "Toyota", "priorities": {"distance": 0.7}}
    state["current"] = [recommendation("current", j) for j in range(3)]
    state["stage"] = "offered"
    return state


def time_store(store: Persistence, calls: int) -> dict[str, np.ndarray]:
    made = [decision(i) for i in range(calls + 20)]  # latencies_ms runs 20 untimed calls first
    states = [session(i % 200) for i in range(calls + 20)]
    shop = made[0].recommendations[1]["shop_id"]
    fresh = itertools.count()  # each record call takes a new decision
    return {
        "record": latencies_ms(lambda i: store.record(made[next(fresh)]), calls),
        "add_outcome": latencies_ms(
            lambda i: store.add_outcome(made[i].decision_id, Outcome(shop, "accepted", None, T0 + i)), calls
        ),
        "save": latencies_ms(lambda i: store.save(states[i]), calls),
        "load": latencies_ms(lambda i: store.load(f"session-{i % 200}"), calls),
    }


@contextmanager
def sqlite_store(synchronous: str) -> Iterator[SqlStore]:
    folder = BENCH_DIR / f"store_{synchronous.lower()}"
    shutil.rmtree(folder, ignore_errors=True)
    store = SqlStore.from_url(f"sqlite:///{folder / 'rih.sqlite'}", sqlite_synchronous=synchronous)
    try:
        yield store
    finally:
        store.close()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgresql_store(url: str) -> Iterator[SqlStore]:
    """A store in a schema of its own, dropped afterwards."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, poolclass=sa.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    scoped = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    store = SqlStore.from_url(scoped.render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.close()
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def memory_store() -> Iterator[InMemoryStore]:
    yield InMemoryStore()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=2_000, help="timed calls per method and backend")
    args = parser.parse_args()
    backends: dict[str, Callable[[], Any]] = {
        "memory (baseline)": memory_store,
        "sqlite FULL": lambda: sqlite_store("FULL"),
        "sqlite NORMAL": lambda: sqlite_store("NORMAL"),
    }
    url = os.environ.get("RIH_TEST_DATABASE_URL")
    if url:
        backends["postgresql"] = lambda: postgresql_store(url)
    print(f"store latency: {args.calls:,} calls per method, one thread, each write committed")
    if not url:
        print("  (RIH_TEST_DATABASE_URL unset: PostgreSQL not measured)")
    baseline: dict[str, float] = {}  # p50 of the in-memory store, the first backend
    for name, open_store in backends.items():
        started = time.perf_counter()
        with open_store() as store:
            timings = time_store(store, args.calls)
        print(f"  {name}  ({time.perf_counter() - started:.1f} s)")
        for method, lat in timings.items():
            p50, p99 = p(lat, 50), p(lat, 99)
            ratio = f"{p50 / baseline[method]:8.1f}x baseline p50" if baseline else ""
            print(f"    {method:<12} p50 {p50:8.3f} ms  p99 {p99:8.3f} ms  {ratio}")
        baseline = baseline or {method: p(lat, 50) for method, lat in timings.items()}


if __name__ == "__main__":
    main()
