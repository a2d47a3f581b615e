"""LinUCB against mabwiser 2.7.4's ``LearningPolicy.LinUCB``, plus its input checks."""

import numpy as np
import pytest
from mabwiser.mab import MAB, LearningPolicy

from dispatch_core.errors import InvalidInputError
from dispatch_core.policies import LinUCB

ARMS = [f"shop-{i}" for i in range(6)]
D = 4


def mabwiser_matrix(mab: MAB, contexts: np.ndarray, arms: list[str]) -> np.ndarray:
    expectations = mab.predict_expectations(contexts)
    rows = [expectations] if isinstance(expectations, dict) else expectations
    return np.array([[row[arm] for arm in arms] for row in rows])


def random_stream(seed: int, n: int, trained: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    decisions = np.array(trained)[rng.integers(0, len(trained), n)]
    contexts = rng.normal(size=(n, D))
    rewards = contexts @ rng.normal(size=D) + rng.normal(0, 0.1, n)
    return decisions, rewards, contexts


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize(("alpha", "l2_lambda"), [(1.0, 1.0), (0.25, 1.0), (2.0, 0.5), (0.0, 3.0)])
def test_expectations_match_mabwiser_after_fit_and_partial_fits(seed, alpha, l2_lambda):
    # Arms with no data are compared only when l2_lambda == 1: mabwiser initialises their
    # A^-1 to l2_lambda * I, not (l2_lambda * I)^-1 (see LinUCB's docstring).
    trained = ARMS[:-2]
    compared = ARMS if l2_lambda == 1.0 else trained
    decisions, rewards, contexts = random_stream(seed, 300, trained)
    queries = np.random.default_rng(seed + 100).normal(size=(5, D))
    mab = MAB(ARMS, LearningPolicy.LinUCB(alpha=alpha, l2_lambda=l2_lambda), seed=seed)
    ours = LinUCB(ARMS, n_features=D, alpha=alpha, l2_lambda=l2_lambda)
    mab.fit(decisions[:100], rewards[:100], contexts[:100])
    ours.fit(decisions[:100], rewards[:100], contexts[:100])
    for start in [100, 180, 250]:
        mab.partial_fit(
            decisions[start : start + 70], rewards[start : start + 70], contexts[start : start + 70]
        )
        ours.partial_fit(
            decisions[start : start + 70], rewards[start : start + 70], contexts[start : start + 70]
        )
        np.testing.assert_allclose(
            ours.expectations(compared, queries), mabwiser_matrix(mab, queries, compared), rtol=0, atol=1e-9
        )


def test_a_single_context_row_matches_mabwiser_too():
    decisions, rewards, contexts = random_stream(11, 80, ARMS)
    mab = MAB(ARMS, LearningPolicy.LinUCB(alpha=1.5), seed=0)
    mab.fit(decisions, rewards, contexts)
    ours = LinUCB(ARMS, n_features=D, alpha=1.5).fit(decisions, rewards, contexts)
    query = contexts[:1]
    np.testing.assert_allclose(ours.expectations(ARMS, query), mabwiser_matrix(mab, query, ARMS), atol=1e-9)
    assert np.array_equal(ours.score(ARMS, query), ours.expectations(ARMS, query))


def test_coefficients_solve_the_ridge_normal_equations():
    decisions, rewards, contexts = random_stream(2, 120, ARMS)
    ours = LinUCB(ARMS, n_features=D, l2_lambda=0.7).fit(decisions, rewards, contexts)
    for arm in ARMS:
        x, y = contexts[decisions == arm], rewards[decisions == arm]
        expected = np.linalg.solve(x.T @ x + 0.7 * np.eye(D), x.T @ y)
        np.testing.assert_allclose(ours.coef_[ours.arm_to_row_[arm]], expected, atol=1e-10)


def test_warm_start_and_added_arms_match_mabwiser():
    decisions, rewards, contexts = random_stream(4, 200, ARMS[:3])
    features = {arm: np.random.default_rng(i).random(3) for i, arm in enumerate(ARMS)}
    mab = MAB(ARMS, LearningPolicy.LinUCB(alpha=0.5), seed=0)
    ours = LinUCB(ARMS, n_features=D, alpha=0.5)
    mab.fit(decisions, rewards, contexts)
    ours.fit(decisions, rewards, contexts)
    mab.warm_start({arm: list(v) for arm, v in features.items()}, distance_quantile=0.8)
    ours.warm_start(features, distance_quantile=0.8)
    mab.add_arm("late")
    ours.add_arm("late")
    arms = [*ARMS, "late"]
    queries = contexts[:4]
    np.testing.assert_allclose(
        ours.expectations(arms, queries), mabwiser_matrix(mab, queries, arms), atol=1e-9
    )


INVALID_CALLS = [
    (lambda: LinUCB(ARMS, n_features=0), "n_features"),
    (lambda: LinUCB(ARMS, n_features=D, alpha=-1.0), "alpha"),
    (lambda: LinUCB(ARMS, n_features=D, l2_lambda=0.0), "l2_lambda"),
    (lambda: LinUCB(ARMS, n_features=D).fit(["shop-0"], [1.0]), "needs contexts"),
    (lambda: LinUCB(ARMS, n_features=D).fit(["shop-0"], [1.0], np.ones((1, D + 1))), "shape"),
    (lambda: LinUCB(ARMS, n_features=D).fit(["shop-0"], [1.0], np.ones((2, D))), "shape"),
    (lambda: LinUCB(ARMS, n_features=D).fit(["shop-0"], [1.0], np.ones(D)), "2-D"),
    (lambda: LinUCB(ARMS, n_features=D).fit(["shop-0"], [1.0], np.full((1, D), np.nan)), "NaN"),
    (lambda: LinUCB(ARMS, n_features=D).fit(["shop-0"], [np.nan], np.ones((1, D))), "NaN"),
    (lambda: LinUCB(ARMS, n_features=D).expectations(ARMS), "needs contexts"),
]


@pytest.mark.parametrize(("call", "message"), INVALID_CALLS)
def test_invalid_input_raises_invalid_input_error_with_a_message(call, message):
    with pytest.raises(InvalidInputError, match=message):
        call()
