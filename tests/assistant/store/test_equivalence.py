"""The in-memory store answers as the SQL store does: any log of decisions and outcomes, same read-backs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.decision_log import Outcome
from assistant.store import InMemoryStore, SqlStore
from assistant.store.ports import Persistence
from tests.assistant.store.samples import T0, decision

HOUR = 3600.0
Made = list[tuple[str | None, float, tuple[str, int]]]  # (session, created_at, (strategy, version))
Said = list[tuple[int, int, str, int]]  # (which decision, which shop of its slate, outcome, hours after T0)

made_decisions = st.lists(
    st.tuples(
        st.sampled_from(["s-a", "s-b", "s-c", None]),  # session
        st.integers(0, 5).map(lambda k: T0 + k * 1800.0),  # created_at: ties and shared hours
        st.sampled_from([("greedy", 1), ("greedy", 2), ("linucb", 1)]),
    ),
    min_size=1,
    max_size=12,
)
feedback = st.lists(
    st.tuples(
        st.integers(0, 11), st.integers(0, 2), st.sampled_from(["accepted", "rejected"]), st.integers(0, 9)
    ),
    max_size=15,
)


def fill(store: Persistence, made: Made, said: Said) -> None:
    for i, (session_id, created_at, (strategy, version)) in enumerate(made):
        store.record(decision(f"d-{i}", created_at, strategy, version, session_id))
    for which, j, outcome, hours_later in said:
        i = which % len(made)
        store.add_outcome(f"d-{i}", Outcome(f"shop-d-{i}-{j}", outcome, None, T0 + hours_later * HOUR))


def read_back(store: Persistence) -> tuple[Any, ...]:
    return (
        store.strategy_totals(),
        store.offers_to_accept(),
        store.accepted_waits(),
        store.accepted_waits(limit=2),
        store.hourly(12, T0 + 11 * HOUR),
        list(store.outcomes_since(T0 + 3 * HOUR)),
        store.counts(),
    )


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(made=made_decisions, said=feedback)
def test_memory_and_sqlite_read_back_the_same_log_alike(made: Made, said: Said) -> None:
    memory = InMemoryStore()
    fill(memory, made, said)
    with tempfile.TemporaryDirectory() as folder:
        sql = SqlStore.from_url(f"sqlite:///{Path(folder) / 'rih.sqlite'}", sqlite_synchronous="NORMAL")
        try:
            fill(sql, made, said)
            assert read_back(sql) == read_back(memory)
        finally:
            sql.close()
