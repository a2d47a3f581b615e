"""Thompson policies: posterior means against closed forms and mabwiser's learned state.

mabwiser 2.7.4's ``predict_expectations`` for ThompsonSampling and LinTS returns random draws,
so the deterministic comparison is on posterior means: Beta means from mabwiser's success and
failure counts, and LinTS means against the ridge prediction of ``LinGreedy(epsilon=0)``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mabwiser.mab import MAB, LearningPolicy

from dispatch_core.errors import InvalidInputError
from dispatch_core.policies import LinearThompson, ThompsonSampling

ARMS = [f"shop-{i}" for i in range(5)]
D = 3


def binary_stream(seed: int, n: int, fractional: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    decisions = np.array(ARMS[:-1])[rng.integers(0, len(ARMS) - 1, n)]
    rewards = rng.random(n) if fractional else (rng.random(n) < 0.3).astype(float)
    return decisions, rewards


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("fractional", [False, True])
def test_beta_posterior_means_match_closed_form_and_mabwiser_counts(seed, fractional):
    decisions, rewards = binary_stream(seed, 300, fractional)
    ours = (
        ThompsonSampling(ARMS).fit(decisions[:200], rewards[:200]).partial_fit(decisions[200:], rewards[200:])
    )
    successes = np.array([rewards[decisions == arm].sum() for arm in ARMS])
    trials = np.array([(decisions == arm).sum() for arm in ARMS])
    np.testing.assert_allclose(ours.expectations(ARMS), (1 + successes) / (2 + trials), atol=1e-12)
    if fractional:
        return  # mabwiser refuses non-binary rewards unless given a binarizer
    mab = MAB(ARMS, LearningPolicy.ThompsonSampling(), seed=seed)
    mab.fit(decisions[:200], rewards[:200])
    mab.partial_fit(decisions[200:], rewards[200:])
    alpha = np.array([mab._imp.arm_to_success_count[arm] for arm in ARMS])
    beta = np.array([mab._imp.arm_to_fail_count[arm] for arm in ARMS])
    np.testing.assert_allclose(ours.expectations(ARMS), alpha / (alpha + beta), atol=1e-12)


def test_mabwiser_draws_average_to_our_posterior_mean():
    decisions, rewards = binary_stream(9, 200, fractional=False)
    mab = MAB(ARMS, LearningPolicy.ThompsonSampling(), seed=3)
    mab.fit(decisions, rewards)
    draws = np.array([[row[arm] for arm in ARMS] for row in mab.predict_expectations(np.zeros((4000, 1)))])
    ours = ThompsonSampling(ARMS).fit(decisions, rewards)
    # Beta variance <= 1/12, so 4000 draws give a standard error below 0.005.
    np.testing.assert_allclose(draws.mean(axis=0), ours.expectations(ARMS), atol=0.025)


def test_our_draws_follow_the_beta_posterior():
    ours = ThompsonSampling(ARMS, prior_alpha=2.0, prior_beta=5.0).fit(*binary_stream(1, 150, False))
    draws = ours.score(ARMS, contexts=np.zeros((5000, 1)), rng=np.random.default_rng(0))
    assert draws.shape == (5000, len(ARMS))
    np.testing.assert_allclose(draws.mean(axis=0), ours.expectations(ARMS), atol=0.02)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 40))
def test_the_same_seed_gives_the_same_scores(seed, n):
    decisions, rewards = binary_stream(seed % 1000, n, fractional=True)
    contexts = np.random.default_rng(seed).normal(size=(n, D))
    for policy in (ThompsonSampling(ARMS), LinearThompson(ARMS, n_features=D)):
        given_contexts = None if isinstance(policy, ThompsonSampling) else contexts
        policy.fit(decisions, rewards, given_contexts)
        queries = None if given_contexts is None else contexts[:3] if n >= 3 else np.ones((2, D))
        first = policy.score(ARMS, queries, rng=np.random.default_rng(seed))
        assert np.array_equal(first, policy.score(ARMS, queries, rng=np.random.default_rng(seed)))


def linear_stream(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    decisions = np.array(ARMS)[rng.integers(0, len(ARMS), n)]
    contexts = rng.normal(size=(n, D))
    return decisions, contexts @ rng.normal(size=D) + rng.normal(0, 0.2, n), contexts


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("l2_lambda", [1.0, 0.4, 2.0])
def test_linear_thompson_means_match_mabwiser_ridge_predictions(seed, l2_lambda):
    decisions, rewards, contexts = linear_stream(seed, 250)
    queries = contexts[:6]
    greedy = MAB(ARMS, LearningPolicy.LinGreedy(epsilon=0.0, l2_lambda=l2_lambda), seed=seed)
    lints = MAB(ARMS, LearningPolicy.LinTS(alpha=1.0, l2_lambda=l2_lambda), seed=seed)
    for mab in (greedy, lints):
        mab.fit(decisions[:150], rewards[:150], contexts[:150])
        mab.partial_fit(decisions[150:], rewards[150:], contexts[150:])
    ours = LinearThompson(ARMS, n_features=D, l2_lambda=l2_lambda).fit(decisions, rewards, contexts)
    expected = np.array([[row[arm] for arm in ARMS] for row in greedy.predict_expectations(queries)])
    np.testing.assert_allclose(ours.expectations(ARMS, queries), expected, atol=1e-9)
    lints_means = np.stack([queries @ lints._imp.arm_to_model[arm].beta for arm in ARMS], axis=1)
    np.testing.assert_allclose(ours.expectations(ARMS, queries), lints_means, atol=1e-9)


def test_linear_thompson_draws_have_the_closed_form_mean_and_variance():
    decisions, rewards, contexts = linear_stream(5, 200)
    ours = LinearThompson(ARMS, n_features=D, alpha=0.5, l2_lambda=2.0).fit(decisions, rewards, contexts)
    query = np.repeat(contexts[:1], 20000, axis=0)
    draws = ours.score(ARMS, query, rng=np.random.default_rng(1))
    x = contexts[0]
    for column, arm in enumerate(ARMS):
        mask = decisions == arm
        precision = contexts[mask].T @ contexts[mask] + 2.0 * np.eye(D)
        mean = x @ np.linalg.solve(precision, contexts[mask].T @ rewards[mask])
        variance = 0.25 * x @ np.linalg.solve(precision, x)
        assert abs(draws[:, column].mean() - mean) < 5 * np.sqrt(variance / 20000)
        assert abs(draws[:, column].var() / variance - 1) < 0.05


INVALID_CALLS = [
    (lambda: ThompsonSampling(ARMS, prior_alpha=0.0), "prior_alpha"),
    (lambda: ThompsonSampling(ARMS, prior_beta=-1.0), "prior_beta"),
    (lambda: ThompsonSampling(ARMS).fit(["shop-0"], [1.5]), r"\[0.0, 1.0\]"),
    (lambda: ThompsonSampling(ARMS).fit(["shop-0"], [-0.5]), r"\[0.0, 1.0\]"),
    (lambda: ThompsonSampling(ARMS).fit(["shop-0"], [np.nan]), "NaN"),
    (lambda: ThompsonSampling(ARMS).score(ARMS), "Generator"),
    (lambda: ThompsonSampling(ARMS).score(ARMS, rng=42), "Generator"),
    (lambda: LinearThompson(ARMS, n_features=D).score(ARMS, np.ones((1, D))), "Generator"),
    (lambda: LinearThompson(ARMS, n_features=D, alpha=-1.0), "alpha"),
]


@pytest.mark.parametrize(("call", "message"), INVALID_CALLS)
def test_invalid_input_raises_invalid_input_error_with_a_message(call, message):
    with pytest.raises(InvalidInputError, match=message):
        call()
