"""What the dashboards and the learner read back from the decision log, on every backend."""

from __future__ import annotations

import pytest

from assistant.decision_log import Outcome
from assistant.store.ports import LoggedOutcome, Persistence, StrategyTotals
from assistant.store.sql import SqlStore
from tests.assistant.store.samples import T0, decision, outcome

HOUR = 3600.0


def test_strategy_totals_count_acceptances_and_rejections_per_decision(store: Persistence) -> None:
    for i, (strategy, version) in enumerate([("greedy", 1), ("greedy", 1), ("greedy", 2), ("linucb", 1)] * 2):
        store.record(decision(f"d-{i}", strategy=strategy, version=version))
    store.add_outcome("d-0", outcome("d-0", 0, "rejected"))
    store.add_outcome("d-0", outcome("d-0", 1, "accepted"))  # rejected, then accepted: accepted only
    store.add_outcome("d-1", outcome("d-1", 0, "rejected"))
    store.add_outcome("d-1", outcome("d-1", 1, "rejected"))  # two rejections: one rejected decision
    store.add_outcome("d-3", outcome("d-3", 2, "accepted"))
    store.add_outcome("d-6", outcome("d-6", 0, "rejected"))
    assert store.strategy_totals() == [
        StrategyTotals("greedy", 1, decisions=4, accepted=1, rejected=1),
        StrategyTotals("greedy", 2, decisions=2, accepted=0, rejected=1),
        StrategyTotals("linucb", 1, decisions=2, accepted=1, rejected=0),
    ]


def test_strategy_totals_of_an_empty_log_are_empty(store: Persistence) -> None:
    assert store.strategy_totals() == []


def test_offers_to_accept_counts_slates_shown_up_to_the_first_acceptance(store: Persistence) -> None:
    shown = {"three": 3, "first": 2, "two": 3, "never": 2}  # slates per session, one a minute
    for session_id, n in shown.items():
        for k in range(n):
            store.record(decision(f"{session_id}-{k}", created_at=T0 + 60 * k, session_id=session_id))
    store.add_outcome("three-2", outcome("three-2", 0))
    store.add_outcome("first-0", outcome("first-0", 1))
    store.add_outcome("first-1", outcome("first-1", 1))  # a second acceptance does not move the first
    store.add_outcome("two-1", outcome("two-1", 0))  # a slate shown after the acceptance does not count
    store.add_outcome("never-0", outcome("never-0", 0, "rejected"))
    store.record(decision("anonymous", created_at=T0))  # no session: not counted
    store.add_outcome("anonymous", outcome("anonymous", 0))
    assert store.offers_to_accept() == {1: 1, 2: 1, 3: 1}


def test_accepted_waits_are_the_accepted_shops_waits_newest_first(store: Persistence) -> None:
    for i in range(4):
        store.record(decision(f"d-{i}"))
    store.add_outcome("d-0", outcome("d-0", 2))  # slate waits are 1.5, 2.5, 3.5 days by position
    store.add_outcome("d-1", outcome("d-1", 0, "rejected"))
    store.add_outcome("d-1", outcome("d-1", 1))
    store.add_outcome("d-2", outcome("d-2", 0))
    assert store.accepted_waits() == [1.5, 2.5, 3.5]
    assert store.accepted_waits(limit=2) == [1.5, 2.5]


def test_hourly_counts_are_aligned_to_the_hour_oldest_first_without_gaps(store: Persistence) -> None:
    now = T0 + 5 * HOUR + 1200  # 20 minutes into the sixth hour after T0
    at = {"too-old": T0 - 1, "h0-start": T0, "h0-end": T0 + HOUR - 0.001, "h2": T0 + 2 * HOUR + 5}
    at |= {"h5": T0 + 5 * HOUR + 600, "h5-later-this-hour": T0 + 5 * HOUR + 3000}
    for decision_id, created in at.items():
        store.record(decision(decision_id, created_at=created))
    store.add_outcome("h0-start", outcome("h0-start", 0, ts=T0 + 3 * HOUR))
    store.add_outcome("h2", outcome("h2", 0, "rejected", ts=T0 + 3 * HOUR))  # rejections are not counted
    store.add_outcome("h2", outcome("h2", 1, ts=T0 + 5 * HOUR + 1))
    store.add_outcome("too-old", outcome("too-old", 0, ts=T0 - 10))
    assert store.hourly(6, now) == [
        (T0, 2, 0),
        (T0 + HOUR, 0, 0),
        (T0 + 2 * HOUR, 1, 0),
        (T0 + 3 * HOUR, 0, 1),
        (T0 + 4 * HOUR, 0, 0),
        (T0 + 5 * HOUR, 2, 1),
    ]
    assert store.hourly(1, now) == [(T0 + 5 * HOUR, 2, 1)]


def test_hourly_refuses_less_than_one_hour(store: Persistence) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        store.hourly(0, T0)


def test_outcomes_since_bring_back_strategy_and_the_shops_context_in_arrival_order(
    store: Persistence,
) -> None:
    store.record(decision("d-1", strategy="linucb"))
    no_context = decision("d-2", strategy="greedy")
    no_context.recommendations[0]["context"] = []
    del no_context.recommendations[1]["context"]
    store.record(no_context)
    store.add_outcome("d-1", outcome("d-1", 2, ts=T0 + 9))
    store.add_outcome("d-2", outcome("d-2", 0, "rejected", ts=T0 + 5))
    store.add_outcome("d-2", outcome("d-2", 1, ts=T0 + 7))
    store.add_outcome("d-1", outcome("d-1", 0, "rejected", ts=T0 + 1))  # before the cut
    assert list(store.outcomes_since(T0 + 5)) == [
        LoggedOutcome("d-1", "linucb", "shop-d-1-2", "accepted", (1.0, 0.2, 1.0, 0.0, 0.5, 1.0), T0 + 9),
        LoggedOutcome("d-2", "greedy", "shop-d-2-0", "rejected", None, T0 + 5),
        LoggedOutcome("d-2", "greedy", "shop-d-2-1", "accepted", None, T0 + 7),
    ]


def test_outcomes_since_pages_through_a_long_history_in_order(store: Persistence) -> None:
    if isinstance(store, SqlStore):
        store.page_size = 7  # many pages, one short query each
    made = decision("d-1")
    made.outcomes = [Outcome(f"shop-d-1-{i % 3}", "rejected", None, T0 + i) for i in range(50)]
    store.record(made)
    logged = list(store.outcomes_since(T0 + 3))
    assert [o.ts for o in logged] == [T0 + i for i in range(3, 50)]
    assert logged[0].context == (1.0, 0.0, 1.0, 0.0, 0.0, 1.0)
