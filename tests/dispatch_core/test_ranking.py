from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_core.domain import Candidates, ClaimRequest
from dispatch_core.errors import InvalidInputError, NoCandidatesError
from dispatch_core.strategy import Strategy
from tests.dispatch_core.shops import NOW, candidates, make_dispatcher, synthetic_shops

SHOPS = synthetic_shops()


def _ids(decision) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.shop_id for r in decision.recommendations]


def test_a_ranking_explains_itself_with_factors_that_add_up_to_the_score() -> None:
    decision = make_dispatcher(SHOPS).rank(
        ClaimRequest(now=NOW), candidates(len(SHOPS)), k=3, rng=np.random.default_rng(0)
    )
    assert len(decision.recommendations) == 3
    for rec in decision.recommendations:
        assert rec.score == pytest.approx(sum(f.contribution for f in rec.factors), abs=1e-9)
        assert {"distance_km", "rating", "expected_wait_days", "exploration_bonus"} <= {
            f.name for f in rec.factors
        }
        assert 0.0 < rec.propensity <= 1.0
    assert [r.rank for r in decision.recommendations] == [1, 2, 3]
    assert decision.slate_propensity == pytest.approx(
        np.prod([r.propensity for r in decision.recommendations])
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_excluded=st.integers(0, 60),
    n_closed=st.integers(0, 30),
    n_full=st.integers(0, 30),
    max_km=st.floats(1.0, 45.0),
)
def test_rejected_closed_full_or_out_of_range_shops_are_never_recommended(
    seed: int, n_excluded: int, n_closed: int, n_full: int, max_km: float
) -> None:
    dispatcher = make_dispatcher(SHOPS)
    cands = candidates(len(SHOPS), seed=seed)
    rng = np.random.default_rng(seed)
    picked = rng.permutation(cands.rows)
    excluded = picked[:n_excluded]
    closed = picked[n_excluded : n_excluded + n_closed]
    full = picked[n_excluded + n_closed : n_excluded + n_closed + n_full]
    dispatcher.capacity.apply_arrays(
        closed, np.full(len(closed), NOW - 60), is_open=np.zeros(len(closed), dtype=int)
    )
    dispatcher.capacity.apply_arrays(
        full, np.full(len(full), NOW - 60), free_bays=np.zeros(len(full), dtype=int)
    )
    request = ClaimRequest(
        now=NOW,
        max_distance_km=max_km,
        excluded_shop_ids=frozenset(SHOPS.columns["shop_id"][excluded].tolist()),
    )
    try:
        decision = dispatcher.rank(request, cands, k=3, rng=rng)
    except NoCandidatesError:
        return
    rows = {r.row for r in decision.recommendations}
    assert not rows & (set(excluded.tolist()) | set(closed.tolist()) | set(full.tolist()))
    assert all(r.distance_km <= max_km for r in decision.recommendations)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_ranking_does_not_depend_on_the_order_of_candidates(seed: int) -> None:
    dispatcher = make_dispatcher(SHOPS)
    cands = candidates(len(SHOPS), seed=seed)
    order = np.random.default_rng(seed + 1).permutation(len(cands.rows))
    shuffled = Candidates(
        rows=cands.rows[order], distance_km=cands.distance_km[order], coverage=cands.coverage[order]
    )
    request = ClaimRequest(now=NOW, priorities={"quality": 0.8})
    first = dispatcher.rank(request, cands, k=3, rng=np.random.default_rng(seed), record=False)
    second = dispatcher.rank(request, shuffled, k=3, rng=np.random.default_rng(seed), record=False)
    assert _ids(first) == _ids(second)


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_the_same_seed_gives_the_same_ranking(seed: int) -> None:
    cands, request = candidates(len(SHOPS), seed=seed), ClaimRequest(now=NOW)
    first = make_dispatcher(SHOPS).rank(request, cands, k=3, rng=np.random.default_rng(seed))
    second = make_dispatcher(SHOPS).rank(request, cands, k=3, rng=np.random.default_rng(seed))
    assert _ids(first) == _ids(second)
    assert [r.propensity for r in first.recommendations] == [r.propensity for r in second.recommendations]


