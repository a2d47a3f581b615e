"""Off-policy evaluation in the simulator: logs under one strategy estimate another within 5 %."""

from __future__ import annotations

from simulator.config import load_config
from simulator.ope import evaluate_off_policy
from simulator.world import build_world


def test_doubly_robust_estimate_lands_within_five_percent_of_the_simulated_truth():
    config = load_config(
        None, {"n_shops": 2500, "n_claims": 6000, "days": 4, "workers": 1, "ope.enabled": True}
    )
    result = evaluate_off_policy(build_world(config))
    assert result["decisions"] > 5000
    assert result["counterfactual_matches_log"]  # the logged rewards are the customers' own draws
    # The truth: the target's expected acceptance had it decided every logged claim, known exactly
    # because every candidate's outcome follows from the customers' common random numbers.
    assert abs(result["dr_error"]) < 0.05
    assert abs(result["snips_error"]) < 0.05
    # The simulator's other ground truth: a separate run of the target strategy on the same claims. It
    # also drifts into other states (its own queues, exposure and learning), which no per-decision
    # estimator sees, and still lands within 5 %.
    assert abs(result["dr_error_on_policy"]) < 0.05
    assert result["logging"] != result["target"]
