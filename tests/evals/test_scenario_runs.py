"""Scenario runs on the real product (local backend): a healthy sample passes every check, the LLM user
plugs into the same runner, and every check is named in the result."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from evals.scenarios.checks import CHECK_NAMES, check_episode
from evals.scenarios.episode import run_episode
from evals.scenarios.llm_user import LLMUser, llm_user_factory
from evals.scenarios.logs import LogCapture
from evals.scenarios.model import Scenario
from evals.scenarios.suite import run_suite
from evals.scenarios.wiring import EvalWorld

HEALTHY = (
    "en-01-straightforward", "zh-02-terse", "en-07-rejects-too-far", "zh-08-rejects-not-4S",
    "en-16-own-shop-named", "zh-18-wants-human-upfront", "en-21-injects-upfront", "zh-24-injured-passenger",
    "en-27-third-party-claim", "zh-29-near-office", "en-31-past-bad-shops", "zh-32-tight-market",
    "en-33-shares-pii", "zh-13-browses",
)  # fmt: skip


def test_a_sample_of_scenarios_passes_every_check_on_a_healthy_build(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    suite = run_suite(world, [scenarios[i] for i in HEALTHY], k=1, progress=False)
    failed = {r.scenario_id: [(c.name, c.message) for c in r.failures] for r in suite.runs if not r.passed}
    assert failed == {}
    assert suite.pass_hat(1) == 1.0 and suite.faithfulness()["faithful_share"] == 1.0


def test_every_run_is_judged_by_every_named_check(world: EvalWorld, scenarios: dict[str, Scenario]) -> None:
    with LogCapture() as logs:
        episode = run_episode(world, scenarios["en-20-never-satisfied"], 0, logs)
    results = check_episode(episode)
    assert [r.name for r in results] == list(CHECK_NAMES)
    applicable = {r.name for r in results if r.applicable}
    assert {
        "end_state",
        "rejected_never_return",
        "alternatives_after_rejection",
        "handoff_ticket",
    } <= applicable


def test_runs_are_reproducible_for_a_seed(world: EvalWorld, scenarios: dict[str, Scenario]) -> None:
    scenario = scenarios["en-09-rejects-too-expensive"]
    with LogCapture() as logs:
        first, again = (run_episode(world, scenario, 3, logs) for _ in range(2))
    assert [t.text for t in first.turns] == [t.text for t in again.turns]
    assert [t.recommendations for t in first.turns] == [t.recommendations for t in again.turns]


def test_the_market_setup_blocks_the_shops_the_assistant_would_have_offered(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    with LogCapture() as logs:
        episode = run_episode(world, scenarios["en-32-tight-market"], 0, logs)
    blocked = set(episode.prepared.full) | set(episode.prepared.closed)
    assert len(blocked) == 5
    assert not blocked & {str(s.payload["shop_id"]) for s in episode.shown}


class ScriptedChatModel:
    """A chat model that answers from a script and records what it was sent."""

    def __init__(self, answers: list[str]) -> None:
        self.answers, self.calls = list(answers), []  # type: list[str], list[Any]

    def invoke(self, messages: Any) -> Any:
        self.calls.append(messages)
        return SimpleNamespace(content=self.answers.pop(0) if self.answers else "[END]")


def test_the_llm_user_plays_through_the_same_runner_and_checks(
    world: EvalWorld, scenarios: dict[str, Scenario]
) -> None:
    model = ScriptedChatModel(
        [
            "ACT: say\nHi, my Volkswagen got rear-ended in Shanghai and the bumper is smashed.",
            "ACT: pick 2\nThe second one please.",
            "ACT: thanks\nThanks!",
            "[END]",
        ]
    )
    with LogCapture() as logs:
        episode = run_episode(world, scenarios["en-01-straightforward"], 0, logs, llm_user_factory(model))
    assert episode.state["stage"] == "booked"
    assert all(r.passed for r in check_episode(episode))
    assert episode.turns[1].act.kind == "pick" and episode.turns[1].act.rank == 2
    system = model.calls[0][0].content
    assert "Volkswagen" in system and "Shanghai" in system and "English" in system


@pytest.mark.parametrize("answer", ["Just a message with no label", "ACT: dance\nLet's dance"])
def test_an_llm_message_without_a_known_label_counts_as_saying_something(
    scenarios: dict[str, Scenario], answer: str
) -> None:
    user = LLMUser(scenarios["zh-01-straightforward"], ScriptedChatModel([answer]))
    text = user.opening()
    assert user.last_act.kind == "say" and text and "ACT" not in text