def test_authorized_only_recommends_only_dealers_of_the_make() -> None:
    request = ClaimRequest(now=NOW, make="BMW", wants_authorized=True)
    decision = make_dispatcher(SHOPS).rank(
        request, candidates(len(SHOPS), n=250), k=3, rng=np.random.default_rng(2)
    )
    bmw_bit = 1 << 1
    assert all(SHOPS.columns["authorized_makes"][r.row] & bmw_bit for r in decision.recommendations)
    assert decision.filtered["not_authorized"] > 0


def test_when_every_candidate_is_excluded_the_error_says_why() -> None:
    cands = candidates(len(SHOPS), n=10)
    request = ClaimRequest(
        now=NOW, excluded_shop_ids=frozenset(SHOPS.columns["shop_id"][cands.rows].tolist())
    )
    with pytest.raises(NoCandidatesError, match="excluded"):
        make_dispatcher(SHOPS).rank(request, cands, k=3)


def test_a_deterministic_strategy_logs_propensity_one() -> None:
    strategies = {"det@v1": Strategy(name="det", version=1, temperature=0.0)}
    decision = make_dispatcher(SHOPS, strategies).rank(ClaimRequest(now=NOW), candidates(len(SHOPS)), k=3)
    assert [r.propensity for r in decision.recommendations] == [1.0, 1.0, 1.0]


def test_repeated_rejections_push_a_shop_down() -> None:
    strategies = {
        "det@v1": Strategy(name="det", version=1, temperature=0.0, objective_weights={"exploration": 1.0})
    }
    dispatcher = make_dispatcher(SHOPS, strategies)
    cands, request = candidates(len(SHOPS)), ClaimRequest(now=NOW)
    top = dispatcher.rank(request, cands, k=1, record=False).recommendations[0].shop_id
    for _ in range(30):
        dispatcher.record_outcome("det@v1", top, 0.0)
    assert dispatcher.rank(request, cands, k=1, record=False).recommendations[0].shop_id != top


def test_exploration_picks_of_new_shops_stay_within_their_budget() -> None:
    strategies = {
        "explore@v1": Strategy(
            name="explore",
            version=1,
            new_shop_budget=0.1,
            objective_weights={"customer": 0.2, "exploration": 0.8},
        )
    }
    dispatcher = make_dispatcher(SHOPS, strategies)
    shown = explored = 0
    for seed in range(60):
        decision = dispatcher.rank(
            ClaimRequest(now=NOW), candidates(len(SHOPS), seed=seed), k=3, rng=np.random.default_rng(seed)
        )
        shown += len(decision.recommendations)
        explored += sum(r.exploration and bool(SHOPS.is_new[r.row]) for r in decision.recommendations)
    assert explored <= 0.1 * shown + 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"k": 0}, InvalidInputError),
        ({"strategy": "nope@v9"}, InvalidInputError),
    ],
)
def test_bad_rank_arguments_raise_clear_errors(kwargs: dict, error: type[Exception]) -> None:
    with pytest.raises(error):
        make_dispatcher(SHOPS).rank(ClaimRequest(now=NOW), candidates(len(SHOPS)), **kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_distance_km": 0.0},
        {"deadline_days": -1},
        {"priorities": {"speed": 2.0}},
        {"priorities": {"mood": 0.5}},
    ],
)
def test_impossible_requests_are_refused(kwargs: dict) -> None:
    with pytest.raises(InvalidInputError):
        ClaimRequest(now=NOW, **kwargs)


def test_a_shop_behind_its_monthly_target_gets_more_utilization_credit() -> None:
    dispatcher = make_dispatcher(SHOPS)
    cands, request = candidates(len(SHOPS)), ClaimRequest(now=NOW)
    first = dispatcher.rank(request, cands, k=1, record=False).recommendations[0]
    before = next(f.contribution for f in first.factors if f.name == "utilization_balance")
    for _ in range(200):  # the shop meets (and passes) its pro-rated target
        dispatcher.exposure.record_assignments(np.array([first.row]))
    again = dispatcher.rank(
        request,
        Candidates(np.array([first.row]), np.array([first.distance_km]), np.ones(1)),
        k=1,
        record=False,
    ).recommendations[0]
    after = next(f.contribution for f in again.factors if f.name == "utilization_balance")
    assert after < before
