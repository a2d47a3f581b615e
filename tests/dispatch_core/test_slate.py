"""The slate helpers equal the plain numpy code they replace: ties, NaN, inf and underflow included."""

import warnings

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dispatch_core.slate import plackett_luce, shortlist

FAST = settings(max_examples=80, deadline=None)

# A small grid forces ties; the specials are what argmin and sorting treat differently.
values = st.one_of(
    st.sampled_from([-1.0, -0.5, -0.0, 0.0, 0.5]),
    st.sampled_from([np.nan, np.inf, -np.inf]),
    st.floats(-1, 1, allow_nan=False),
)


def plain_shortlist(objectives: np.ndarray, score: np.ndarray, size: int) -> np.ndarray:
    if len(score) <= size:
        return np.arange(len(score))
    top = np.argsort(-score, kind="stable")[:size]
    leaders = np.argsort(objectives, axis=0, kind="stable")[:2].ravel()
    return np.unique(np.concatenate([top, leaders]))


def plain_propensities(score: np.ndarray, picks: np.ndarray, temperature: float) -> np.ndarray:
    weights = np.exp((score - score.max()) / temperature)
    remaining = weights.sum() - np.concatenate([[0.0], np.cumsum(weights[picks])[:-1]])
    return np.minimum(weights[picks] / remaining, 1.0)


@FAST
@given(
    objectives=arrays(np.float64, st.tuples(st.integers(2, 40), st.just(4)), elements=values),
    size=st.integers(1, 12),
    fortran=st.booleans(),
)
def test_the_shortlist_equals_the_stable_sorts_it_replaces(
    objectives: np.ndarray, size: int, fortran: bool
) -> None:
    objectives = np.asfortranarray(objectives) if fortran else objectives
    score = -objectives[:, 0]  # ties and NaN in the score too: both sort it the same way
    assert shortlist(objectives, score, size).tolist() == plain_shortlist(objectives, score, size).tolist()


@FAST
@given(
    score=arrays(np.float64, st.integers(1, 15), elements=st.floats(0, 1)),
    k=st.integers(1, 5),
    temperature=st.sampled_from([1e-4, 0.05, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_propensities_are_the_numpy_ones_bit_for_bit_even_when_weight_underflows(
    score: np.ndarray, k: int, temperature: float, seed: int
) -> None:
    k = min(k, len(score))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 0 / 0 where every weight left underflowed
        picks, propensities = plackett_luce(score, k, temperature, np.random.default_rng(seed))
        expected = plain_propensities(score, picks, temperature)
    assert propensities.tobytes() == expected.tobytes()
