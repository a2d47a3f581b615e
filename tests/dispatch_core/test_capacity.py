"""CapacityState: per-field last-writer-wins merge of capacity events, freshness, waits and persistence."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_core.capacity import (
    ApplyResult,
    CapacityState,
    expected_wait_days,
    freshness_from_age,
    is_closed,
    is_full,
)
from dispatch_core.errors import InvalidInputError

SHOPS = ["s0", "s1", "s2", "s3"]
BAYS = np.array([4, 2, 6, 0])
TECHS = np.array([5, 3, 8, 1])
MAKES = ["Toyota", "Honda"]
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC).timestamp()


def new_state(**kwargs: float) -> CapacityState:
    return CapacityState(SHOPS, BAYS, TECHS, MAKES, **kwargs)


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


def assert_same_state(a: CapacityState, b: CapacityState) -> None:
    for (name, x), y in zip(a.to_arrays().items(), b.to_arrays().values(), strict=True):
        np.testing.assert_array_equal(x, y, err_msg=name)


def test_a_new_state_is_the_catalog_baseline_and_never_heard_from():
    snap = new_state().snapshot(np.arange(4), now=T0)
    np.testing.assert_array_equal(snap.free_bays, BAYS)
    np.testing.assert_array_equal(snap.technicians_on_duty, TECHS)
    assert snap.is_open.all() and snap.is_stale.all()
    assert np.isinf(snap.age_s).all()
    np.testing.assert_allclose(snap.freshness, 0.25)
    assert snap.parts_for_make is None


def test_an_event_changes_only_the_fields_it_carries():
    state = new_state()
    result = state.apply_events([{"shop_id": "s0", "ts": iso(T0), "free_bays": 1, "status": None}])
    assert result == ApplyResult(applied=1, stale_ignored=0, unknown_shop=0, invalid=0)
    assert state.free_bays_[0] == 1 and state.technicians_on_duty_[0] == 5 and state.is_open_[0]
    assert state.last_update_ts_[0] == T0


def test_an_older_event_never_rolls_a_newer_value_back_and_is_counted_stale():
    state = new_state()
    state.apply_events([{"shop_id": "s1", "ts": iso(T0 + 60), "free_bays": 0, "status": "closed"}])
    result = state.apply_events([{"shop_id": "s1", "ts": iso(T0), "free_bays": 2, "status": "open"}])
    assert result.stale_ignored == 1 and result.applied == 0
    assert state.free_bays_[1] == 0 and not state.is_open_[1]
    assert state.last_update_ts_[1] == T0 + 60


def test_a_late_event_still_fills_the_fields_no_newer_event_carried():
    state = new_state()
    state.apply_events([{"shop_id": "s2", "ts": T0 + 60, "free_bays": 3}])
    result = state.apply_events([{"shop_id": "s2", "ts": T0, "free_bays": 5, "technicians_on_duty": 2}])
    assert result.applied == 1
    assert state.free_bays_[2] == 3 and state.technicians_on_duty_[2] == 2


def test_a_redelivered_event_is_counted_stale():
    event = {"shop_id": "s0", "ts": iso(T0), "free_bays": 2, "parts_in_stock": {"Toyota": 4}}
    state = new_state()
    assert state.apply_events([event]).applied == 1
    assert state.apply_events([event]).stale_ignored == 1


def test_timestamps_in_iso_forms_and_epoch_seconds_mean_the_same_instant():
    forms = [T0, int(T0), "2024-05-01T08:00:00Z", "2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00"]
    for form in forms:
        state = new_state()
        state.apply_events([{"shop_id": "s0", "ts": form}])
        assert state.last_update_ts_[0] == T0, form


def test_free_bays_above_the_catalog_are_clipped_and_counted():
    state = new_state()
    result = state.apply_events([{"shop_id": "s1", "ts": T0, "free_bays": 9}])
    assert result.applied == 1 and result.clipped == 1
    assert state.free_bays_[1] == 2


@pytest.mark.parametrize(
    "event",
    [
        {"shop_id": "s0", "ts": "yesterday"},
        {"shop_id": "s0"},
        {"shop_id": "s0", "ts": float("nan")},
        {"shop_id": "s0", "ts": True},
        {"shop_id": "s0", "ts": T0, "free_bays": -1},
        {"shop_id": "s0", "ts": T0, "free_bays": 1.5},
        {"shop_id": "s0", "ts": T0, "free_bays": "3"},
        {"shop_id": "s0", "ts": T0, "technicians_on_duty": -4},
        {"shop_id": "s0", "ts": T0, "status": "ajar"},
        {"shop_id": "s0", "ts": T0, "status": ["open"]},
        {"shop_id": "s0", "ts": T0, "parts_in_stock": {"Toyota": -2}},
        {"shop_id": "s0", "ts": T0, "parts_in_stock": [3]},
        {"shop_id": 0, "ts": T0},
        {"ts": T0},
        None,
    ],
)
def test_an_invalid_message_is_counted_and_changes_nothing(event):
    state = new_state()
    result = state.apply_events([event, {"shop_id": "s1", "ts": T0, "free_bays": 1}])
    assert result == ApplyResult(applied=1, stale_ignored=0, unknown_shop=0, invalid=1)
    assert state.last_update_ts_[0] == -np.inf and state.free_bays_[0] == 4


def test_unknown_shops_are_counted_not_raised():
    result = new_state().apply_events([{"shop_id": "nowhere", "ts": T0, "free_bays": 1}])
    assert result == ApplyResult(applied=0, stale_ignored=0, unknown_shop=1, invalid=0)


def test_events_from_a_clock_in_the_future_are_invalid_when_now_is_given():
    state = new_state(max_clock_skew_s=300.0)
    result = state.apply_events([{"shop_id": "s0", "ts": T0 + 301, "free_bays": 0}], now=T0)
    assert result.invalid == 1 and state.free_bays_[0] == 4
    assert state.apply_events([{"shop_id": "s0", "ts": T0 + 299, "free_bays": 0}], now=T0).applied == 1


def test_parts_of_untracked_makes_are_ignored_and_unknown_stock_is_minus_one():
    state = new_state()
    state.apply_events(
        [{"shop_id": "s0", "ts": T0, "parts_in_stock": {"Toyota": 7, "Lada": 1, "Honda": None}}]
    )
    snap = state.snapshot(np.array([0, 1]), now=T0, make="Toyota")
    np.testing.assert_array_equal(snap.parts_for_make, [7, -1])
    np.testing.assert_array_equal(state.snapshot(np.array([0]), now=T0, make="Lada").parts_for_make, [-1])


def test_freshness_is_one_until_stale_then_halves_every_half_life():
    state = new_state(stale_after_s=900.0, half_life_s=3600.0, never_seen_floor=0.1)
    state.apply_arrays(np.array([0]), np.array([T0]))
    ages = np.array([0.0, 900.0, 900.0 + 3600.0, 900.0 + 7200.0, 1e9])
    fresh = [state.snapshot(np.array([0]), now=T0 + age).freshness[0] for age in ages]
    np.testing.assert_allclose(fresh, [1.0, 1.0, 0.5, 0.25, 0.1])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e4, 1e7), st.just(np.inf)), min_size=2, max_size=30),
    st.floats(0, 5000),
    st.floats(1, 1e5),
    st.floats(0, 1),
)
def test_freshness_is_monotone_in_age_and_within_floor_and_one(ages, stale_after, half_life, floor):
    fresh = freshness_from_age(np.sort(np.array(ages)), stale_after, half_life, floor)
    assert np.all(np.diff(fresh) <= 0)
    assert np.all((fresh >= floor) & (fresh <= 1.0))


def event_strategy() -> st.SearchStrategy[dict[str, object]]:
    maybe = st.one_of(st.none(), st.integers(0, 8))
    return st.fixed_dictionaries(
        {"shop_id": st.sampled_from([*SHOPS, "ghost"]), "ts": st.integers(0, 20).map(lambda s: T0 + 60 * s)},
        optional={
            "free_bays": maybe,
            "technicians_on_duty": maybe,
            "status": st.sampled_from([None, "open", "closed"]),
            "parts_in_stock": st.dictionaries(st.sampled_from([*MAKES, "Lada"]), maybe, max_size=3),
        },
    )


def reference_state(events: list[dict[str, object]]) -> dict[tuple[int, str], object]:
    """Per shop and field: among the events carrying it, the value at the newest ts, ties to the min."""
    best: dict[tuple[int, str], tuple[float, float]] = {}
    for e in events:
        if e["shop_id"] not in SHOPS:
            continue
        row = SHOPS.index(str(e["shop_id"]))
        fields = {k: e.get(k) for k in ("free_bays", "technicians_on_duty")}
        fields["free_bays"] = (
            None if fields["free_bays"] is None else min(int(fields["free_bays"]), BAYS[row])
        )
        fields["status"] = {None: None, "open": 1, "closed": 0}[e.get("status")]
        fields |= {m: q for m, q in (e.get("parts_in_stock") or {}).items() if m in MAKES}
        for name, value in fields.items():
            key = (float(e["ts"]), -float(value)) if value is not None else None
            if key is not None and key > best.get((row, name), (-np.inf, 0.0)):
                best[(row, name)] = key
    return {k: -v for k, (_, v) in best.items()}


@settings(max_examples=80, deadline=None)
@given(st.lists(event_strategy(), max_size=40), st.randoms(use_true_random=False), st.integers(1, 7))
def test_a_shuffled_stream_in_any_batches_gives_the_state_of_the_ordered_stream(events, random, batch):
    ordered = new_state()
    for e in sorted(events, key=lambda e: e["ts"]):
        ordered.apply_events([e])
    shuffled = list(events)
    random.shuffle(shuffled)
    state = new_state()
    counts = [state.apply_events(shuffled[i : i + batch]) for i in range(0, len(shuffled), batch)]
    assert_same_state(ordered, state)
    assert sum(c.applied + c.stale_ignored + c.unknown_shop + c.invalid for c in counts) == len(events)
    for (row, name), value in reference_state(events).items():
        held = {"free_bays": state.free_bays_, "technicians_on_duty": state.technicians_on_duty_}.get(name)
        if name == "status":
            assert state.is_open_[row] == bool(value)
        elif held is not None:
            assert held[row] == value
        else:
            assert state.parts_[row, MAKES.index(name)] == value


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 300))
def test_apply_arrays_and_apply_events_agree_on_the_same_stream(seed, n):
    rng = np.random.default_rng(seed)
    rows, ts = rng.integers(0, 4, n), T0 + rng.integers(0, 50, n) * 30.0
    free, techs, status = rng.integers(-1, 9, n), rng.integers(-1, 6, n), rng.integers(-1, 2, n)
    events = [
        {
            "shop_id": SHOPS[r],
            "ts": iso(t),
            "free_bays": None if f < 0 else int(f),
            "technicians_on_duty": None if h < 0 else int(h),
            "status": [None, "closed", "open"][o + 1],
        }
        for r, t, f, h, o in zip(rows, ts, free, techs, status, strict=True)
    ]
    by_events, by_arrays = new_state(), new_state()
    assert by_events.apply_events(events) == by_arrays.apply_arrays(rows, ts, free, techs, status)
    assert_same_state(by_events, by_arrays)


def test_apply_arrays_counts_values_below_minus_one_as_invalid():
    state = new_state()
    result = state.apply_arrays(np.array([0, 1]), np.array([T0, np.nan]), free_bays=np.array([-5, 1]))
    assert result.invalid == 2 and state.free_bays_[0] == 4


def test_within_one_batch_the_latest_event_of_a_shop_wins():
    state = new_state()
    state.apply_arrays(np.array([2, 2, 2]), np.array([T0 + 2, T0 + 9, T0 + 5]), free_bays=np.array([1, 3, 5]))
    assert state.free_bays_[2] == 3 and state.last_update_ts_[2] == T0 + 9


def test_the_wait_is_zero_with_a_free_bay_and_queued_cycles_over_bays_otherwise():
    state = new_state()
    state.apply_arrays(
        np.arange(3), np.full(3, T0), free_bays=np.array([1, 0, 0]), is_open=np.array([1, 1, 0])
    )
    snap = state.snapshot(np.arange(4), now=T0)
    wait = expected_wait_days(snap, mean_cycle_days=3.0, queue_len=np.array([0, 3, 1, 0]), prior_days=0.0)
    # s3 has no bays and was never heard from: an infinite live wait, trusted at the floor.
    np.testing.assert_allclose(wait, [0.0, 3.0 * 4 / 2, 3.0 * 2 / 6, np.inf])


def test_a_stale_wait_blends_toward_the_prior_in_proportion_to_lost_freshness():
    state = new_state(stale_after_s=0.0, half_life_s=100.0)
    state.apply_arrays(np.array([1]), np.array([T0]), free_bays=np.array([0]))
    snap = state.snapshot(np.array([1]), now=T0 + 100.0)
    wait = expected_wait_days(snap, mean_cycle_days=4.0, prior_days=1.0)
    np.testing.assert_allclose(wait, [0.5 * 4.0 / 2 + 0.5 * 1.0])


def test_hard_filters_trust_only_fresh_reports_unless_asked():
    state = new_state()
    state.apply_arrays(
        np.array([0, 1]), np.array([T0, T0 - 7200]), free_bays=np.array([0, 0]), is_open=np.array([0, 0])
    )
    snap = state.snapshot(np.array([0, 1, 2]), now=T0)
    np.testing.assert_array_equal(is_full(snap), [True, False, False])
    np.testing.assert_array_equal(is_closed(snap), [True, False, False])
    np.testing.assert_array_equal(is_full(snap, include_stale=True), [True, True, False])


def test_a_saved_state_restores_exactly_through_npz():
    rng = np.random.default_rng(3)
    state = new_state()
    state.apply_arrays(rng.integers(0, 4, 50), T0 + rng.random(50) * 1e4, rng.integers(-1, 7, 50))
    state.apply_events([{"shop_id": "s2", "ts": T0, "parts_in_stock": {"Honda": 3}}])
    buffer = io.BytesIO()
    np.savez(buffer, **state.to_arrays())
    buffer.seek(0)
    restored = CapacityState.from_arrays(dict(np.load(buffer)))
    assert_same_state(state, restored)
    assert restored.shop_ids == SHOPS and restored.makes == MAKES


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bays": np.array([1, 2])}, "bays must be integers of shape"),
        ({"technicians": np.array([1.0, 2.0, 3.0, 4.0])}, "technicians must be integers"),
        ({"bays": np.array([1, -2, 3, 4])}, "bays must be >= 0"),
        ({"shop_ids": ["a", "a", "b", "c"]}, "must not contain duplicates"),
        ({"half_life_s": -1.0}, "half_life_s must be a finite number > 0"),
        ({"stale_after_s": float("nan")}, "stale_after_s must be"),
        ({"never_seen_floor": 1.5}, "never_seen_floor must lie in"),
        ({"max_clock_skew_s": -1.0}, "max_clock_skew_s must be"),
        ({"parts_stock": np.zeros((4, 3), dtype=int)}, "parts_stock must be integers of shape"),
    ],
)
def test_invalid_construction_is_refused_with_a_reason(kwargs, message):
    args = {"shop_ids": SHOPS, "bays": BAYS, "technicians": TECHS, "makes": MAKES} | kwargs
    with pytest.raises(InvalidInputError, match=message):
        CapacityState(**args)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.apply_arrays(np.array([0, 1]), np.array([T0])), r"ts must have shape \(2,\)"),
        (
            lambda s: s.apply_arrays(np.array([0]), np.array([T0]), free_bays=np.array([1, 2])),
            "free_bays must be",
        ),
        (lambda s: s.apply_arrays(np.array([4]), np.array([T0])), r"rows must lie in \[0, 4\)"),
        (lambda s: s.snapshot(np.array([0.5]), now=T0), "rows must be a 1-D integer array"),
        (lambda s: expected_wait_days(s.snapshot(np.array([0]), T0), 0.0), "mean_cycle_days must be"),
        (lambda s: CapacityState.from_arrays({"bays": BAYS}), "lacks the arrays"),
    ],
)
def test_invalid_calls_are_refused_with_a_reason(call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(new_state())
