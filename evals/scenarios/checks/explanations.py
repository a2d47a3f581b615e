"""Checks of every explanation shown: faithful to the ranking's own factors, and naming the top factor.

Faithfulness is the product's `check_faithfulness` against the `Recommendation` object dispatch_core
returned (kept by the recording dispatch service), not against the API payload. The top factor is the
explanation topic with the largest summed contribution to the score that the data lets us put into words;
its keywords, in the explanation's language, must be in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.explain import check_faithfulness
from assistant.explain.facts import Facts
from assistant.explain.phrases import TOPICS, Asked
from dispatch_core.domain import Recommendation
from evals.scenarios.checks.result import CheckResult, not_applicable, verdict
from evals.scenarios.episode import Episode
from evals.scenarios.wiring import Shown
from retrieval.catalog.table import Shop

_CJK = re.compile(r"[\u4e00-\u9fff]")
KEYWORDS: dict[str, tuple[str, str]] = {  # topic -> (English, Chinese) pattern
    "distance": (r"km away|right by you", r"公里|就在您身边"),
    "authorized": (r"authorized", r"授权"),
    "capacity": (r"bays? free", r"空闲工位"),
    "wait": (r"right away|can start", r"立即接车|开始维修"),
    "reputation": (r"rated \d", r"评价"),
    "complaints": (r"complaint rate", r"投诉率"),
    "cycle": (r"repairs take", r"维修周期"),
    "parts": (r"parts in stock", r"配件库存"),
    "cost": (r"below the reference", r"低于参考"),
    "certified": (r"certified", r"认证"),
    "courtesy": (r"courtesy car", r"代步车"),
    "pickup": (r"pick-up", r"取送车"),
    "deadline": (r"deadline", r"期限"),
}
_ASKED_ALL = Asked(True, True, True, None)


@dataclass(frozen=True)
class ExplanationVerdict:
    shop_id: str
    faithful: bool
    names_top: bool
    problems: tuple[str, ...]


def judge(shown: Shown, episode: Episode) -> ExplanationVerdict:
    """Faithfulness and top-factor verdicts for one recommendation shown."""
    text, shop = str(shown.payload["explanation"]), episode.catalog.shop(shown.rec.shop_id)
    faithfulness = tuple(check_faithfulness(text, shown.rec, shop))
    top = top_topic(shown.rec, shop)
    language = "zh" if _CJK.search(text) else "en"
    named = top is None or _names(top, text, language)
    missing = () if named else (f"{shown.rec.shop_id}: top factor {top!r} not named in {text!r}",)
    problems = faithfulness + missing
    return ExplanationVerdict(shown.rec.shop_id, not faithfulness, named, problems)


def top_topic(rec: Recommendation, shop: Shop) -> str | None:
    """The topic whose factors added most to the score, among those the data can support a sentence on."""
    facts = Facts.of(rec, shop)
    weighted = [
        (facts.contribution(*topic.factors), topic.name)
        for topic in TOPICS
        if topic.say(facts, "en", None, _ASKED_ALL) is not None
    ]
    best = max(weighted, default=(0.0, ""))
    return best[1] if best[0] > 0 else None


def explanations_faithful(ep: Episode) -> CheckResult:
    name = "explanations_faithful"
    if not ep.shown:
        return not_applicable(name)
    verdicts = [judge(s, ep) for s in ep.shown]
    problems = [f"{v.shop_id}: {p}" for v in verdicts if not v.faithful for p in v.problems[:1]]
    for i, slate in ep.slates:
        problems += [
            f"turn {i + 1}: the explanation of {r['shop_id']} is not in the reply"
            for r in slate
            if str(r["explanation"]) not in ep.turns[i].reply
        ]
    return verdict(name, problems, f"{len(verdicts)} explanation(s) faithful")


def explanations_name_top_factor(ep: Episode) -> CheckResult:
    name = "explanations_name_top_factor"
    if not ep.shown:
        return not_applicable(name)
    verdicts = [judge(s, ep) for s in ep.shown]
    problems = [v.problems[-1] for v in verdicts if not v.names_top]
    return verdict(name, problems, f"{len(verdicts)} explanation(s) name their top factor")


def _names(topic: str, text: str, language: str) -> bool:
    if topic not in KEYWORDS:
        return False  # a new topic needs its keywords here before the check can pass
    en, zh = KEYWORDS[topic]
    return re.search(zh if language == "zh" else en, text, re.I) is not None
