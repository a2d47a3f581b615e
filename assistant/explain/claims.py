"""Worded claims a text may make about a shop ("BMW-authorized", "a new partner shop", "offers a courtesy
car") and the facts that must back each, said or denied ("does not offer a courtesy car").

A text is read clause by clause; a claim is judged within its clause, so "not" or "不" negates only its own
clause and a make named in an authorisation clause must be one the shop is authorized for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.explain.facts import DEALER, Facts
from retrieval.catalog.vocabulary import CERTIFICATIONS, MAKES

Check = Callable[[Facts, str], bool]
_CLAUSE = re.compile(r"[,;:!?，；：、。！？()（）\n]|(?<!\d)\.|\.(?!\d)|\bbut\b|但")
_NEGATION = re.compile(
    r"\b(?:not|no|non|never|without|doesn't|does not|isn't|cannot|can't|unable|miss(?:es)?|out of)\b"
    r"|不(?!错|仅)|没有|无|非(?!常)|未|缺货",
    re.IGNORECASE,
)
_MAKE_RES = tuple(
    (m.name, re.compile(rf"(?<![A-Za-z]){re.escape(m.name)}(?![A-Za-z])|{re.escape(m.zh)}", re.IGNORECASE))
    for m in MAKES
)


@dataclass(frozen=True)
class Claim:
    """`holds` judges the claim as said; `denied` as negated in its clause (None: negation does not apply)."""

    name: str
    pattern: re.Pattern[str]
    holds: Check
    denied: Check | None = None


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c.strip()]


def is_negated(clause: str) -> bool:
    return _NEGATION.search(clause) is not None


def makes_named(clause: str) -> list[str]:
    return [name for name, pattern in _MAKE_RES if pattern.search(clause)]


def _authorized(f: Facts, clause: str) -> bool:
    named = makes_named(clause)
    if any(make not in f.shop.authorized_makes for make in named):
        return False
    return f.value("authorized_for_make") == 1.0 or bool(named)


def _not_authorized(f: Facts, clause: str) -> bool:
    named = makes_named(clause)
    if named:
        return not set(named) & set(f.shop.authorized_makes)
    return f.value("authorized_for_make") == 0.0 and f.shop.shop_type != DEALER


def _certified(f: Facts, clause: str) -> bool:
    lowered = clause.lower()
    named = [c for c in CERTIFICATIONS if c.lower() in lowered]
    return f.value("certified_for_damage") >= 1.0 or any(c in f.shop.certifications for c in named)


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "authorized",
        _re(r"authori[sz]ed|(?<!-)\bdealer(?:ship)?\b|\b4S\b|授权|4S店|特约"),
        _authorized,
        _not_authorized,
    ),
    Claim(
        "independent",
        _re(r"\bindependent\b|non-dealer|综合修理厂"),
        lambda f, c: f.shop.shop_type != DEALER and f.value("authorized_for_make") != 1.0,
    ),
    Claim(
        "new partner",
        _re(
            r"\bnew(?:ly)?\b(?:\s+\w+){0,2}\s+(?:partner|shop|garage|member)|\bintroduc|新引入|新加入|新合作|新开|新店|新门店"
        ),
        lambda f, c: f.is_new_exploration(),
        lambda f, c: f.value("new_shop") != 1.0,
    ),
    Claim(
        "trying out",
        _re(r"know less|less well|less known|trying (?:it |this shop )?out|了解得?还?不多|了解较少|尝试"),
        lambda f, c: f.rec.exploration,
    ),
    Claim(
        "courtesy car",
        _re(r"courtesy car|loaner|replacement car|代步车"),
        lambda f, c: f.value("courtesy_cars") > 0 and f.shop.courtesy_cars > 0,
        lambda f, c: f.shop.courtesy_cars == 0,
    ),
    Claim(
        "pick-up",
        _re(r"pick-?up|drop-off|取送车|上门取车|接送车"),
        lambda f, c: f.value("pickup_service") > 0 and f.shop.pickup_service,
        lambda f, c: not f.shop.pickup_service,
    ),
    Claim(
        "parts in stock",
        _re(r"\bin stock\b|\bparts available\b|配件[^，；。]*库存|库存[^，；。]*配件|有[^，；。]*配件"),
        lambda f, c: f.value("parts_in_stock") > 0,
        lambda f, c: f.value("parts_in_stock") == 0,
    ),
    Claim("certified", _re(r"certifi|认证"), _certified, lambda f, c: f.value("certified_for_damage") == 0.0),
    Claim(
        "free bays",
        _re(r"spare capacity|room for|free bays?|bays? free|空闲工位|空余工位|有空位"),
        lambda f, c: f.value("free_bays") > 0,
        lambda f, c: f.value("free_bays") == 0,
    ),
    Claim(
        "right by you",
        _re(r"right by you|next to you|next door|就在您身边|就在附近|近在咫尺"),
        lambda f, c: f.rec.distance_km < 0.5,
    ),
    Claim(
        "right away",
        _re(r"right away|immediately|straight away|\btoday\b|立即|马上|立刻|即刻|今天|当天"),
        lambda f, c: f.value("expected_wait_days") < 0.5,
    ),
    Claim(
        "deadline",
        _re(r"deadline|\bin time\b|期限|截止|按时"),
        lambda f, c: f.value("deadline_slack_days") >= 0,
        lambda f, c: f.value("deadline_slack_days") < 0,
    ),
    Claim(
        "low prices",
        _re(
            r"below the reference|lower (?:repair )?prices|cheaper|inexpensive|affordable|低于参考|实惠|便宜"
        ),
        lambda f, c: f.value("cost_index") < 1.0,
    ),
    Claim(
        "highly rated",
        _re(r"highly rated|top-rated|well rated|excellent reviews|好评如潮|高评分|口碑很好"),
        lambda f, c: f.value("rating") >= 4.5,
    ),
)
