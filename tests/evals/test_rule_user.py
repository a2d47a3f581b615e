"""The rule-driven policyholder: reads the question in either language, answers from its goal, is seeded."""

from __future__ import annotations

import random

import pytest

from assistant.prompts import load_templates
from evals.scenarios.model import Scenario
from evals.scenarios.turns import Observation
from evals.scenarios.user import RuleUser, asked_field

SLATE = [{"shop_id": f"S00000{i}", "rank": i, "distance_km": float(i)} for i in (1, 2, 3)]


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize(
    ("template", "field"),
    [("ask_location", "location"), ("ask_make", "make"), ("ask_damage", "damage"),
     ("ask_third_party", "third_party")],
)  # fmt: skip
def test_the_user_tells_what_the_assistant_asks_in_either_language(
    language: str, template: str, field: str
) -> None:
    assert asked_field(load_templates("local_replies").render(template, language)) == field


def test_a_slate_is_not_mistaken_for_a_question() -> None:
    assert asked_field("Here are the shops I recommend near Shanghai: 1. A: 2.0 km away.") is None


def test_the_same_seed_gives_the_same_words_and_another_seed_may_not(scenarios: dict[str, Scenario]) -> None:
    scenario = scenarios["en-01-straightforward"]
    first = [RuleUser(scenario, random.Random(f"x:{seed}")).opening() for seed in range(6)]
    again = [RuleUser(scenario, random.Random(f"x:{seed}")).opening() for seed in range(6)]
    assert first == again and len(set(first)) > 1


def test_a_terse_user_answers_a_question_with_a_word(scenarios: dict[str, Scenario]) -> None:
    user = RuleUser(scenarios["zh-02-terse"], random.Random(0))
    user.opening()
    answer = user.respond(
        Observation(load_templates("local_replies").render("ask_location", "zh"), "gathering", [])
    )
    assert answer == "上海"


def test_the_user_plays_its_script_on_each_offer_then_picks(scenarios: dict[str, Scenario]) -> None:
    user = RuleUser(scenarios["en-13-browses"], random.Random(0))
    user.opening()
    kinds = []
    for _ in range(3):
        user.respond(Observation("Here are the shops", "offered", SLATE))
        kinds.append(user.last_act.kind)
    assert kinds == ["more", "more", "pick"]
    assert user.last_act.shop == "S000003" and user.last_act.rank == 3


def test_a_rejection_names_every_shop_on_the_table(scenarios: dict[str, Scenario]) -> None:
    user = RuleUser(scenarios["zh-07-rejects-too-far"], random.Random(0))
    user.opening()
    text = user.respond(Observation("为您推荐以下维修厂", "offered", SLATE))
    assert text and ("远" in text)
    assert user.last_act.kind == "reject" and user.last_act.reason == "too_far"
    assert user.last_act.targets == ("S000001", "S000002", "S000003")


def test_no_alternative_after_a_rejection_makes_the_user_ask_for_a_person(
    scenarios: dict[str, Scenario],
) -> None:
    user = RuleUser(scenarios["en-07-rejects-too-far"], random.Random(0))
    user.opening()
    user.respond(Observation("Here are the shops", "offered", SLATE))
    user.respond(Observation("I couldn't find a shop that meets everything you asked for.", "offered", []))
    assert user.last_act.kind == "human"


def test_the_user_stops_after_one_message_past_its_end_state(scenarios: dict[str, Scenario]) -> None:
    user = RuleUser(scenarios["en-01-straightforward"], random.Random(0))
    user.opening()
    assert user.respond(Observation("Done: booked.", "booked", [])) is not None
    assert user.respond(Observation("Your repair is arranged.", "booked", [])) is None
