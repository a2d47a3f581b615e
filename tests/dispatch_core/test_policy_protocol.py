"""Behaviour every registered policy shares: the protocol, chunked learning, arm bookkeeping."""

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dispatch_core
from dispatch_core.errors import InvalidInputError, UnknownArmError
from dispatch_core.policies import POLICIES, BanditPolicy, make_policy

ARMS = ["north", "south", "east", "west"]
D = 3
CONTEXTUAL = {"linucb", "linear_thompson"}


def build(name: str, arms: list[str] = ARMS) -> BanditPolicy:
    params = {"n_features": D} if name in CONTEXTUAL else {}
    return make_policy(name, arms=list(arms), **params)


def stream(seed: int, n: int, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    rng = np.random.default_rng(seed)
    decisions = np.array(ARMS)[rng.integers(0, len(ARMS), n)]
    contexts = rng.normal(size=(n, D)) if name in CONTEXTUAL else None
    return decisions, rng.random(n), contexts


def queries(name: str) -> np.ndarray | None:
    return np.random.default_rng(99).normal(size=(4, D)) if name in CONTEXTUAL else None


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_every_registered_policy_satisfies_the_protocol(name):
    policy = build(name)
    assert isinstance(policy, BanditPolicy)
    decisions, rewards, contexts = stream(0, 20, name)
    assert policy.fit(decisions, rewards, contexts) is policy
    assert policy.partial_fit(decisions, rewards, contexts) is policy
    assert policy.add_arm("centre") is policy and policy.remove_arm("centre") is policy
    expected_shape = (4, len(ARMS)) if name in CONTEXTUAL else (len(ARMS),)
    assert policy.expectations(ARMS, queries(name)).shape == expected_shape
    assert policy.score(ARMS, queries(name), rng=np.random.default_rng(0)).shape == expected_shape


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(sorted(POLICIES)),
    st.integers(0, 10_000),
    st.integers(0, 60),
    st.lists(st.integers(0, 60), max_size=5),
)
def test_chunked_partial_fit_equals_one_fit(name, seed, n, cuts):
    decisions, rewards, contexts = stream(seed, n, name)
    whole = build(name).fit(decisions, rewards, contexts)
    chunked = build(name).fit(decisions[:0], rewards[:0], None if contexts is None else contexts[:0])
    bounds = [0, *sorted(min(cut, n) for cut in cuts), n]
    for start, stop in itertools.pairwise(bounds):
        chunked.partial_fit(
            decisions[start:stop], rewards[start:stop], None if contexts is None else contexts[start:stop]
        )
    np.testing.assert_allclose(
        chunked.expectations(ARMS, queries(name)),
        whole.expectations(ARMS, queries(name)),
        rtol=1e-9,
        atol=1e-12,
    )


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_removing_an_arm_leaves_the_others_untouched_and_a_readded_arm_starts_cold(name):
    decisions, rewards, contexts = stream(1, 80, name)
    policy = build(name).fit(decisions, rewards, contexts)
    kept = ["north", "east", "west"]
    before = policy.expectations(kept, queries(name))
    cold = build(name).expectations(["south"], queries(name))
    policy.remove_arm("south")
    np.testing.assert_array_equal(policy.expectations(kept, queries(name)), before)
    with pytest.raises(UnknownArmError, match="south"):
        policy.expectations(["south"], queries(name))
    np.testing.assert_array_equal(policy.add_arm("south").expectations(["south"], queries(name)), cold)


@pytest.mark.parametrize("name", sorted(POLICIES))
def test_warm_start_copies_the_nearest_trained_arm_into_cold_arms(name):
    decisions, rewards, contexts = stream(2, 60, name)
    policy = build(name, [*ARMS, "new-north", "far-away"])
    policy.fit(decisions, rewards, contexts)
    features = {
        "north": [1.0, 0.0, 0.0],
        "south": [0.0, 1.0, 0.0],
        "east": [0.0, 0.0, 1.0],
        "west": [0.0, 1.0, 1.0],
        "new-north": [0.95, 0.05, 0.0],
        "far-away": [-1.0, -1.0, -1.0],
    }
    policy.warm_start(features, distance_quantile=0.5)
    warmed = policy.expectations(["new-north", "north"], queries(name))
    np.testing.assert_array_equal(warmed[..., 0], warmed[..., 1])
    cold = build(name).expectations(["north"], queries(name))
    np.testing.assert_array_equal(policy.expectations(["far-away"], queries(name)), cold)


def test_a_hundred_thousand_arms_update_in_one_vectorised_batch():
    arms = [f"shop-{i}" for i in range(100_000)]
    policy = make_policy("ucb1", arms=arms)
    rng = np.random.default_rng(0)
    decisions = np.array(arms)[rng.integers(0, len(arms), 200_000)]
    policy.partial_fit(decisions, rng.random(200_000))
    assert policy.expectations(arms).shape == (100_000,)


def test_dispatch_core_imports_only_numpy_scipy_and_the_standard_library():
    code = (
        "import sys, dispatch_core.pareto, dispatch_core.policies;"
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(dispatch_core.__file__).parents[1])}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    loaded = set(run.stdout.split())
    forbidden = {"pydantic", "fastapi", "faiss", "langchain", "mabwiser", "pymoo", "sklearn", "torch"}
    assert not loaded & forbidden


INVALID_CALLS = [
    (lambda: make_policy("epsilon_greedy", arms=ARMS), InvalidInputError, "Unknown policy"),
    (lambda: make_policy("ucb1", arms=ARMS, alpha=-1.0), InvalidInputError, "alpha"),
    (lambda: make_policy("linucb", arms=ARMS, n_features=D, alpha=-1.0), InvalidInputError, "alpha"),
    (lambda: make_policy("thompson", arms=ARMS).fit(["mars"], [1.0]), UnknownArmError, "mars"),
    (lambda: build("linear_thompson").fit(["mars"], [1.0], np.ones((1, D))), UnknownArmError, "mars"),
    (lambda: build("ucb1").fit(np.array([["north"]]), [1.0]), InvalidInputError, "1-D"),
    (lambda: build("ucb1").fit(["north"], [[1.0]]), InvalidInputError, "shape"),
    (lambda: build("thompson").expectations(ARMS, np.ones(3)), InvalidInputError, "2-D"),
    (lambda: build("linucb").fit(["north"], [1.0], [[1.0, 2.0]]), InvalidInputError, "shape"),
]


@pytest.mark.parametrize(("call", "error", "message"), INVALID_CALLS)
def test_invalid_input_raises_a_dispatch_error_with_a_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
