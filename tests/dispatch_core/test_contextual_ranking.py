"""Contextual policies (LinUCB, linear Thompson) inside per-request ranking."""

from __future__ import annotations

import numpy as np
import pytest

from dispatch_core.domain import ClaimRequest
from dispatch_core.errors import InvalidInputError
from dispatch_core.learning import N_CONTEXT
from dispatch_core.policies import LinearThompson, LinUCB
from dispatch_core.strategy import Strategy, load_strategy
from tests.dispatch_core.shops import NOW, candidates, make_dispatcher, synthetic_shops

SHOPS = synthetic_shops()


def _strategy(policy: str, **extra: object) -> dict[str, Strategy]:
    return {"ctx@v1": Strategy(name="ctx", version=1, policy=policy, policy_params={"alpha": 0.3}, **extra)}


@pytest.mark.parametrize("policy", ["linucb", "linear_thompson"])
def test_a_contextual_strategy_ranks_and_hands_out_its_contexts(policy: str) -> None:
    dispatcher = make_dispatcher(SHOPS, _strategy(policy))
    decision = dispatcher.rank(
        ClaimRequest(now=NOW, make="BMW"), candidates(len(SHOPS)), k=3, rng=np.random.default_rng(0)
    )
    assert len(decision.recommendations) == 3
    for rec in decision.recommendations:
        assert len(rec.context) == N_CONTEXT and rec.context[0] == 1.0
        assert all(0.0 <= x <= 1.0 for x in rec.context)
        assert rec.score == pytest.approx(sum(f.contribution for f in rec.factors), abs=1e-9)


def test_contextual_outcomes_move_the_ranking() -> None:
    strategies = _strategy("linucb", temperature=0.0, objective_weights={"exploration": 1.0})
    dispatcher = make_dispatcher(SHOPS, strategies)
    cands, request = candidates(len(SHOPS)), ClaimRequest(now=NOW)
    top = dispatcher.rank(request, cands, k=1, record=False).recommendations[0]
    for _ in range(30):
        dispatcher.record_outcome("ctx@v1", top.shop_id, 0.0, top.context)
    assert dispatcher.rank(request, cands, k=1, record=False).recommendations[0].shop_id != top.shop_id


def test_a_contextual_outcome_without_its_context_is_refused() -> None:
    dispatcher = make_dispatcher(SHOPS, _strategy("linucb"))
    with pytest.raises(InvalidInputError, match="context"):
        dispatcher.record_outcome("ctx@v1", "T0001", 1.0)


def test_pair_scores_equal_the_diagonal_of_the_full_score_matrix() -> None:
    rng = np.random.default_rng(3)
    arms = [f"a{i}" for i in range(20)]
    policy = LinUCB(arms, n_features=4, alpha=0.7)
    x = rng.random((200, 4))
    policy.fit(rng.choice(arms, 200), rng.random(200), x)
    rows, contexts = np.arange(20), rng.random((20, 4))
    full = policy.score(arms, contexts)
    np.testing.assert_allclose(policy.score_pairs(rows, contexts), np.diag(full), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(policy.expect_pairs(rows, contexts), np.diag(contexts @ policy.coef_[:20].T))


def test_linear_thompson_pair_draws_centre_on_the_ridge_mean() -> None:
    rng = np.random.default_rng(4)
    arms = ["a", "b"]
    policy = LinearThompson(arms, n_features=2, alpha=0.5)
    policy.fit(["a"] * 50 + ["b"] * 50, np.r_[np.full(50, 0.9), np.full(50, 0.2)], rng.random((100, 2)) + 0.5)
    rows, contexts = np.zeros(4000, dtype=np.int64), np.full((4000, 2), 0.8)
    draws = policy.score_pairs(rows, contexts, rng=np.random.default_rng(5))
    assert draws.mean() == pytest.approx(policy.expect_pairs(rows[:1], contexts[:1])[0], abs=0.01)
    assert draws.std() > 0


def test_the_example_contextual_strategy_file_loads() -> None:
    strategy = load_strategy("strategies/examples/contextual.v1.toml")
    assert strategy.policy == "linucb" and strategy.key == "contextual@v1"
