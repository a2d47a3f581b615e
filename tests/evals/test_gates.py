"""The gates file holds the issue's thresholds; verdicts pass, fail, skip or stay out as documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evals.gates import evaluate_gates, load_gates, passed

# Shared by every policy unless a case changes it (hub must be strictly lower on Gini, so the others differ).
OTHER = {"utilization_gini": 0.21, "mean_claim_cost": 5700.0, "new_shop_target_rate": 0.50}
SIM: dict[str, Any] = {
    "status": "ran",
    "metrics": {
        "hub": {**OTHER, "mean_wait_days": 0.3, "acceptance_rate": 0.80, "new_shop_target_rate": 0.68},
        "nearest": {**OTHER, "mean_wait_days": 0.6, "acceptance_rate": 0.77, "utilization_gini": 0.23},
        "round_robin": {**OTHER, "mean_wait_days": 0.5, "acceptance_rate": 0.76, "utilization_gini": 0.22},
    },
}
GOOD: dict[str, dict[str, Any]] = {
    "scenarios": {"status": "ran", "pass_1": 0.97, "pass_k": 0.93},
    "extraction": {"status": "ran", "field_accuracy": 0.99},
    "faithfulness": {"status": "ran", "faithful_share": 1.0, "top_factor_share": 1.0},
    "dispatch": SIM,
}


def test_the_gates_file_holds_the_thresholds_of_the_issue() -> None:
    gates = load_gates()
    assert gates["scenarios"] == {"k": 4, "pass_1": 0.95, "pass_k": 0.90}
    assert gates["extraction"]["field_accuracy"] == 0.95
    assert gates["faithfulness"]["faithful_share"] == 1.0
    assert set(gates["dispatch"]["baselines"]) == {"nearest", "round_robin"}


def test_results_above_every_threshold_pass() -> None:
    verdicts = evaluate_gates(load_gates(), GOOD)
    assert passed(verdicts) and {g.verdict for g in verdicts} == {"pass"}


@pytest.mark.parametrize(
    ("set_name", "change"),
    [
        ("scenarios", {"pass_1": 0.94}),
        ("scenarios", {"pass_k": 0.89}),
        ("extraction", {"field_accuracy": 0.949}),
        ("faithfulness", {"faithful_share": 0.999}),
    ],
)
def test_one_number_below_its_threshold_fails_the_run(set_name: str, change: dict[str, float]) -> None:
    results = {**GOOD, set_name: {**GOOD[set_name], **change}}
    assert not passed(evaluate_gates(load_gates(), results))


def test_hub_losing_to_a_baseline_fails_the_dispatch_gate() -> None:
    metrics = {**SIM["metrics"], "round_robin": {**SIM["metrics"]["round_robin"], "mean_wait_days": 0.2}}
    verdicts = evaluate_gates(load_gates(), {**GOOD, "dispatch": {"status": "ran", "metrics": metrics}})
    failed = [g.name for g in verdicts if g.verdict == "fail"]
    assert failed == ["hub vs round_robin: mean_wait_days"]


def test_a_skipped_simulator_is_reported_as_skipped_not_passed() -> None:
    results = {**GOOD, "dispatch": {"status": "skipped", "reason": "the simulator is not importable"}}
    verdicts = evaluate_gates(load_gates(), results)
    dispatch = [g for g in verdicts if g.set == "dispatch"]
    assert dispatch and {g.verdict for g in dispatch} == {"skipped"}
    assert passed(verdicts)


def test_a_simulator_that_errors_fails_the_gate() -> None:
    results = {**GOOD, "dispatch": {"status": "error", "reason": "KeyError: 'hub'"}}
    assert not passed(evaluate_gates(load_gates(), results))


def test_a_set_left_out_has_no_verdict() -> None:
    verdicts = evaluate_gates(load_gates(), {"extraction": GOOD["extraction"]})
    assert {g.verdict for g in verdicts if g.set != "extraction"} == {"not run"}
    assert passed(verdicts)


def test_a_gates_file_without_a_set_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gates.toml"
    path.write_text("[scenarios]\npass_1 = 0.9\n", encoding="utf-8")
    with pytest.raises(ValueError, match="extraction"):
        load_gates(path)
