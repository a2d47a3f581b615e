"""Bilingual wording of each topic an explanation may name, filled only from a recommendation's facts.

A topic gathers the factors that say one thing to a customer (free bays and utilisation balance both say "it
has room for your car"). Its `say` returns None when the facts do not support a sentence (parts stock unknown,
no free bay, prices not below the reference rate), so nothing unsupported is ever written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, NamedTuple

from assistant.explain.facts import DEALER, Facts
from retrieval.catalog.vocabulary import MAKES

Language = Literal["en", "zh"]
MAKE_ZH = {m.name: m.zh for m in MAKES}
CHEAP_BELOW = 0.95  # cost index (1.0 = the reference labour and parts rate) under which prices are "below"
NOW_DAYS = 0.05  # an expected wait under this reads as "right away"
NEXT_DOOR_KM = 0.05  # closer than this prints no "0.0 km" but "right by you"
JUST_IN_TIME_DAYS = 0.5  # less slack than this before the deadline is "just in time", not "0.2 days before"

EN = {
    "distance": "{km} km away",
    "next_door": "right by you",
    "authorized_make": "{make}-authorized",
    "authorized_any": "a brand-authorized dealer",
    "as_asked": " as you asked",
    "not_dealer": "a non-dealer shop as you preferred",
    "bays": "{n} bays free",
    "bay": "1 bay free",
    "now": "can take your car right away",
    "wait": "can start in about {days} days",
    "rating": "rated {rating} from {n} reviews",
    "rating_one": "rated {rating} from 1 review",
    "complaints": "{complaints}% complaint rate and {rework}% rework rate",
    "cycle": "repairs take {days} days on average",
    "parts_make": "{make} parts in stock",
    "parts": "parts in stock",
    "cost": "repair prices below the reference rate",
    "certified": "certified for this kind of repair",
    "courtesy": "offers a courtesy car as you asked",
    "no_courtesy": "does not offer a courtesy car",
    "pickup": "offers pick-up and drop-off as you asked",
    "no_pickup": "does not offer pick-up and drop-off",
    "ahead": "should be ready about {days} days before your deadline",
    "just_in_time": "should be ready just in time for your deadline",
    "late": "may not be ready by your deadline",
    "new": "a new partner shop we are introducing",
    "trying": "a shop we know less about, which we are trying out",
}
ZH = {
    "distance": "距您{km}公里",
    "next_door": "就在您身边",
    "authorized_make": "{make}授权4S店",
    "authorized_any": "品牌授权4S店",
    "as_asked": "（按您的要求）",
    "not_dealer": "非4S店（符合您的偏好）",
    "bays": "有{n}个空闲工位",
    "bay": "有1个空闲工位",
    "now": "可立即接车",
    "wait": "约{days}天后可开始维修",
    "rating": "{n}条评价平均{rating}分",
    "rating_one": "1条评价{rating}分",
    "complaints": "投诉率{complaints}%、返修率{rework}%",
    "cycle": "平均维修周期{days}天",
    "parts_make": "有{make}配件库存",
    "parts": "有配件库存",
    "cost": "维修价格低于参考水平",
    "certified": "具备此类维修的认证资质",
    "courtesy": "可按您的要求提供代步车",
    "no_courtesy": "该店不提供代步车",
    "pickup": "可按您的要求上门取送车",
    "no_pickup": "该店不提供上门取送车",
    "ahead": "预计比您的期限早约{days}天修好",
    "just_in_time": "预计刚好能在您的期限内修好",
    "late": "可能无法在您的期限内修好",
    "new": "这是我们新引入的合作门店",
    "trying": "这家店我们了解还不多，正在尝试推荐",
}
WORDS: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}


class Asked(NamedTuple):
    """What the customer asked for, as the wording needs it."""

    courtesy_car: bool
    pickup: bool
    deadline: bool
    authorized: bool | None


Say = Callable[[Facts, Language, str | None, Asked], str | None]


@dataclass(frozen=True)
class Topic:
    name: str
    factors: tuple[str, ...]  # whose contributions add up to the topic's weight in the score
    say: Say
    always: bool = False  # said whatever its contribution (distance; what the customer asked for)


def one_decimal(x: float) -> str:
    return f"{x:.1f}"


def make_name(make: str, language: Language) -> str:
    return MAKE_ZH.get(make, make) if language == "zh" else make


def _distance(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    d = f.rec.distance_km
    return (
        WORDS[lang]["distance"].format(km=one_decimal(d)) if d >= NEXT_DOOR_KM else WORDS[lang]["next_door"]
    )


def _authorized(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    w = WORDS[lang]
    if f.value("authorized_for_make") == 1.0:
        named = make is not None and make in f.shop.authorized_makes
        text = (
            w["authorized_make"].format(make=make_name(make, lang)) if named and make else w["authorized_any"]
        )
        return text + w["as_asked"] if asked.authorized else text
    if asked.authorized is False and f.shop.shop_type != DEALER:
        return w["not_dealer"]
    return None


def _capacity(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    free = f.value("free_bays")
    if not free >= 1:
        return None
    return WORDS[lang]["bay"] if free == 1 else WORDS[lang]["bays"].format(n=int(free))


def _wait(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    wait = f.value("expected_wait_days")
    if not math.isfinite(wait):
        return None
    return WORDS[lang]["now"] if wait < NOW_DAYS else WORDS[lang]["wait"].format(days=one_decimal(wait))


def _reputation(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    rating, reviews = f.value("rating"), f.value("review_count")
    if not (math.isfinite(rating) and reviews >= 1):
        return None
    key = "rating_one" if reviews == 1 else "rating"
    return WORDS[lang][key].format(rating=one_decimal(rating), n=int(reviews))


def _complaints(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    complaints, rework = f.value("complaint_rate"), f.value("rework_rate")
    if not (math.isfinite(complaints) and math.isfinite(rework)):
        return None
    return WORDS[lang]["complaints"].format(
        complaints=one_decimal(100 * complaints), rework=one_decimal(100 * rework)
    )


def _cycle(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    days = f.value("cycle_days")
    return WORDS[lang]["cycle"].format(days=one_decimal(days)) if math.isfinite(days) else None


def _parts(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    if not f.value("parts_in_stock") > 0:  # -1 = unknown, 0 = none: neither is worth a word
        return None
    return WORDS[lang]["parts_make"].format(make=make_name(make, lang)) if make else WORDS[lang]["parts"]


def _cost(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    return WORDS[lang]["cost"] if f.value("cost_index") < CHEAP_BELOW else None


def _certified(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    # 0.5 is what the factor holds when no certification bears on the damage: only a full 1.0 is a claim.
    return WORDS[lang]["certified"] if f.value("certified_for_damage") >= 1.0 else None


def _courtesy(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    if not asked.courtesy_car:
        return None
    offered = f.value("courtesy_cars") > 0 and f.shop.courtesy_cars > 0
    return WORDS[lang]["courtesy" if offered else "no_courtesy"]


def _pickup(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    if not asked.pickup:
        return None
    offered = f.value("pickup_service") > 0 and f.shop.pickup_service
    return WORDS[lang]["pickup" if offered else "no_pickup"]


def _deadline(f: Facts, lang: Language, make: str | None, asked: Asked) -> str | None:
    slack = f.value("deadline_slack_days")
    if not asked.deadline or math.isnan(slack):
        return None
    if slack < 0:
        return WORDS[lang]["late"]
    if slack < JUST_IN_TIME_DAYS or not math.isfinite(slack):
        return WORDS[lang]["just_in_time"]
    return WORDS[lang]["ahead"].format(days=one_decimal(slack))


# Ties (equal contributions) keep this order. Not worded: travel_minutes (an estimate from the distance,
# weight 0) and the exploration terms, which get their own closing sentence.
TOPICS: tuple[Topic, ...] = (
    Topic("distance", ("distance_km",), _distance, always=True),
    Topic("authorized", ("authorized_for_make",), _authorized),
    Topic("capacity", ("utilization_balance", "free_bays"), _capacity),
    Topic("wait", ("expected_wait_days",), _wait),
    Topic("reputation", ("rating", "review_count", "learned_value"), _reputation),
    Topic("complaints", ("complaint_rate", "rework_rate"), _complaints),
    Topic("cycle", ("cycle_days",), _cycle),
    Topic("parts", ("parts_in_stock",), _parts),
    Topic("cost", ("cost_index", "insurer_cost"), _cost),
    Topic("certified", ("certified_for_damage",), _certified),
    Topic("courtesy", ("courtesy_cars",), _courtesy, always=True),
    Topic("pickup", ("pickup_service",), _pickup, always=True),
    Topic("deadline", ("deadline_slack_days",), _deadline, always=True),
)
