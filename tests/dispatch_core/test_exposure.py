"""ExposureTracker: lazily decayed offer shares, the fairness adjustment and the new-shop budget."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_core.errors import InvalidInputError
from dispatch_core.exposure import FLOOD_ADJUSTMENT, ExposureTracker

N = 10
ALL = np.arange(N)


def new_tracker(**kwargs: object) -> ExposureTracker:
    args: dict[str, object] = {
        "n_shops": N,
        "capacity_share": np.ones(N),
        "monthly_target": np.full(N, 30),
        "is_new": ALL >= 8,
    } | kwargs
    return ExposureTracker(**args)  # type: ignore[arg-type]


def brute_force_counts(rows: np.ndarray, weights: np.ndarray, half_life: float) -> np.ndarray:
    """Decay applied offer by offer: every recorded offer multiplies all earlier ones by 2**(-1/half_life)."""
    counts = np.zeros(N)
    for row, weight in zip(rows, weights, strict=True):
        counts *= 2.0 ** (-1.0 / half_life)
        counts[row] += weight
    return counts


@pytest.mark.parametrize("half_life", [1.0, 3.0, 50.0, 5000.0])
def test_lazy_decay_matches_decaying_every_count_at_every_offer(half_life):
    rng = np.random.default_rng(0)
    rows, weights = rng.integers(0, N, 3000), rng.random(3000)
    tracker = new_tracker(half_life_offers=half_life)
    for chunk in np.array_split(np.arange(3000), 7):
        tracker.record_offers(rows[chunk], weights[chunk])
    expected = brute_force_counts(rows, weights, half_life)
    np.testing.assert_allclose(tracker.offer_counts(ALL), expected, rtol=1e-9, atol=1e-300)
    assert tracker.total_offers() == pytest.approx(expected.sum(), rel=1e-9)


def test_a_never_offered_shop_gets_a_positive_adjustment_and_a_flooded_one_a_negative_one():
    rng = np.random.default_rng(1)
    tracker = new_tracker()
    tracker.record_offers(np.concatenate([rng.integers(1, N, 2000), np.full(2000, 1)]))
    adjustment = tracker.exposure_adjustment(np.array([0, 1]))
    assert adjustment[0] > 0.9
    assert tracker.share(np.array([1]))[0] > 2 * tracker.expected_share(np.array([1]))[0]
    assert adjustment[1] < -FLOOD_ADJUSTMENT


def test_a_shop_at_its_expected_share_is_at_parity():
    # Shuffled, so that decay does not favour the shops whose offers came last.
    offers = np.random.default_rng(6).permutation(np.repeat(ALL, np.arange(1, N + 1) * 100))
    tracker = new_tracker(capacity_share=np.arange(1.0, N + 1)).record_offers(offers)
    np.testing.assert_allclose(tracker.exposure_adjustment(ALL), 0.0, atol=0.05)


def test_before_any_offer_every_shop_is_at_parity_and_has_no_share():
    tracker = new_tracker()
    np.testing.assert_array_equal(tracker.exposure_adjustment(ALL), 0.0)
    np.testing.assert_array_equal(tracker.share(ALL), 0.0)


def test_the_adjustment_reaches_the_flood_level_at_the_flood_ratio():
    tracker = new_tracker(prior_offers=1e-9, flood_ratio=3.0)
    tracker.record_offers(np.concatenate([np.full(300, 0), np.full(100, 1), np.repeat(np.arange(2, N), 50)]))
    ratio = tracker.share(np.array([0]))[0] / tracker.expected_share(np.array([0]))[0]
    assert tracker.exposure_adjustment(np.array([0]))[0] == pytest.approx(
        -np.tanh(np.arctanh(0.9) * np.log(ratio) / np.log(3.0))
    )


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 400), st.floats(1.0, 1e4))
def test_shares_sum_to_at_most_one_and_the_adjustment_falls_as_the_share_grows(seed, n_offers, half_life):
    rng = np.random.default_rng(seed)
    tracker = new_tracker(half_life_offers=half_life)
    tracker.record_offers(rng.integers(0, N, n_offers), rng.random(n_offers) + 0.01)
    share, adjustment = tracker.share(ALL), tracker.exposure_adjustment(ALL)
    assert np.all((share >= 0) & (share <= 1)) and share.sum() <= 1 + 1e-9
    order = np.argsort(share, kind="stable")
    assert np.all(np.diff(adjustment[order]) <= 1e-12)
    assert np.all(np.abs(adjustment) <= 1)


def test_recording_in_one_batch_equals_recording_one_by_one():
    rows = np.random.default_rng(2).integers(0, N, 500)
    batch, single = new_tracker(half_life_offers=20.0), new_tracker(half_life_offers=20.0)
    batch.record_offers(rows)
    for row in rows:
        single.record_offers(np.array([row]))
    np.testing.assert_allclose(batch.offer_counts(ALL), single.offer_counts(ALL), rtol=1e-9)


@pytest.mark.parametrize(("budget", "n_slots"), [(0.15, 3), (0.15, 10), (0.4, 5), (0.05, 1)])
def test_the_exploration_allowance_respects_the_budget_over_a_long_run(budget, n_slots):
    rng = np.random.default_rng(4)
    tracker = new_tracker(new_shop_budget=budget, half_life_offers=500.0)
    new_offers = 0
    for _ in range(4000):
        k = tracker.exploration_allowed(n_slots)
        assert k <= np.ceil(budget * n_slots)
        slate = np.concatenate([rng.integers(8, N, k), rng.integers(0, 8, n_slots - k)])
        tracker.record_offers(slate)
        new_offers += k
    assert new_offers / (4000 * n_slots) <= budget + 1e-3
    assert new_offers / (4000 * n_slots) >= budget - 0.05  # the budget is used, not hoarded


def test_no_exploration_without_new_shops_or_budget():
    assert new_tracker(is_new=np.zeros(N, dtype=bool)).exploration_allowed(5) == 0
    assert new_tracker(new_shop_budget=0.0).record_offers(ALL).exploration_allowed(5) == 0


def test_new_shops_picked_organically_use_up_the_budget():
    tracker = new_tracker(new_shop_budget=0.2).record_offers(np.full(100, 9))
    assert tracker.exploration_allowed(5) == 0


def test_target_progress_is_assigned_over_the_prorated_target():
    tracker = new_tracker(monthly_target=np.array([30, 30, 0, *[10] * 7]))
    tracker.record_assignments(np.array([0, 0, 0, 0, 0, 1, 2]))
    np.testing.assert_allclose(tracker.target_progress(np.array([0, 1, 2]), 10, 30), [0.5, 0.1, 1.0])
    np.testing.assert_array_equal(tracker.reset_month().assigned_, 0)


def test_a_saved_tracker_restores_and_then_behaves_identically():
    rng = np.random.default_rng(5)
    tracker = new_tracker(half_life_offers=7.0).record_offers(rng.integers(0, N, 900)).record_assignments(ALL)
    restored = ExposureTracker.from_arrays(tracker.to_arrays())
    more = rng.integers(0, N, 50)
    tracker.record_offers(more)
    restored.record_offers(more)
    np.testing.assert_allclose(restored.exposure_adjustment(ALL), tracker.exposure_adjustment(ALL), rtol=1e-9)
    assert restored.exploration_allowed(4) == tracker.exploration_allowed(4)
    np.testing.assert_array_equal(restored.assigned_, tracker.assigned_)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capacity_share": np.ones(N - 1)}, r"capacity_share must have shape \(10,\)"),
        ({"monthly_target": np.ones(N + 1, dtype=int)}, "monthly_target must have shape"),
        ({"is_new": np.zeros(3, dtype=bool)}, "is_new must have shape"),
        ({"is_new": np.zeros(N)}, "is_new must hold bool values"),
        ({"capacity_share": np.zeros(N)}, "positive sum"),
        ({"capacity_share": np.full(N, -1.0)}, "capacity_share must be finite and >= 0"),
        ({"monthly_target": np.full(N, -1)}, "monthly_target must be >= 0"),
        ({"half_life_offers": -5.0}, "half_life_offers must be a finite number >= 1"),
        ({"new_shop_budget": 1.5}, r"new_shop_budget must lie in \[0, 1\]"),
        ({"new_shop_budget": -0.1}, r"new_shop_budget must lie in \[0, 1\]"),
        ({"flood_ratio": 1.0}, "flood_ratio must be a finite number > 1"),
        ({"prior_offers": 0.0}, "prior_offers must be"),
        ({"n_shops": 0, "capacity_share": np.ones(0)}, "n_shops must be >= 1"),
    ],
)
def test_invalid_construction_is_refused_with_a_reason(kwargs, message):
    with pytest.raises(InvalidInputError, match=message):
        new_tracker(**kwargs)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: t.record_offers(np.array([0, 1]), np.array([1.0])), "weights must be finite"),
        (lambda t: t.record_offers(np.array([0]), np.array([-1.0])), "weights must be finite"),
        (lambda t: t.record_offers(np.array([N])), r"rows must lie in \[0, 10\)"),
        (lambda t: t.share(np.array([[0]])), "rows must be a 1-D integer array"),
        (lambda t: t.target_progress(ALL, 0, 30), "day_of_month must lie in"),
        (lambda t: t.target_progress(ALL, 3, 40), "days_in_month must lie in"),
        (lambda t: t.exploration_allowed(-1), "n_slots must be >= 0"),
        (lambda t: ExposureTracker.from_arrays({}), "lacks the arrays"),
    ],
)
def test_invalid_calls_are_refused_with_a_reason(call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(new_tracker())
