"""`check_faithfulness` catches changed numbers and unsupported claims, and passes faithful wording."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.explain import check_faithfulness, explain, right_to_choose_notice
from assistant.explain.numbers import stated_numbers, zh_number
from tests.assistant.explain.decisions import Case

SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
ZH_DIGITS = "零一二三四五六七八九"


def _pick(cases: list[Case], where: str = "any") -> list[Case]:
    chosen = {
        "any": cases,
        "not dealer": [c for c in cases if c.shop.shop_type != "4s_dealer"],
        "dealer": [c for c in cases if c.shop.authorized_makes],
        "not exploring": [c for c in cases if not c.rec.exploration],
        "no courtesy car": [c for c in cases if c.shop.courtesy_cars == 0],
        "courtesy car": [c for c in cases if c.shop.courtesy_cars > 0],
    }[where]
    assert chosen
    return chosen


@SETTINGS
@given(data=st.data(), delta=st.integers(min_value=1, max_value=500), lang=st.sampled_from(["en", "zh"]))
def test_a_changed_distance_rating_or_review_count_is_caught(
    cases: list[Case], data: st.DataObject, delta: int, lang: str
) -> None:
    case = data.draw(st.sampled_from(cases))
    text = explain(case.rec, case.shop, lang, case.make, case.needs)  # type: ignore[arg-type]
    targets = [
        (r"(\d+\.\d)(?= km|公里)", 0.1, case.rec.distance_km),
        (r"(?<=rated )(\d\.\d)|(\d\.\d)(?=分)", 0.1, case.shop.rating),
        (r"(\d+)(?= reviews|条评价)", 1.0, case.shop.review_count),
    ]
    pattern, step, source = data.draw(st.sampled_from(targets))
    found = re.search(pattern, text)
    if found is None:
        return
    shown = found.group()
    changed = f"{float(shown) + delta * step:.{1 if step < 1 else 0}f}"
    if abs(float(changed) - source) <= 0.5 * step + 1e-6:
        return  # the true value sits on a rounding midpoint (4.45): both 4.4 and 4.5 state it faithfully
    tampered = text[: found.start()] + changed + text[found.end() :]
    problems = check_faithfulness(tampered, case.rec, case.shop)
    assert any(changed in p for p in problems), (tampered, problems)


@pytest.mark.parametrize(
    ("where", "claim"),
    [
        ("not dealer", "BMW-authorized"),
        ("not dealer", "宝马授权4S店"),
        ("not dealer", "a brand-authorized 4S dealer"),
        ("not exploring", "a new partner shop we are introducing"),
        ("not exploring", "这是我们新引入的合作门店"),
        ("not exploring", "a shop we know less about, which we are trying out"),
        ("no courtesy car", "offers a courtesy car as you asked"),
        ("no courtesy car", "可按您的要求提供代步车"),
        ("courtesy car", "does not offer a courtesy car"),
        ("courtesy car", "该店不提供代步车"),
    ],
)
def test_a_false_claim_appended_to_a_faithful_text_is_caught(
    cases: list[Case], where: str, claim: str
) -> None:
    for case in _pick(cases, where)[:40]:
        text = explain(case.rec, case.shop, "en", case.make) + " " + claim + "."
        assert check_faithfulness(text, case.rec, case.shop), text


def test_an_authorization_for_a_make_the_dealer_does_not_hold_is_caught(cases: list[Case]) -> None:
    for case in _pick(cases, "dealer")[:40]:
        other = next(m for m in ("Porsche", "Toyota", "BYD") if m not in case.shop.authorized_makes)
        own = case.shop.authorized_makes[0]
        assert check_faithfulness(f"{other}-authorized.", case.rec, case.shop)
        assert check_faithfulness(f"{own}-authorized.", case.rec, case.shop) == []


def test_parts_and_immediate_start_need_their_factors(cases: list[Case]) -> None:
    for case in cases[:200]:
        parts = check_faithfulness("Parts in stock.", case.rec, case.shop)
        assert (parts == []) == (case.factor("parts_in_stock") > 0)
        now = check_faithfulness("可立即接车。", case.rec, case.shop)
        assert (now == []) == (case.factor("expected_wait_days") < 0.5)


def test_chinese_numerals_are_read_and_checked(cases: list[Case]) -> None:
    case = cases[0]
    reviews = int(case.factor("review_count"))
    right = "".join(ZH_DIGITS[int(d)] for d in str(reviews)) + "条评价"
    wrong = "".join(ZH_DIGITS[int(d)] for d in str(reviews + 7)) + "条评价"
    assert check_faithfulness(right, case.rec, case.shop) == []
    assert check_faithfulness(wrong, case.rec, case.shop)
    assert zh_number("三百一十二") == (312.0, 0) and zh_number("四点七") == (4.7, 1)
    assert [s.kind for s in stated_numbers("百分之三点三，两个空闲工位，十分满意")] == ["percent", "bays"]


def test_names_times_and_full_width_digits_are_not_false_alarms(cases: list[Case]) -> None:
    case = next(c for c in _pick(cases, "dealer") if c.factor("authorized_for_make") == 1)
    rating = f"{case.factor('rating'):.1f}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    make, hour = case.shop.authorized_makes[0], case.shop.open_hour
    text = f"{make}-authorized 4S dealer, ISO 9001 too; rated {rating}/5"
    opening = f"Open from {int(hour):d}:{round(hour % 1 * 60):02d}."
    assert check_faithfulness(text + "。" + "4S店", case.rec, case.shop) == []
    assert check_faithfulness(opening, case.rec, case.shop) == []
    assert check_faithfulness(f"Open from {int(hour + 1):d}:{round(hour % 1 * 60):02d}.", case.rec, case.shop)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_right_to_choose_notice_offers_any_shop_and_claims_nothing(cases: list[Case], lang: str) -> None:
    notice = right_to_choose_notice(lang)  # type: ignore[arg-type]
    assert (
        ("any repair shop" in notice and "not suggested" in notice)
        if lang == "en"
        else "任何维修门店" in notice
    )
    assert all(check_faithfulness(notice, c.rec, c.shop) == [] for c in cases[:50])
