"""Batch allocation under capacity: invariants, brute force on tiny inputs, and a pymoo NSGA-II peer."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from pymoo.algorithms.moo.nsga2 import NSGA2
from pymoo.core.problem import Problem
from pymoo.operators.crossover.sbx import SBX
from pymoo.operators.mutation.pm import PM
from pymoo.operators.repair.rounding import RoundingRepair
from pymoo.optimize import minimize

from dispatch_core.allocation import (
    UNASSIGNED,
    Allocation,
    allocate_assignment,
    allocate_greedy,
    allocate_nsga2,
    utilization_gini,
)
from dispatch_core.errors import InvalidInputError

FAST = settings(max_examples=50, deadline=None)

# Small integer utilities force ties; NaN and -inf mark pairs that are not allowed.
cell = st.one_of(
    st.integers(-3, 9).map(float),
    st.floats(-5, 10, allow_nan=False),
    st.just(np.nan),
    st.just(-np.inf),
)


@st.composite
def instances(draw, max_claims=6, max_shops=4):
    n_claims, n_shops = draw(st.integers(0, max_claims)), draw(st.integers(1, max_shops))
    utility = draw(arrays(np.float64, (n_claims, n_shops), elements=cell))
    capacity = draw(arrays(np.int64, (n_shops,), elements=st.integers(0, 3)))
    cost = draw(arrays(np.float64, (n_claims, n_shops), elements=st.floats(0, 5)))
    return utility, capacity, cost


def tiny_nsga2(utility, capacity, seed=0, **kwargs):
    return allocate_nsga2(utility, capacity, np.random.default_rng(seed), pop_size=8, generations=5, **kwargs)


def all_solvers(utility, capacity):
    return [
        allocate_assignment(utility, capacity),
        allocate_greedy(utility, capacity),
        tiny_nsga2(utility, capacity),
    ]


def brute_force_best(utility, capacity, cost, cost_weight):
    """Best total score over every feasible assignment, each claim at an allowed shop or nowhere."""
    score = utility - cost_weight * cost
    options = [[UNASSIGNED, *np.flatnonzero(np.isfinite(row) & (capacity > 0))] for row in utility]
    best = 0.0
    for assignment in itertools.product(*options):
        placed = [(claim, shop) for claim, shop in enumerate(assignment) if shop != UNASSIGNED]
        load = np.bincount([shop for _, shop in placed], minlength=capacity.size)
        if (load <= capacity).all():
            best = max(best, sum(score[claim, shop] for claim, shop in placed))
    return best


def random_instance(rng, n_claims, n_shops, allowed_share=0.3):
    utility = rng.random((n_claims, n_shops))
    utility[rng.random((n_claims, n_shops)) > allowed_share] = np.nan
    return utility, rng.integers(1, 6, n_shops)


class PymooAllocation(Problem):
    """Peer encoding for pymoo: gene i in [0, degree_i], the k-th allowed shop of claim i, degree_i = none.

    Only claims with an allowed shop are variables. Objectives (-utility, utilisation Gini), with
    capacity overflow as pymoo's inequality constraint.
    """

    def __init__(self, utility, capacity):
        allowed = np.isfinite(utility) & (capacity > 0)
        self.claims = np.flatnonzero(allowed.any(axis=1))
        self.utility, self.capacity = np.where(allowed, utility, 0.0), capacity
        degree = allowed[self.claims].sum(axis=1)
        self.table = np.full((self.claims.size, degree.max() + 1), UNASSIGNED)
        for row, claim in enumerate(self.claims):
            self.table[row, : degree[row]] = np.flatnonzero(allowed[claim])
        self.degree, self.n_claims = degree, utility.shape[0]
        super().__init__(n_var=self.claims.size, n_obj=2, n_ieq_constr=1, xl=0, xu=degree, vtype=int)

    def decode(self, genes):
        assignment = np.full((genes.shape[0], self.n_claims), UNASSIGNED)
        rows = np.arange(self.claims.size)
        assignment[:, self.claims] = self.table[rows, np.rint(genes).astype(int).clip(0, self.degree)]
        return assignment

    def encode(self, assignment):
        genes = self.degree.copy()
        for row, claim in enumerate(self.claims):
            if assignment[claim] != UNASSIGNED:
                genes[row] = np.flatnonzero(self.table[row] == assignment[claim])[0]
        return genes

    def _evaluate(self, x, out, *args, **kwargs):
        assignment = self.decode(x)
        placed = assignment >= 0
        shops = np.where(placed, assignment, 0)
        utility = np.where(placed, self.utility[np.arange(self.n_claims), shops], 0.0).sum(axis=1)
        load = np.stack([np.bincount(row[row >= 0], minlength=self.capacity.size) for row in assignment])
        out["F"] = np.column_stack([-utility, utilization_gini(load, self.capacity)])
        out["G"] = np.maximum(load - self.capacity, 0).sum(axis=1, keepdims=True)


def solve_with_pymoo(utility, capacity, rng, pop_size=100, generations=200):
    """pymoo's NSGA-II with its integer recipe (SBX + PM + rounding), seeded like ours: greedy + random."""
    problem = PymooAllocation(utility, capacity)
    start = np.floor(rng.random((pop_size, problem.n_var)) * problem.degree).astype(int)
    start[0] = problem.encode(allocate_greedy(utility, capacity).assignment)
    algorithm = NSGA2(
        pop_size=pop_size,
        sampling=start,
        crossover=SBX(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
        mutation=PM(prob=1.0, eta=3.0, vtype=float, repair=RoundingRepair()),
        eliminate_duplicates=True,
    )
    seed = int(rng.integers(2**31))
    result = minimize(problem, algorithm, ("n_gen", generations), seed=seed, verbose=False)
    feasible = result.pop[result.pop.get("CV")[:, 0] <= 0]
    best = feasible[np.argmin(feasible.get("F")[:, 0])]
    return problem.decode(best.get("X")[None, :])[0]


def total_utility(utility, assignment):
    placed = np.flatnonzero(assignment >= 0)
    return float(utility[placed, assignment[placed]].sum())


@FAST
@given(instances())
def test_no_shop_receives_more_than_its_capacity(instance):
    utility, capacity, _ = instance
    for allocation in all_solvers(utility, capacity):
        assert (allocation.load <= capacity).all()
        assert np.array_equal(
            allocation.load, np.bincount(allocation.assignment + 1, minlength=capacity.size + 1)[1:]
        )


@FAST
@given(instances())
def test_no_claim_is_assigned_to_a_disallowed_shop(instance):
    utility, capacity, _ = instance
    for allocation in all_solvers(utility, capacity):
        placed = np.flatnonzero(allocation.assignment != UNASSIGNED)
        assert np.isfinite(utility[placed, allocation.assignment[placed]]).all()


@FAST
@given(instances(), st.floats(0, 2))
def test_the_exact_total_score_is_at_least_greedys_and_nsga2s(instance, cost_weight):
    utility, capacity, cost = instance
    exact = allocate_assignment(utility, capacity, cost, cost_weight)
    greedy = allocate_greedy(utility, capacity, cost, cost_weight)
    exact_score = exact.total_utility - cost_weight * exact.total_cost
    assert exact_score >= greedy.total_utility - cost_weight * greedy.total_cost - 1e-9
    assert (
        allocate_assignment(utility, capacity).total_utility
        >= tiny_nsga2(utility, capacity).total_utility - 1e-9
    )


@FAST
@given(instances(max_claims=5, max_shops=3), st.sampled_from([0.0, 0.5]))
def test_the_exact_solver_matches_brute_force_on_tiny_inputs(instance, cost_weight):
    utility, capacity, cost = instance
    exact = allocate_assignment(utility, capacity, cost, cost_weight)
    expected = brute_force_best(utility, capacity, cost, cost_weight)
    assert exact.total_utility - cost_weight * exact.total_cost == pytest.approx(expected, abs=1e-9)


@settings(max_examples=20, deadline=None)
@given(instances(), st.integers(0, 2**32 - 1))
def test_the_same_seed_gives_the_same_nsga2_allocation(instance, seed):
    utility, capacity, cost = instance
    first, second = (
        tiny_nsga2(utility, capacity, seed, cost=cost),
        tiny_nsga2(utility, capacity, seed, cost=cost),
    )
    assert np.array_equal(first.assignment, second.assignment)
    assert np.array_equal(first.front, second.front)


def test_nsga2_returns_a_non_dominated_feasible_front_and_its_best_utility_member():
    utility, capacity = random_instance(np.random.default_rng(3), 40, 10)
    allocation = allocate_nsga2(utility, capacity, np.random.default_rng(0), pop_size=30, generations=30)
    objectives = allocation.front_objectives
    assert allocation.method == "nsga2" and (objectives[:, 1] == 0).all()
    for a, b in itertools.permutations(objectives, 2):
        assert not ((a <= b).all() and (a < b).any())
    assert allocation.total_utility == pytest.approx(-objectives[:, 0].min())
    assert allocation.total_utility >= allocate_greedy(utility, capacity).total_utility - 1e-9


def test_nsga2_without_repair_still_returns_a_feasible_allocation():
    utility, capacity = random_instance(np.random.default_rng(4), 40, 6, allowed_share=0.8)
    allocation = allocate_nsga2(
        utility, capacity, np.random.default_rng(0), pop_size=20, generations=10, repair=False
    )
    assert (allocation.load <= capacity).all()


def test_an_oversized_problem_falls_back_to_greedy_and_says_so():
    utility, capacity = random_instance(np.random.default_rng(5), 30, 8)
    fallback = allocate_assignment(utility, capacity, max_cells=10)
    assert fallback.method == "greedy"
    assert np.array_equal(fallback.assignment, allocate_greedy(utility, capacity).assignment)
    assert allocate_assignment(utility, capacity).method == "exact"


def test_the_exact_solver_prefers_a_higher_total_over_placing_more_claims():
    # Claim 0 is worth 10 at shop 0; placing claim 1 there too would need claim 0 at shop 1 (total 2).
    utility = np.array([[10.0, 1.0], [1.0, np.nan]])
    allocation = allocate_assignment(utility, np.array([1, 1]))
    assert allocation.assignment.tolist() == [0, UNASSIGNED] and allocation.total_utility == 10.0


def test_the_utilisation_gini_is_zero_when_even_and_grows_with_imbalance():
    capacity = np.array([2, 2, 4])
    assert utilization_gini(np.array([[1, 1, 2], [0, 0, 0]]), capacity).tolist() == [0.0, 0.0]
    assert utilization_gini(np.array([[2, 0, 0]]), capacity)[0] == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    "utility",
    [
        np.array([[np.nan, np.nan], [1.0, 2.0]]),
        np.array([[-np.inf, np.nan], [np.nan, np.nan], [3.0, np.nan]]),
        np.full((2, 3), np.nan),
    ],
)
def test_all_nan_rows_are_left_unassigned_by_every_solver(utility):
    capacity = np.full(utility.shape[1], 2)
    unplaceable = ~np.isfinite(utility).any(axis=1)
    for allocation in all_solvers(utility, capacity):
        assert (allocation.assignment[unplaceable] == UNASSIGNED).all()


