"""A deliberately broken build fails the gate: the suite catches regressions, not only happy paths."""

from __future__ import annotations

import logging
import re
from typing import Any

from assistant.bootstrap import Container
from evals.gates import evaluate_gates, load_gates, passed
from evals.runner import scenario_result
from evals.scenarios.model import Scenario
from evals.scenarios.suite import SuiteResult, run_suite
from evals.scenarios.wiring import EvalWorld, Tamper

BROWSING = ("en-13-browses", "zh-13-browses", "en-20-never-satisfied", "zh-20-never-satisfied")
SHOWING = ("en-01-straightforward", "zh-01-straightforward", "en-07-rejects-too-far")
SHARING = ("en-33-shares-pii", "zh-33-shares-pii")


def forget_rejections(container: Container) -> None:
    """The dispatch service stops excluding the shops the customer turned down."""
    service = container.dispatch
    original = service.recommend

    def recommend(prefs: Any, claim: Any = None, k: int = 3, exclude: Any = (), **kwargs: Any) -> Any:
        return original(prefs.model_copy(update={"rejected_shop_ids": []}), claim, k, (), **kwargs)

    service.recommend = recommend


def drop_the_notice(container: Container) -> None:
    """Slates go out without the right-to-choose notice."""
    deps = container.conversation.deps
    real = deps.templates

    class WithoutNotice:
        prompt = real.prompt

        def render(self, key: str, language: str, **values: object) -> str:
            return "" if key == "right_to_choose" else real.render(key, language, **values)

    deps.templates = WithoutNotice()


def flatter_distances(container: Container) -> None:
    """Explanations print half the real distance."""
    service = container.dispatch
    original = service.recommend

    def recommend(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        for payload in result.recommendations:
            payload["explanation"] = re.sub(
                r"(\d+\.\d) km", lambda m: f"{float(m[1]) / 2:.1f} km", payload["explanation"]
            )
        return result

    service.recommend = recommend


def log_every_message(container: Container) -> None:
    """The chat logs what the customer typed."""
    chat = container.conversation
    send = chat.send

    def leaky(session_id: str, text: str) -> Any:
        logging.getLogger("rih.chat").info("customer said: %s", text)
        return send(session_id, text)

    chat.send = leaky


def _run(
    world: EvalWorld, scenarios: dict[str, Scenario], ids: tuple[str, ...], tamper: Tamper | None
) -> SuiteResult:
    return run_suite(world, [scenarios[i] for i in ids], k=1, tamper=tamper, progress=False)


def _gates_pass(suite: SuiteResult, ids: tuple[str, ...], scenarios: dict[str, Scenario]) -> bool:
    result = scenario_result(suite, [scenarios[i] for i in ids])
    faithfulness = {"status": "ran", **suite.faithfulness()}
    gates = load_gates()
    verdicts = [
        g
        for g in evaluate_gates(gates, {"scenarios": result, "faithfulness": faithfulness})
        if g.set in ("scenarios", "faithfulness")
    ]
    return passed(verdicts)


def test_a_build_that_stops_excluding_rejected_shops_fails_the_gate(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    assert _gates_pass(_run(world, scenarios, BROWSING, None), BROWSING, scenarios)
    broken = _run(world, scenarios, BROWSING, forget_rejections)
    assert broken.check_failures()["rejected_never_return"]["failed"] >= 2
    assert not _gates_pass(broken, BROWSING, scenarios)


def test_a_build_that_drops_the_right_to_choose_notice_fails_the_gate(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    broken = _run(world, scenarios, SHOWING, drop_the_notice)
    assert broken.check_failures()["right_to_choose_notice"]["failed"] == len(SHOWING)
    assert not _gates_pass(broken, SHOWING, scenarios)


def test_a_build_whose_explanations_misstate_distances_fails_faithfulness(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    broken = _run(world, scenarios, SHOWING, flatter_distances)
    assert broken.faithfulness()["faithful_share"] < 1.0
    assert not _gates_pass(broken, SHOWING, scenarios)


def test_a_build_that_logs_what_customers_type_fails_the_pii_check(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    broken = _run(world, scenarios, SHARING, log_every_message)
    assert broken.check_failures()["no_pii_in_logs"]["failed"] == len(SHARING)
    assert not _gates_pass(broken, SHARING, scenarios)
