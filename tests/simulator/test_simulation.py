"""End to end on a small market: the contract's output, determinism, common random numbers, and the hub
against the rules it replaces."""

from __future__ import annotations

import json

import numpy as np
import pytest

from simulator.config import load_config
from simulator.engine import Engine
from simulator.metrics import CONTRACT_METRICS, gini
from simulator.runner import simulate
from tests.simulator.conftest import TINY


def test_metrics_json_has_every_contract_metric_for_every_policy_and_the_plots_exist(small_run):
    _, out = small_run
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"nearest", "round_robin", "rating_priority", "hub", "oracle"}
    for values in metrics.values():
        assert set(CONTRACT_METRICS) <= set(values)
        assert all(np.isfinite(values[name]) for name in CONTRACT_METRICS)
    for name in ("metrics_by_policy.png", "learning_curves.png", "utilization.png"):
        assert (out / name).stat().st_size > 10_000
    assert metrics["oracle"]["regret_vs_oracle"] == 0.0


def test_metrics_stay_in_their_ranges(small_run):
    report, _ = small_run
    for values in report["metrics"].values():
        assert 0.0 < values["acceptance_rate"] <= 1.0 and values["mean_offers_to_accept"] >= 1.0
        assert 0.0 <= values["mean_wait_days"] < values["mean_cycle_days"]
        assert 0.0 < values["utilization_mean"] < 1.0 and 0.0 <= values["utilization_gini"] < 1.0
        assert 0.0 <= values["new_shop_target_rate"] <= 1.0 and 0.0 < values["mean_satisfaction"] < 1.0
        assert values["mean_claim_cost"] > 0


def test_the_same_seed_gives_the_same_metrics():
    config = load_config(None, TINY | {"policies": ["nearest", "hub"]})
    first = simulate(config, None, show_progress=False)["metrics"]
    second = simulate(config, None, show_progress=False)["metrics"]
    strip = {p: {k: v for k, v in m.items() if k != "run_seconds"} for p, m in first.items()}
    assert strip == {p: {k: v for k, v in m.items() if k != "run_seconds"} for p, m in second.items()}


def test_every_policy_sees_the_same_claims_at_the_same_moments(tiny_world):
    seen: dict[str, list[tuple[float, list[int]]]] = {}
    for name in ("nearest", "round_robin", "hub"):
        engine = Engine(tiny_world, name)
        log: list[tuple[float, list[int]]] = []
        propose = engine.policy.propose

        def spy(claims, shown, now_s, slate, propose=propose, log=log):  # type: ignore[no-untyped-def]
            if slate == 0:
                log.append((now_s, claims.tolist()))
            return propose(claims, shown, now_s, slate)

        engine.policy.propose = spy  # type: ignore[method-assign]
        engine.run()
        seen[name] = log
    assert seen["nearest"] == seen["round_robin"] == seen["hub"]


def test_a_customer_shown_the_same_slate_makes_the_same_choice_under_every_policy(tiny_world):
    logs = {name: Engine(tiny_world, name).run().log for name in ("nearest", "rating_priority")}
    # Where both rules' first slates coincide, the same customer draws must give the same outcome.
    rows = tiny_world.candidates.rows
    same = np.flatnonzero(logs["nearest"].accepted & logs["rating_priority"].accepted)
    agree = logs["nearest"].shop[same] == logs["rating_priority"].shop[same]
    assert agree.mean() > 0.5 and rows.shape[0] == len(logs["nearest"].shop)


def test_the_hub_beats_nearest_and_round_robin_on_a_small_market(small_run):
    m = small_run[0]["metrics"]
    hub, rules = m["hub"], (m["nearest"], m["round_robin"])
    assert hub["acceptance_rate"] > max(r["acceptance_rate"] for r in rules)
    assert hub["mean_wait_days"] <= 0.7 * min(r["mean_wait_days"] for r in rules)
    assert hub["utilization_gini"] < min(r["utilization_gini"] for r in rules)
    assert hub["new_shop_target_rate"] > 1.1 * max(r["new_shop_target_rate"] for r in rules)
    assert hub["mean_claim_cost"] <= 1.03 * min(r["mean_claim_cost"] for r in rules)


def test_the_hubs_regret_per_claim_falls_over_the_run(small_run):
    trend = small_run[0]["regret_trend"]["hub"]
    assert trend["regret_slope_per_day"] < 0
    assert trend["regret_last_third"] < trend["regret_first_third"]


def test_ranking_one_by_one_gives_close_results_to_ranking_in_batches():
    same = TINY | {"policies": ["hub"], "hub_relax_capacity": False}
    batch = simulate(load_config(None, same), None, False)["metrics"]["hub"]
    single = simulate(load_config(None, same | {"hub_batch": False}), None, False)["metrics"]["hub"]
    assert single["acceptance_rate"] == pytest.approx(batch["acceptance_rate"], abs=0.03)
    assert single["mean_wait_days"] == pytest.approx(batch["mean_wait_days"], abs=0.25)


def test_gini_is_zero_for_equal_use_and_near_one_when_one_shop_takes_everything():
    assert gini(np.full(10, 0.4)) == pytest.approx(0.0)
    assert gini(np.array([0.0] * 99 + [1.0])) == pytest.approx(0.99)
