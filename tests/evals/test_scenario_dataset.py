"""The scenario set: large enough, bilingual, every persona of the issue, and a format that refuses typos."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from evals.scenarios.model import END_STATES, Scenario, ScenarioError, parse_scenario

PERSONAS = (
    "terse", "stressed", "changes city", "rejects too far", "own shop named", "wants human upfront",
    "injects upfront", "injects later", "angry", "injured passenger", "third party claim", "near office",
    "past bad shops",
)  # fmt: skip
VALID: dict[str, Any] = {
    "id": "t-1",
    "language": "en",
    "persona": "terse",
    "goal": {"city": "Shanghai", "make": "BMW", "damage": ["collision"]},
    "opening": ["situation"],
    "expect": {"end": "booked"},
}


def test_there_are_at_least_60_scenarios_half_chinese_half_english(scenarios: dict[str, Scenario]) -> None:
    languages = Counter(s.language for s in scenarios.values())
    assert len(scenarios) >= 60
    assert languages["en"] == languages["zh"]


def test_every_persona_the_issue_names_is_played_in_both_languages(scenarios: dict[str, Scenario]) -> None:
    played = {(s.persona, s.language) for s in scenarios.values()}
    for persona in PERSONAS:
        assert {(persona, "en"), (persona, "zh")} <= played, persona


def test_every_end_state_is_expected_somewhere(scenarios: dict[str, Scenario]) -> None:
    assert {s.end for s in scenarios.values()} == set(END_STATES)


def test_scenarios_with_a_rejection_say_why(scenarios: dict[str, Scenario]) -> None:
    reasons = {m.reason for s in scenarios.values() for m in s.moves if m.act == "reject"}
    assert {"too_far", "wants_authorized", "too_expensive", "low_quality", "too_slow"} <= reasons


def test_a_rejection_for_a_4s_dealer_makes_the_dealer_a_hard_constraint(
    scenarios: dict[str, Scenario],
) -> None:
    scenario = scenarios["en-08-rejects-not-4S"]
    assert scenario.goal.dealer is None
    assert scenario.final_goal().dealer == "authorized"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"language": "fr"}, "language"),
        ({"expect": {"end": "happy"}}, "expect.end"),
        ({"opening": ["situation", "shout"]}, "shout"),
        ({"goal": {"city": "Atlantis", "make": "BMW", "damage": ["collision"]}}, "Atlantis"),
        ({"goal": {"city": "Shanghai", "make": "Trabant", "damage": ["collision"]}}, "Trabant"),
        ({"goal": {"city": "Shanghai", "make": "BMW", "damage": ["dent"]}}, "dent"),
        ({"moves": [{"act": "reject", "reason": "smelly"}]}, "smelly"),
        ({"opening": ["situation", "inject"]}, "inject_target"),
        ({"goal": {"city": "Shanghai", "make": "BMW", "damage": ["collision"], "max_km": 5}}, "constraints"),
        ({"goal": {"make": "BMW", "damage": ["collision"]}}, "city"),
        ({"setup": {"flooded": 2}}, "flooded"),
    ],
)
def test_a_malformed_scenario_is_refused_naming_it_and_the_field(change: dict[str, Any], named: str) -> None:
    with pytest.raises(ScenarioError, match="t-1") as error:
        parse_scenario({**VALID, **change})
    assert named in str(error.value)


def test_a_scenario_without_its_expected_end_is_refused() -> None:
    with pytest.raises(ScenarioError, match="t-1"):
        parse_scenario({k: v for k, v in VALID.items() if k != "expect"})