def test_empty_inputs_give_empty_allocations():
    for allocation in all_solvers(np.empty((0, 3)), np.array([1, 2, 3])):
        assert allocation.assignment.size == 0 and allocation.total_utility == 0.0


@pytest.mark.parametrize(
    ("utility", "capacity", "cost", "cost_weight", "match"),
    [
        (np.ones(3), np.ones(3, int), None, 0.0, "2-D"),
        (np.ones((2, 3)), np.ones(2, int), None, 0.0, "shape"),
        (np.ones((2, 3)), np.array([1, -1, 1]), None, 0.0, "negative"),
        (np.ones((2, 3)), np.array([1.5, 1, 1]), None, 0.0, "whole numbers"),
        (np.ones((2, 3)), np.array(["a", "b", "c"]), None, 0.0, "whole numbers"),
        (np.full((2, 3), np.inf), np.ones(3, int), None, 0.0, r"\+inf"),
        (np.ones((2, 3)), np.ones(3, int), np.ones((3, 2)), 0.0, "Cost must have"),
        (np.ones((2, 3)), np.ones(3, int), np.full((2, 3), np.nan), 0.0, "finite for every allowed"),
        (np.ones((2, 3)), np.ones(3, int), np.ones((2, 3)), -1.0, "cost weight"),
        (np.ones((2, 3)), np.ones(3, int), np.ones((2, 3)), np.nan, "cost weight"),
    ],
)
def test_invalid_inputs_are_rejected_with_a_clear_message(utility, capacity, cost, cost_weight, match):
    with pytest.raises(InvalidInputError, match=match):
        allocate_assignment(utility, capacity, cost, cost_weight)
    with pytest.raises(InvalidInputError, match=match):
        allocate_greedy(utility, capacity, cost, cost_weight)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rng": 42}, "Generator"),
        ({"pop_size": 1}, "pop_size"),
        ({"generations": -1}, "generations"),
        ({"mutation_rate": 1.5}, "mutation rate"),
    ],
)
def test_invalid_nsga2_settings_are_rejected(kwargs, match):
    arguments = {"rng": np.random.default_rng(0), **kwargs}
    with pytest.raises(InvalidInputError, match=match):
        allocate_nsga2(np.ones((2, 2)), np.ones(2, int), **arguments)


def test_an_allocation_with_an_unknown_method_is_rejected():
    with pytest.raises(InvalidInputError, match="method"):
        Allocation(np.array([0]), 1.0, 0.0, np.array([1]), "magic", 0.0)


def test_our_solvers_hold_their_own_against_pymoos_nsga2():
    rng = np.random.default_rng(2024)
    ours, peer, exact = [], [], []
    for _ in range(3):
        utility, capacity = random_instance(rng, 40, 12, allowed_share=0.4)
        exact.append(allocate_assignment(utility, capacity).total_utility)
        ours.append(allocate_nsga2(utility, capacity, rng, pop_size=40, generations=40).total_utility)
        peer.append(
            total_utility(utility, solve_with_pymoo(utility, capacity, rng, pop_size=40, generations=40))
        )
    assert all(e >= p - 1e-9 for e, p in zip(exact, peer, strict=True))
    assert np.mean(ours) >= 0.97 * np.mean(peer)
