"""UCB1 against mabwiser 2.7.4's ``LearningPolicy.UCB1``, plus its input checks."""

import numpy as np
import pytest
from mabwiser.mab import MAB, LearningPolicy

from dispatch_core.errors import InvalidInputError, UnknownArmError
from dispatch_core.policies import UCB1

ARMS = [f"shop-{i}" for i in range(7)]


def mabwiser_values(mab: MAB, arms: list[str]) -> np.ndarray:
    expectations = mab.predict_expectations()
    return np.array([expectations[arm] for arm in arms])


def random_stream(seed: int, n: int, arms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    # The last two arms never get data: mabwiser (and so UCB1 here) values them at 0.
    decisions = np.array(arms[:-2])[rng.integers(0, len(arms) - 2, n)]
    return decisions, rng.normal(0.5, 1.0, n)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0, 2.5])
def test_expectations_match_mabwiser_after_fit_and_partial_fits(seed, alpha):
    decisions, rewards = random_stream(seed, 400, ARMS)
    mab = MAB(ARMS, LearningPolicy.UCB1(alpha=alpha), seed=seed)
    ours = UCB1(ARMS, alpha=alpha)
    mab.fit(decisions[:100], rewards[:100])
    ours.fit(decisions[:100], rewards[:100])
    np.testing.assert_allclose(ours.expectations(ARMS), mabwiser_values(mab, ARMS), rtol=0, atol=1e-9)
    for start in range(100, 400, 75):
        mab.partial_fit(decisions[start : start + 75], rewards[start : start + 75])
        ours.partial_fit(decisions[start : start + 75], rewards[start : start + 75])
        np.testing.assert_allclose(ours.expectations(ARMS), mabwiser_values(mab, ARMS), rtol=0, atol=1e-9)


def test_added_and_removed_arms_match_mabwiser():
    decisions, rewards = random_stream(3, 300, ARMS)
    mab = MAB(ARMS, LearningPolicy.UCB1(alpha=1.2), seed=0)
    ours = UCB1(ARMS, alpha=1.2)
    mab.fit(decisions, rewards)
    ours.fit(decisions, rewards)
    for arm in ["new-a", "new-b"]:
        mab.add_arm(arm)
        ours.add_arm(arm)
    mab.remove_arm("shop-1")
    ours.remove_arm("shop-1")
    mab.partial_fit(np.array(["new-a", "shop-0", "new-a"]), np.array([1.0, 0.0, 0.5]))
    ours.partial_fit(np.array(["new-a", "shop-0", "new-a"]), np.array([1.0, 0.0, 0.5]))
    arms = mab.arms
    np.testing.assert_allclose(ours.expectations(arms), mabwiser_values(mab, arms), rtol=0, atol=1e-9)
    assert sorted(ours.arms) == sorted(arms)


@pytest.mark.parametrize("quantile", [0.2, 0.5, 1.0])
def test_warm_start_matches_mabwiser(quantile):
    decisions, rewards = random_stream(5, 300, ARMS)
    features = {arm: np.random.default_rng(i).random(4) for i, arm in enumerate(ARMS)}
    mab = MAB(ARMS, LearningPolicy.UCB1(alpha=0.8), seed=0)
    ours = UCB1(ARMS, alpha=0.8)
    mab.fit(decisions, rewards)
    ours.fit(decisions, rewards)
    mab.warm_start({arm: list(vector) for arm, vector in features.items()}, distance_quantile=quantile)
    ours.warm_start(features, distance_quantile=quantile)
    np.testing.assert_allclose(ours.expectations(ARMS), mabwiser_values(mab, ARMS), rtol=0, atol=1e-9)
    warmed = [arm for arm in ARMS if mab._imp.arm_to_status[arm]["is_warm"]]
    assert [arm for arm in ARMS if ours.warm_[ours.arm_to_row_[arm]]] == warmed


def test_expectations_repeat_per_context_row_like_mabwiser():
    policy = UCB1(ARMS).fit(["shop-0", "shop-1", "shop-0"], [1.0, 0.0, 1.0])
    values = policy.expectations(ARMS, contexts=np.zeros((3, 2)))
    assert values.shape == (3, len(ARMS)) and np.all(values == values[0])
    assert np.array_equal(policy.score(ARMS), policy.expectations(ARMS))


def test_many_arms_grow_and_stay_indexed():
    policy = UCB1(["a"])
    for i in range(1000):
        policy.add_arm(f"shop-{i}")
    policy.partial_fit(["shop-999", "a", "shop-0"], [1.0, 0.5, 0.0])
    assert policy.counts_[policy.arm_to_row_["shop-999"]] == 1 and len(policy.arms) == 1001


INVALID_CALLS = [
    (lambda: UCB1(ARMS, alpha=-0.1), InvalidInputError, "alpha"),
    (lambda: UCB1(ARMS, alpha=float("nan")), InvalidInputError, "alpha"),
    (lambda: UCB1(["a", "a"]), InvalidInputError, "distinct"),
    (lambda: UCB1(ARMS).fit(["shop-0"], [float("nan")]), InvalidInputError, "NaN"),
    (lambda: UCB1(ARMS).fit(["shop-0"], [1.0, 2.0]), InvalidInputError, "shape"),
    (lambda: UCB1(ARMS).fit(["shop-0"], ["good"]), InvalidInputError, "numbers"),
    (lambda: UCB1(ARMS).fit("shop-0", [1.0]), InvalidInputError, "single string"),
    (lambda: UCB1(ARMS).fit(["nowhere"], [1.0]), UnknownArmError, "unknown"),
    (lambda: UCB1(ARMS).expectations(["nowhere"]), UnknownArmError, "unknown"),
    (lambda: UCB1(ARMS).remove_arm("nowhere"), UnknownArmError, "unknown"),
    (lambda: UCB1(ARMS).add_arm("shop-0"), InvalidInputError, "new"),
    (lambda: UCB1(ARMS).warm_start({}, 1.5), InvalidInputError, "quantile"),
]


@pytest.mark.parametrize(("call", "error", "message"), INVALID_CALLS)
def test_invalid_input_raises_a_dispatch_error_with_a_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_rejected_fit_leaves_the_learned_state_untouched():
    policy = UCB1(ARMS).fit(["shop-0"], [1.0])
    with pytest.raises(InvalidInputError):
        policy.fit(["shop-0"], [float("nan")])
    assert policy.total_count_ == 1 and policy.sums_[0] == 1.0
