"""Properties of the Pareto helpers, and cross-checks against pymoo 0.6.2."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymoo.core.population import Population
from pymoo.operators.survival.rank_and_crowding import RankAndCrowding
from pymoo.operators.survival.rank_and_crowding.metrics import get_crowding_function
from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

from dispatch_core.errors import InvalidInputError
from dispatch_core.pareto import crowding_distance, non_dominated_fronts, select_slate

FAST = settings(max_examples=60, deadline=None)

# Small integer grids force ties and duplicate rows; continuous values cover the generic case.
tied_values = st.integers(0, 3).map(float)
spread_values = st.floats(-100, 100, allow_nan=False, allow_infinity=False)
objective_arrays = st.one_of(
    arrays(np.float64, st.tuples(st.integers(0, 25), st.integers(1, 4)), elements=tied_values),
    arrays(np.float64, st.tuples(st.integers(0, 25), st.integers(1, 4)), elements=spread_values),
)


def dominates(a: np.ndarray, b: np.ndarray) -> bool:
    return bool((a <= b).all() and (a < b).any())


def lexicographic(values: np.ndarray) -> np.ndarray:
    return values[np.lexsort(values.T[::-1])]


def pymoo_crowding(values: np.ndarray) -> np.ndarray:
    return get_crowding_function("cd").do(values)


@FAST
@given(objective_arrays)
def test_the_first_front_holds_no_dominated_member(values):
    fronts = non_dominated_fronts(values)
    for i in fronts[0] if fronts else []:
        assert not any(dominates(values[j], values[i]) for j in range(len(values)))


@FAST
@given(objective_arrays)
def test_fronts_partition_the_input_and_each_member_is_dominated_by_the_front_before(values):
    fronts = non_dominated_fronts(values)
    merged = np.concatenate(fronts) if fronts else np.empty(0, dtype=np.int64)
    assert np.array_equal(np.sort(merged), np.arange(len(values)))
    for earlier, later in itertools.pairwise(fronts):
        assert all(any(dominates(values[j], values[i]) for j in earlier) for i in later)


@FAST
@given(objective_arrays, st.data())
def test_fronts_are_invariant_to_permuting_the_rows(values, data):
    order = np.array(data.draw(st.permutations(range(len(values)))), dtype=np.int64)
    permuted = non_dominated_fronts(values[order])
    assert [np.sort(order[front]).tolist() for front in permuted] == [
        front.tolist() for front in non_dominated_fronts(values)
    ]


@FAST
@given(objective_arrays, st.data())
def test_crowding_is_invariant_to_permuting_the_rows(values, data):
    order = np.array(data.draw(st.permutations(range(len(values)))), dtype=np.int64)
    original, permuted = crowding_distance(values), crowding_distance(values[order])
    # Identical rows may trade values among themselves, so compare (row, distance) multisets.
    pairs = sorted(zip(map(tuple, values.tolist()), original.tolist(), strict=True))
    assert sorted(zip(map(tuple, values[order].tolist()), permuted.tolist(), strict=True)) == pairs
    unique = np.unique(values, axis=0, return_counts=True)
    singles = {tuple(row) for row, count in zip(*unique, strict=True) if count == 1}
    for position, row in enumerate(order):
        if tuple(values[row]) in singles:
            assert permuted[position] == original[row]


@FAST
@given(objective_arrays, st.integers(1, 30))
def test_select_slate_returns_k_distinct_indices_from_the_best_fronts(values, k):
    slate = select_slate(values, k)
    assert slate.size == min(k, len(values)) and np.unique(slate).size == slate.size
    rank = np.empty(len(values), dtype=np.int64)
    for level, front in enumerate(non_dominated_fronts(values)):
        rank[front] = level
    if slate.size:
        worst = rank[slate].max()
        assert set(np.flatnonzero(rank < worst)) <= set(slate.tolist())


@FAST
@given(objective_arrays, st.integers(1, 30), st.data())
def test_select_slate_picks_the_same_values_whatever_the_row_order(values, k, data):
    order = np.array(data.draw(st.permutations(range(len(values)))), dtype=np.int64)
    chosen = lexicographic(values[select_slate(values, k)])
    assert np.array_equal(lexicographic(values[order][select_slate(values[order], k)]), chosen)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("ties", [False, True])
def test_fronts_agree_with_pymoo_non_dominated_sorting(seed, ties):
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 4, (120, 3)).astype(float) if ties else rng.random((120, 3))
    expected = NonDominatedSorting().do(values)
    assert [front.tolist() for front in non_dominated_fronts(values)] == [f.tolist() for f in expected]


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("shape", [(1, 3), (2, 2), (3, 2), (40, 3), (60, 4)])
def test_crowding_agrees_with_pymoo_on_distinct_values(seed, shape):
    values = np.random.default_rng(seed).random(shape)
    np.testing.assert_allclose(crowding_distance(values), pymoo_crowding(values), rtol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_crowding_agrees_with_pymoo_on_tied_values_in_lexicographic_row_order(seed):
    # pymoo orders tied values by input position; on lexicographically sorted rows that order is ours.
    rng = np.random.default_rng(seed)
    values = lexicographic(rng.integers(0, 3, (30, 3)).astype(float))
    values[:, 2] = 5.0 if seed % 2 else values[:, 2]  # sometimes a constant column
    np.testing.assert_allclose(crowding_distance(values), pymoo_crowding(values), rtol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_select_slate_agrees_with_pymoo_survival_up_to_its_random_tie_breaks(seed):
    rng = np.random.default_rng(seed)
    values, k = rng.random((60, 2)), 9
    survivors = RankAndCrowding()._do(None, Population.new(F=values), n_survive=k, random_state=rng)
    row_of = {tuple(row): i for i, row in enumerate(values.tolist())}
    theirs = {row_of[tuple(row)] for row in survivors.get("F").tolist()}
    ours = set(select_slate(values, k).tolist())
    # pymoo orders equal crowding distances at random; leave out the rows tied at the cut value.
    fronts = non_dominated_fronts(values)
    level = int(np.searchsorted(np.cumsum([front.size for front in fronts]), k))
    cut = fronts[level]
    crowding = crowding_distance(values[cut])
    room = k - sum(front.size for front in fronts[:level])
    cut_value = np.sort(crowding)[::-1][room - 1]
    tied = set(cut[crowding == cut_value].tolist()) if (crowding == cut_value).sum() > 1 else set()
    assert len(ours) == len(theirs) == k
    assert ours - tied == theirs - tied


def test_empty_and_single_row_inputs_are_handled():
    empty = np.empty((0, 3))
    assert non_dominated_fronts(empty) == []
    assert crowding_distance(empty).shape == (0,) and select_slate(empty, 3).shape == (0,)
    assert [f.tolist() for f in non_dominated_fronts([[1.0, 2.0]])] == [[0]]
    assert crowding_distance([[1.0, 2.0]]).tolist() == [np.inf]


def test_equal_points_share_a_front_and_weights_break_crowding_ties():
    values = np.array([[1.0, 1.0], [1.0, 1.0], [0.0, 3.0], [3.0, 0.0], [2.0, 2.0]])
    assert [f.tolist() for f in non_dominated_fronts(values)] == [[0, 1, 2, 3], [4]]
    # The two boundary points both have infinite crowding; the weights decide which comes first.
    assert select_slate(values, 1, weights=[1.0, 0.0]).tolist() == [2]
    assert select_slate(values, 1, weights=[0.0, 1.0]).tolist() == [3]


INVALID_SLATES = [
    (np.ones(3), 1, None, "2-D"),
    (np.ones((2, 2, 2)), 1, None, "2-D"),
    (np.ones((3, 0)), 1, None, "at least one column"),
    (np.array([[1.0, np.nan]]), 1, None, "NaN"),
    (np.array([[1.0, np.inf]]), 1, None, "finite"),
    (np.ones((3, 2)), 0, None, "positive"),
    (np.ones((3, 2)), -2, None, "positive"),
    (np.ones((3, 2)), 1, [1.0], "one per objective"),
    (np.ones((3, 2)), 1, [1.0, -1.0], "non-negative"),
]


@pytest.mark.parametrize(("values", "k", "weights", "message"), INVALID_SLATES)
def test_select_slate_rejects_invalid_input_with_a_message(values, k, weights, message):
    with pytest.raises(InvalidInputError, match=message):
        select_slate(values, k, weights)


@pytest.mark.parametrize("function", [non_dominated_fronts, crowding_distance])
def test_fronts_and_crowding_reject_nan_and_wrong_shapes(function):
    for bad in (np.ones(4), np.array([[np.nan, 1.0]])):
        with pytest.raises(InvalidInputError, match=r"2-D|NaN"):
            function(bad)
