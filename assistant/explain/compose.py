"""`explain`: a recommendation in plain words, naming the factors that decided it, in the customer's language.

The topics are ranked by their real contribution to the score (the factors' contributions, which add up to
it); the strongest `MAX_DECIDERS` are named, plus the distance and whatever the customer asked about (a
courtesy car, pick-up, a deadline, a dealer or not), whose shortfalls are said too. An exploration pick closes
with a clause that says so honestly: a new partner shop we are introducing, or a shop we know less about.
"""

from __future__ import annotations

from assistant.explain.facts import Facts
from assistant.explain.needs import ExplainNeeds
from assistant.explain.phrases import TOPICS, WORDS, Asked, Language
from dispatch_core.domain import Recommendation
from retrieval.catalog.table import Shop

MAX_DECIDERS = 4
# TOPICS unpacked once for the loop of `explain`, which runs for every recommendation shown.
_TOPICS = tuple((order, t.say, t.factors, t.always) for order, t in enumerate(TOPICS))
_AUTHORIZED = next(order for order, t in enumerate(TOPICS) if t.name == "authorized")
_JOIN = {"en": (", ", "; ", "."), "zh": ("，", "；", "。")}
_NOTICE = {
    "en": (
        "You are free to choose any repair shop you like, including one we have not suggested; "
        "these are only recommendations."
    ),
    "zh": "您有权自由选择任何维修门店，包括我们没有推荐的门店；以上仅为推荐。",
}


def explain(
    rec: Recommendation,
    shop: Shop,
    language: Language = "en",
    make: str | None = None,
    needs: ExplainNeeds | None = None,
) -> str:
    """Why `rec` was offered, in `language` ("en" or "zh"), from its own factors and its shop's fields only.

    `make` is the customer's car make (for "BMW-authorized", "BMW parts in stock"); `needs` what the customer
    asked for. Without `needs`, a courtesy car, pick-up or deadline counts as asked when its factor carried
    weight (a factor the customer did not ask about has contribution 0).
    """
    facts = Facts.of(rec, shop)
    asked = _asked(facts, needs)
    lang = _language(language)
    get = facts.contributions.get
    # (-contribution, order, text): plain tuple order puts the strongest first, ties in topic order (orders
    # differ, so texts are never compared).
    said: list[tuple[float, int, str]] = []
    optional: list[tuple[float, int, str]] = []
    for order, say, factors, always in _TOPICS:
        text = say(facts, lang, make, asked)
        if text is None:
            continue
        # What Facts.contribution sums; one factor's own value compares the same (0 + -0.0 is 0.0 == -0.0).
        weight = get(factors[0], 0.0) if len(factors) == 1 else sum(get(name, 0.0) for name in factors)
        if always or (order == _AUTHORIZED and asked.authorized is not None):
            said.append((-weight, order, text))
        elif weight > 0:  # a topic that added nothing to the score decided nothing
            optional.append((-weight, order, text))
    optional.sort()
    said += optional[:MAX_DECIDERS]
    said.sort()
    comma, semicolon, stop = _JOIN[lang]
    body = comma.join([text for _, _, text in said])
    if rec.exploration:
        body += semicolon + WORDS[lang]["new" if facts.is_new_exploration() else "trying"]
    return body[:1].upper() + body[1:] + stop


def right_to_choose_notice(language: Language = "en") -> str:
    """The customer may choose any shop, including one not offered."""
    return _NOTICE[_language(language)]


def _asked(facts: Facts, needs: ExplainNeeds | None) -> Asked:
    if needs is not None:
        return Asked(needs.courtesy_car, needs.pickup, needs.deadline_days is not None, needs.authorized)
    return Asked(
        facts.contribution("courtesy_cars") > 0,
        facts.contribution("pickup_service") > 0,
        facts.contribution("deadline_slack_days") > 0,
        None,
    )


def _language(language: str) -> Language:
    if language == "en":
        return "en"
    if language == "zh":
        return "zh"
    raise ValueError(f"Explanations are written in 'en' or 'zh', not {language!r}.")
