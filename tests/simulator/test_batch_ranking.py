"""dispatch_core.batch: ranking a batch of claims gives, claim by claim, what Dispatcher.rank gives."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch_core.batch import RequestBatch, rank_batch
from dispatch_core.domain import PRIORITIES, Candidates, ClaimRequest
from dispatch_core.errors import InvalidInputError, NoCandidatesError
from dispatch_core.strategy import Strategy
from tests.dispatch_core.shops import MAKES, NOW, make_dispatcher, synthetic_shops

STRATEGIES = {
    "greedy@v1": Strategy(name="greedy", version=1, temperature=0.0),
    "random@v1": Strategy(name="random", version=1, temperature=0.1, pool_size=8),
}


@pytest.fixture(scope="module")
def dispatcher():  # type: ignore[no-untyped-def]
    """A dispatcher with live capacity, offers and outcomes behind it, so every objective matters."""
    shops = synthetic_shops(400, seed=3)
    d = make_dispatcher(shops, STRATEGIES)
    rng = np.random.default_rng(0)
    rows = rng.choice(400, 150, replace=False)
    d.capacity.apply_arrays(
        rows,
        np.full(150, NOW - 60),
        free_bays=rng.integers(0, 3, 150),
        is_open=(rng.random(150) < 0.9).astype(int),
    )
    for _ in range(300):
        d.record_outcome("greedy@v1", str(shops.columns["shop_id"][rng.integers(400)]), float(rng.random()))
    d.exposure.record_offers(rng.integers(0, 400, 500))
    return d


def random_claim(rng: np.random.Generator, shops) -> tuple[ClaimRequest, Candidates, RequestBatch]:  # type: ignore[no-untyped-def]
    """One random claim as a ClaimRequest + Candidates and as a one-claim RequestBatch."""
    k = int(rng.integers(5, 60))
    rows, dist = rng.choice(400, k, replace=False), rng.uniform(0, 40, k)
    coverage = np.where(rng.random(k) < 0.9, 1.0, 0.5)
    make, wants, caps = int(rng.integers(-1, len(MAKES))), int(rng.integers(-1, 2)), int(rng.integers(0, 64))
    priorities = np.zeros(len(PRIORITIES))
    if rng.random() < 0.6:
        priorities[rng.integers(len(PRIORITIES))] = round(float(rng.random()), 2)
    courtesy, pickup = bool(rng.random() < 0.3), bool(rng.random() < 0.2)
    deadline = float(rng.integers(2, 8)) if rng.random() < 0.3 else np.nan
    max_km = float(rng.uniform(5, 60)) if rng.random() < 0.3 else np.nan
    excluded = rng.random(k) < 0.1
    request = ClaimRequest(
        now=NOW,
        make=MAKES[make] if make >= 0 else None,
        needed_capabilities=caps,
        wants_authorized=None if wants < 0 else bool(wants),
        max_distance_km=None if np.isnan(max_km) else max_km,
        priorities={p: float(w) for p, w in zip(PRIORITIES, priorities, strict=True) if w > 0},
        needs_courtesy_car=courtesy,
        needs_pickup=pickup,
        deadline_days=None if np.isnan(deadline) else int(deadline),
        excluded_shop_ids=frozenset(shops.columns["shop_id"][rows[excluded]].tolist()),
    )
    batch = RequestBatch(
        now=NOW,
        rows=rows[None].astype(np.int64),
        distance_km=dist[None],
        coverage=coverage[None],
        make=np.array([make]),
        needed_capabilities=np.array([caps]),
        wants_authorized=np.array([wants]),
        max_distance_km=np.array([max_km]),
        priorities=priorities[None],
        needs_courtesy_car=np.array([courtesy]),
        needs_pickup=np.array([pickup]),
        deadline_days=np.array([deadline]),
        excluded=excluded[None],
    )
    return request, Candidates(rows.astype(np.int64), dist, coverage), batch


@pytest.mark.parametrize("seed", range(8))
def test_a_batch_of_one_claim_gets_the_slate_dispatcher_rank_gives(dispatcher, seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        request, candidates, batch = random_claim(rng, dispatcher.shops)
        k = int(rng.integers(1, 5))
        try:
            decision = dispatcher.rank(request, candidates, k=k, strategy="greedy@v1", record=False)
            want = [(r.row, r.exploration, round(r.expected_wait_days, 9)) for r in decision.recommendations]
        except NoCandidatesError:
            want = []
        got = rank_batch(dispatcher, batch, k=k, strategy="greedy@v1", record=False)
        filled = got.rows[0] >= 0
        slate = zip(
            got.rows[0][filled], got.exploration[0][filled], got.expected_wait_days[0][filled], strict=True
        )
        assert [(int(r), bool(e), round(float(w), 9)) for r, e, w in slate] == want
        assert list(batch.rows[0][got.positions[0][filled]]) == list(got.rows[0][filled])
        assert got.empty[0] == (not want)


def test_first_choice_probabilities_are_the_rank_one_propensities_and_sum_to_one(dispatcher):
    rng = np.random.default_rng(42)
    for trial in range(40):
        request, candidates, batch = random_claim(rng, dispatcher.shops)
        try:
            decision = dispatcher.rank(request, candidates, k=3, strategy="random@v1", record=False)
        except NoCandidatesError:
            continue
        got = rank_batch(
            dispatcher, batch, k=3, strategy="random@v1", record=False, rng=np.random.default_rng(trial)
        )
        first = dict(zip(batch.rows[0].tolist(), got.first_choice[0].tolist(), strict=True))
        assert first[decision.recommendations[0].row] == pytest.approx(decision.recommendations[0].propensity)
        assert got.first_choice[0].sum() == pytest.approx(1.0)
        assert first[int(got.rows[0, 0])] == pytest.approx(got.propensities[0, 0])


def test_batched_draws_follow_their_logged_propensities(dispatcher):
    rng = np.random.default_rng(5)
    _, _, one = random_claim(rng, dispatcher.shops)
    n = 3000
    batch = RequestBatch(
        **{name: value if name == "now" else np.repeat(value, n, axis=0) for name, value in vars(one).items()}
    )
    got = rank_batch(dispatcher, batch, k=1, strategy="random@v1", record=False, rng=rng)
    if got.empty[0]:
        pytest.skip("this random claim has no servable candidate")
    drawn = np.bincount(got.positions[:, 0], minlength=batch.rows.shape[1]) / n
    assert np.abs(drawn - got.first_choice[0]).max() < 0.04


def test_recording_a_batch_counts_one_offer_per_shown_shop(dispatcher):
    rng = np.random.default_rng(11)
    _, _, batch = random_claim(rng, dispatcher.shops)
    before = dispatcher.exposure.offers_seen_
    got = rank_batch(dispatcher, batch, k=3, strategy="greedy@v1", record=True)
    assert dispatcher.exposure.offers_seen_ - before == int((got.rows >= 0).sum())


def test_a_batch_with_mismatched_shapes_is_refused_with_the_field_named():
    rows = np.zeros((2, 3), dtype=np.int64)
    with pytest.raises(InvalidInputError, match="distance_km must have shape"):
        RequestBatch(
            now=NOW,
            rows=rows,
            distance_km=np.zeros((2, 4)),
            coverage=np.ones((2, 3)),
            make=np.zeros(2, dtype=np.int64),
            needed_capabilities=np.zeros(2, dtype=np.int64),
            wants_authorized=np.full(2, -1),
            max_distance_km=np.full(2, np.nan),
            priorities=np.zeros((2, 4)),
            needs_courtesy_car=np.zeros(2, dtype=bool),
            needs_pickup=np.zeros(2, dtype=bool),
            deadline_days=np.full(2, np.nan),
            excluded=np.zeros((2, 3), dtype=bool),
        )
