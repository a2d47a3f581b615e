"""Properties of `explain` over ~600 real recommendations, in both languages."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from assistant.explain import ExplainNeeds, check_faithfulness, explain
from assistant.explain.compose import MAX_DECIDERS
from assistant.explain.facts import Facts
from assistant.explain.phrases import TOPICS, WORDS, Asked
from dispatch_core.domain import Factor, Recommendation
from tests.assistant.explain.decisions import Case

LANGUAGES = ("en", "zh")
NOT_WORDED = {"travel_minutes", "exploration_bonus", "new_shop"}  # weight 0, or the exploration clause
NEW = {"en": "new partner shop", "zh": "新引入"}
TRYING = {"en": "know less about", "zh": "了解还不多"}


def _text(case: Case, lang: str, needs: ExplainNeeds | None = None) -> str:
    return explain(case.rec, case.shop, lang, case.make, needs or case.needs)  # type: ignore[arg-type]


def _evidence(case: Case, name: str, lang: str) -> str | None:
    """What the text must contain when factor `name` decided, or None when the data support no wording."""
    v = case.factor
    en = lang == "en"
    bays = int(v("free_bays"))
    words: dict[str, Callable[[], str | None]] = {
        "distance_km": lambda: f"{v('distance_km'):.1f} km" if en else f"{v('distance_km'):.1f}公里",
        "utilization_balance": lambda: (
            (f" bay{'s' * (bays > 1)} free" if en else f"{bays}个空闲工位") if bays >= 1 else None
        ),
        "rating": lambda: (
            f"rated {v('rating'):.1f}" if en else f"评价{'平均' * (v('review_count') > 1)}{v('rating'):.1f}分"
        ),
        "expected_wait_days": lambda: (
            ("right away" if en else "立即") if v("expected_wait_days") < 0.05 else None
        ),
        "complaint_rate": lambda: "complaint rate" if en else "投诉率",
        "cycle_days": lambda: "on average" if en else "平均维修周期",
        "parts_in_stock": lambda: ("in stock" if en else "配件库存") if v("parts_in_stock") > 0 else None,
        "cost_index": lambda: (
            ("below the reference" if en else "低于参考") if v("cost_index") < 0.95 else None
        ),
        "authorized_for_make": lambda: ("authorized" if en else "授权") if v("authorized_for_make") else None,
        "certified_for_damage": lambda: (
            ("certified" if en else "认证") if v("certified_for_damage") == 1 else None
        ),
        "courtesy_cars": lambda: "courtesy car" if en else "代步车",
        "pickup_service": lambda: "pick-up" if en else "取送车",
        "deadline_slack_days": lambda: "deadline" if en else "期限",
    }
    same = {"free_bays": "utilization_balance", "review_count": "rating", "learned_value": "rating"}
    same |= {"rework_rate": "complaint_rate", "insurer_cost": "cost_index"}
    return words[same.get(name, name)]()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_explanation_passes_the_faithfulness_check(cases: list[Case], lang: str) -> None:
    failures = [
        (c.rec.shop_id, t, p) for c in cases if (p := check_faithfulness(t := _text(c, lang), c.rec, c.shop))
    ]
    assert len(cases) >= 500
    assert failures == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explanations_without_stated_needs_are_faithful_too(cases: list[Case], lang: str) -> None:
    texts = [(c, explain(c.rec, c.shop, lang)) for c in cases]  # type: ignore[arg-type]
    assert [(c.rec.shop_id, t) for c, t in texts if check_faithfulness(t, c.rec, c.shop)] == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_three_largest_contributions_are_named(cases: list[Case], lang: str) -> None:
    missing, named = [], 0
    for case in cases:
        text = _text(case, lang)
        ranked = sorted(
            (f for f in case.rec.factors if f.name not in NOT_WORDED), key=lambda f: -f.contribution
        )
        for factor in ranked[:3]:
            evidence = _evidence(case, factor.name, lang)
            if evidence is not None:
                named += 1
                if evidence not in text:
                    missing.append((factor.name, evidence, text))
    assert missing == []
    assert named >= 1.5 * len(cases)  # most deciders can be worded; the check is not vacuous


def test_clauses_come_in_order_of_their_topics_total_contribution(cases: list[Case]) -> None:
    for case in cases:
        text = _text(case, "en")
        facts = Facts.of(case.rec, case.shop)
        needs = case.needs
        asked = Asked(needs.courtesy_car, needs.pickup, needs.deadline_days is not None, needs.authorized)
        said = {t.say(facts, "en", case.make, asked): t for t in TOPICS}
        said |= {
            str(c)[:1].upper() + str(c)[1:]: t for c, t in said.items()
        }  # the first clause is capitalised
        clauses = text.rstrip(".").split(";")[0].split(", ")
        assert all(c in said for c in clauses), text
        weights = [facts.contribution(*said[c].factors) for c in clauses]
        assert weights == sorted(weights, reverse=True), text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_exploration_picks_of_new_shops_say_so_and_no_other_does(cases: list[Case], lang: str) -> None:
    new_picks = [c for c in cases if c.rec.exploration and c.factor("new_shop") == 1]
    assert new_picks, "the sample must hold exploration picks of new shops"
    for case in cases:
        text = _text(case, lang)
        is_new_pick = case.rec.exploration and case.factor("new_shop") == 1
        assert (NEW[lang] in text) == is_new_pick, text
        assert (TRYING[lang] in text) == (case.rec.exploration and not is_new_pick), text


@pytest.mark.parametrize(
    ("need", "factor", "offered", "not_offered"),
    [
        ("courtesy_car", "courtesy_cars", "offers a courtesy car", "does not offer a courtesy car"),
        ("pickup", "pickup_service", "offers pick-up", "does not offer pick-up"),
    ],
)
def test_a_service_is_mentioned_only_when_asked_and_said_offered_only_when_offered(
    cases: list[Case], need: str, factor: str, offered: str, not_offered: str
) -> None:
    asked_and_offered = 0
    for case in cases:
        for asked in (True, False):
            text = _text(case, "en", replace(case.needs, **{need: asked}))
            has = case.factor(factor) > 0
            asked_and_offered += asked and has
            assert (offered in text) == (asked and has) and not text.startswith(offered.capitalize()), text
            assert (not_offered in text) == (asked and not has), text
    assert asked_and_offered > 0


def test_a_courtesy_car_is_not_mentioned_when_the_factor_carried_no_weight(cases: list[Case]) -> None:
    for case in cases:
        if not case.request.needs_courtesy_car:
            assert "代步车" not in explain(case.rec, case.shop, "zh")
            assert "courtesy" not in explain(case.rec, case.shop, "en")


def test_parts_in_stock_are_said_only_when_the_stock_is_positive(cases: list[Case]) -> None:
    for case in cases:
        assert ("in stock" in _text(case, "en")) <= (case.factor("parts_in_stock") > 0)


def test_an_authorized_dealer_request_names_the_make_in_both_languages(cases: list[Case]) -> None:
    wanted = [c for c in cases if c.needs.authorized and c.make]
    assert wanted
    for case in wanted:
        assert f"{case.make}-authorized as you asked" in _text(case, "en")
        assert "授权4S店（按您的要求）" in _text(case, "zh")


def test_numbers_are_printed_as_arabic_numerals_never_chinese_ones(cases: list[Case]) -> None:
    for case in cases[:100]:
        assert not set(_text(case, "zh")) & set("零〇一二两三四五六七八九十百千万")


def test_an_unknown_language_or_another_shop_is_refused(cases: list[Case]) -> None:
    first, other = cases[0], next(c for c in cases if c.shop.shop_id != cases[0].shop.shop_id)
    with pytest.raises(ValueError, match="'en' or 'zh'"):
        explain(first.rec, first.shop, "fr")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cannot be explained"):
        explain(first.rec, other.shop, "en")


def _plain_explain(case: Case, rec: Recommendation, lang: str) -> str:
    """`explain` as its rules read, without the speed-ups of `compose` (unpacked topics, tuple sorts)."""
    facts, needs = Facts.of(rec, case.shop), case.needs
    asked = Asked(needs.courtesy_car, needs.pickup, needs.deadline_days is not None, needs.authorized)
    said: list[tuple[float, int, str]] = []
    optional: list[tuple[float, int, str]] = []
    for order, topic in enumerate(TOPICS):
        text = topic.say(facts, lang, case.make, asked)  # type: ignore[arg-type]
        if text is not None:
            weight = facts.contribution(*topic.factors)
            if topic.always or (topic.name == "authorized" and asked.authorized is not None):
                said.append((weight, order, text))
            elif weight > 0:
                optional.append((weight, order, text))
    said += sorted(optional, key=lambda s: (-s[0], s[1]))[:MAX_DECIDERS]
    comma, semicolon, stop = {"en": (", ", "; ", "."), "zh": ("，", "；", "。")}[lang]
    body = comma.join(text for _, _, text in sorted(said, key=lambda s: (-s[0], s[1])))
    if rec.exploration:
        body += semicolon + WORDS[lang]["new" if facts.is_new_exploration() else "trying"]
    return body[:1].upper() + body[1:] + stop


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explain_says_what_its_rules_say_also_for_tied_zero_and_odd_contributions(
    cases: list[Case], lang: str
) -> None:
    rng = np.random.default_rng(3)
    odd = (0.0, -0.0, 0.05, 0.05, -0.01, 1, math.nan, math.inf)  # ties, signed zeros, an int, NaN
    for case in cases[:300]:
        picks = rng.integers(len(odd), size=len(case.rec.factors))
        keep = rng.random(len(case.rec.factors)) < 0.6
        factors = tuple(
            Factor(f.name, f.value, f.contribution if k else odd[j])
            for f, k, j in zip(case.rec.factors, keep, picks, strict=True)
        )
        for rec in (case.rec, replace(case.rec, factors=factors)):
            text = explain(rec, case.shop, lang, case.make, case.needs)  # type: ignore[arg-type]
            assert text == _plain_explain(case, rec, lang)
