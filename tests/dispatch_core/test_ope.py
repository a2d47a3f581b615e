"""Off-policy estimators: IPS, SNIPS, doubly robust and the direct method on a synthetic logged bandit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dispatch_core.errors import InvalidInputError
from dispatch_core.ope import direct_method, doubly_robust, importance_weights, ips, snips


def softmax(x: np.ndarray, temperature: float) -> np.ndarray:
    z = np.exp((x - x.max(axis=1, keepdims=True)) / temperature)
    return z / z.sum(axis=1, keepdims=True)


def logged_bandit(n: int = 40_000, arms: int = 8, seed: int = 3) -> dict[str, np.ndarray]:
    """Contexts with a true reward probability per arm; a warm logging policy; a greedy-ish target."""
    rng = np.random.default_rng(seed)
    truth = 1.0 / (1.0 + np.exp(-rng.normal(0.0, 1.2, (n, arms))))
    behaviour = softmax(truth + rng.normal(0.0, 0.3, (n, arms)), 0.5)
    target = softmax(truth, 0.1)
    action = (behaviour.cumsum(axis=1) > rng.random(n)[:, None]).argmax(axis=1)
    reward = (rng.random(n) < truth[np.arange(n), action]).astype(float)
    return {"truth": truth, "behaviour": behaviour, "target": target, "action": action, "reward": reward}


@pytest.fixture(scope="module")
def logs() -> dict[str, np.ndarray]:
    return logged_bandit()


def picked(logs: dict[str, np.ndarray], key: str) -> np.ndarray:
    return logs[key][np.arange(len(logs["action"])), logs["action"]]


def true_value(logs: dict[str, np.ndarray]) -> float:
    return float((logs["target"] * logs["truth"]).sum(axis=1).mean())


def test_ips_and_snips_recover_the_target_value_within_their_standard_error(logs):
    truth = true_value(logs)
    args = logs["reward"], picked(logs, "behaviour"), picked(logs, "target")
    for estimate in (ips(*args), snips(*args)):
        assert abs(estimate.value - truth) < 4 * estimate.standard_error
        assert estimate.n == len(logs["reward"])


def test_doubly_robust_is_within_five_percent_of_the_truth_even_with_a_biased_reward_model(logs):
    rng = np.random.default_rng(9)
    model = np.clip(logs["truth"] + 0.15 + rng.normal(0.0, 0.05, logs["truth"].shape), 0.0, 1.0)
    estimate = doubly_robust(
        logs["reward"],
        picked(logs, "behaviour"),
        picked(logs, "target"),
        model[np.arange(len(logs["action"])), logs["action"]],
        (logs["target"] * model).sum(axis=1),
    )
    biased = direct_method((logs["target"] * model).sum(axis=1)).value
    truth = true_value(logs)
    assert abs(estimate.value / truth - 1.0) < 0.05
    assert abs(estimate.value - truth) < abs(
        biased - truth
    )  # the correction removes most of the model's bias


def test_doubly_robust_with_a_perfect_reward_model_has_less_variance_than_ips(logs):
    model = logs["truth"]
    rows = np.arange(len(logs["action"]))
    args = logs["reward"], picked(logs, "behaviour"), picked(logs, "target")
    dr = doubly_robust(*args, model[rows, logs["action"]], (logs["target"] * model).sum(axis=1))
    assert dr.standard_error < ips(*args).standard_error
    assert abs(dr.value - true_value(logs)) < 4 * dr.standard_error


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=50), st.integers(min_value=0, max_value=10_000))
def test_doubly_robust_with_a_zero_reward_model_equals_ips(n, seed):
    rng = np.random.default_rng(seed)
    behaviour, target, reward = rng.uniform(0.05, 1.0, n), rng.uniform(0.0, 1.0, n), rng.random(n)
    zero = np.zeros(n)
    assert doubly_robust(reward, behaviour, target, zero, zero).value == pytest.approx(
        ips(reward, behaviour, target).value
    )


def test_identical_policies_give_weights_of_one_and_the_logged_mean():
    reward, p = np.array([1.0, 0.0, 1.0, 1.0]), np.array([0.5, 0.2, 0.9, 0.3])
    assert np.allclose(importance_weights(p, p), 1.0)
    assert ips(reward, p, p).value == pytest.approx(0.75)
    assert snips(reward, p, p).value == pytest.approx(0.75)


@pytest.mark.parametrize(
    ("rewards", "behaviour", "target", "message"),
    [
        ([1.0, 0.0], [0.5, 0.0], [0.5, 0.5], "Behaviour propensities must lie in (0, 1]"),
        ([1.0, 0.0], [0.5, 1.5], [0.5, 0.5], "Behaviour propensities must lie in (0, 1]"),
        ([1.0, 0.0], [0.5, 0.5], [0.5, -0.1], "Target propensities must lie in [0, 1]"),
        ([1.0, 0.0], [0.5, 0.5], [0.5], "Target propensities must have 2 entries"),
        ([1.0], [0.5, 0.5], [0.5, 0.5], "Rewards must have 2 entries"),
        ([1.0, np.nan], [0.5, 0.5], [0.5, 0.5], "Rewards must be finite numbers"),
        ([], [], [], "Rewards must be a non-empty 1-D array"),
        ([[1.0]], [0.5], [0.5], "Rewards must be a non-empty 1-D array"),
    ],
)
def test_bad_inputs_are_refused_with_a_sentence_that_names_them(rewards, behaviour, target, message):
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(").replace("[", r"\[")):
        ips(rewards, behaviour, target)


def test_doubly_robust_checks_the_model_predictions_too():
    with pytest.raises(
        InvalidInputError, match="Predicted rewards of the logged actions must have 2 entries"
    ):
        doubly_robust([1.0, 0.0], [0.5, 0.5], [0.5, 0.5], [0.3], [0.3, 0.3])


def test_snips_needs_one_action_the_target_could_take():
    with pytest.raises(InvalidInputError, match="SNIPS needs at least one logged action"):
        snips([1.0, 0.0], [0.5, 0.5], [0.0, 0.0])
