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
