"""DecisionStore on every backend: decisions and their outcomes, written and read back."""

from __future__ import annotations

import math

import pytest

from assistant.decision_log import Outcome
from assistant.errors import UnknownDecisionError
from assistant.store.ports import Persistence
from tests.assistant.store.samples import decision, outcome


def test_a_recorded_decision_reads_back_equal(store: Persistence) -> None:
    made = decision("d-1", session_id="s-1")
    store.record(made)
    assert store.get("d-1") == made
    assert store.counts() == (1, 0)


def test_outcomes_read_back_in_the_order_they_were_added(store: Persistence) -> None:
    store.record(decision("d-1"))
    store.record(decision("d-2"))
    added = [outcome("d-1", 2, "rejected", ts=5.0), outcome("d-1", 0, "rejected", ts=3.0)]
    added.append(outcome("d-1", 1, "accepted", ts=4.0))
    for o in added:
        store.add_outcome("d-1", o)
        store.add_outcome("d-2", outcome("d-2", 0, "rejected"))
    assert store.get("d-1").outcomes == added
    assert store.counts() == (2, 6)


def test_outcomes_recorded_with_the_decision_are_kept(store: Persistence) -> None:
    made = decision("d-1")
    made.outcomes = [outcome("d-1", 0, "rejected"), outcome("d-1", 1, "accepted")]
    store.record(made)
    assert store.get("d-1").outcomes == made.outcomes
    assert store.counts() == (1, 2)


def test_getting_an_unknown_decision_raises_unknown_decision(store: Persistence) -> None:
    store.record(decision("d-1"))
    with pytest.raises(UnknownDecisionError, match=r"^No decision with id 'd-2'\.$"):
        store.get("d-2")


def test_an_outcome_of_an_unknown_decision_raises_and_is_not_stored(store: Persistence) -> None:
    store.record(decision("d-1"))
    with pytest.raises(UnknownDecisionError, match=r"^No decision with id 'd-2'\.$"):
        store.add_outcome("d-2", Outcome("shop-x", "accepted", None, 1.0))
    assert store.counts() == (1, 0)


def test_recording_a_decision_id_twice_raises_and_keeps_the_first(store: Persistence) -> None:
    store.record(decision("d-1", strategy="greedy"))
    with pytest.raises(ValueError, match="already recorded"):
        store.record(decision("d-1", strategy="linucb"))
    assert store.get("d-1").strategy == "greedy"


def test_a_decision_that_is_not_json_is_refused_and_not_stored(store: Persistence) -> None:
    bad = decision("d-1")
    bad.recommendations[0]["context"] = [math.nan]  # neither jsonb nor SQLite's json functions read NaN
    with pytest.raises(Exception, match="JSON"):
        store.record(bad)
    assert store.counts() == (0, 0)


def test_a_batch_of_decisions_is_recorded_whole(store: Persistence) -> None:
    batch = [decision(f"d-{i}", session_id="s-1") for i in range(5)]
    batch[2].outcomes = [outcome("d-2", 0, "rejected")]
    store.record_many(batch)
    assert [store.get(f"d-{i}") for i in range(5)] == batch
    assert store.counts() == (5, 1)


def test_a_batch_with_a_known_id_raises_and_writes_nothing_of_it(store: Persistence) -> None:
    store.record(decision("d-1", strategy="greedy"))
    with pytest.raises(ValueError, match="already recorded"):
        store.record_many([decision("d-0"), decision("d-1", strategy="linucb"), decision("d-2")])
    assert store.counts() == (1, 0)
    assert store.get("d-1").strategy == "greedy"
    with pytest.raises(UnknownDecisionError):
        store.get("d-0")


def test_a_batch_repeating_an_id_raises_and_writes_nothing(store: Persistence) -> None:
    with pytest.raises(ValueError, match="already recorded"):
        store.record_many([decision("d-1"), decision("d-1")])
    assert store.counts() == (0, 0)


def test_an_empty_batch_writes_nothing(store: Persistence) -> None:
    store.record_many([])
    assert store.counts() == (0, 0)


def test_many_decisions_read_back_in_the_order_asked_with_their_outcomes(store: Persistence) -> None:
    made = [decision(f"d-{i}", session_id="s-1") for i in range(4)]
    store.record_many(made)
    store.add_outcome("d-2", outcome("d-2", 1, "rejected", ts=5.0))
    store.add_outcome("d-0", outcome("d-0", 0, "accepted", ts=6.0))
    store.add_outcome("d-2", outcome("d-2", 0, "accepted", ts=7.0))
    got = store.get_many(["d-2", "d-unknown", "d-0", "d-3"])
    assert [d.decision_id for d in got] == ["d-2", "d-0", "d-3"]
    assert got == [store.get("d-2"), store.get("d-0"), store.get("d-3")]
    assert [o.ts for o in got[0].outcomes] == [5.0, 7.0]
    assert store.get_many([]) == []
