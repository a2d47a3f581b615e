"""Many threads writing at once, as FastAPI's threadpool does: no write lost, no error (SQLite's one writer
waits for the lock; PostgreSQL's pool hands each thread its own connection)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from assistant.store.ports import Persistence
from tests.assistant.store.samples import T0, decision, outcome, state

THREADS, ROUNDS = 8, 15


def write(store: Persistence, worker: int) -> None:
    for r in range(ROUNDS):
        key = f"w{worker}-{r}"
        store.save(state(key))
        store.record(decision(key, session_id=key))
        store.add_outcome(key, outcome(key, 0, "rejected"))
        store.add_outcome(key, outcome(key, 1))
        store.save(state(key, stage="booked"))
        store.append_capacity_events([{"shop_id": key, "n": n} for n in range(10)], received_at=T0 + r)


def test_eight_threads_writing_at_once_lose_nothing(store: Persistence) -> None:
    with ThreadPoolExecutor(THREADS) as pool:
        for done in [pool.submit(write, store, w) for w in range(THREADS)]:
            done.result()  # re-raises a worker's error
    keys = [f"w{w}-{r}" for w in range(THREADS) for r in range(ROUNDS)]
    assert store.counts() == (len(keys), 2 * len(keys))
    assert store.capacity_event_stats()[0] == 10 * len(keys)
    for key in keys:
        assert store.load(key)["stage"] == "booked"
        assert [o.outcome for o in store.get(key).outcomes] == ["rejected", "accepted"]
    assert len(store.recent_sessions(limit=1_000, stage="booked")) == len(keys)
    assert store.offers_to_accept() == {1: len(keys)}
