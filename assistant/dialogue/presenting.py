"""Turning a dispatch result into the words the customer reads (explanations come from the factors)."""

from __future__ import annotations

from typing import Any

from assistant.claim import Claim
from assistant.dialogue.ports import DialogueDeps
from assistant.dialogue.state import DialogueState
from assistant.dispatch_service import DispatchResult
from assistant.preferences import Damage, Preferences, Vehicle
from retrieval.catalog.cities import find_city
from retrieval.catalog.vocabulary import MAKES
from retrieval.errors import UnknownCityError


def make_label(make: str, language: str) -> str:
    return next((m.zh for m in MAKES if m.name == make), make) if language == "zh" else make


PLACE_LABELS = {
    "home": ("your home", "您家"),
    "work": ("your office", "您公司"),
    "accident location": ("the accident site", "事故地点"),
}


def place_label(place: str, language: str) -> str:
    """How a resolved place reads in a reply: a city by name, a profile reference in words."""
    if place in PLACE_LABELS:
        return PLACE_LABELS[place][1 if language == "zh" else 0]
    if language == "zh":
        try:
            return find_city(place).zh
        except UnknownCityError:
            return place
    return place


def present_slate(state: DialogueState, deps: DialogueDeps, result: DispatchResult, intro: str | None) -> str:
    language = state["language"]
    if intro is None:
        place = result.situation.place if result.situation else None
        clause = (
            deps.templates.render("place_clause", language, place=place_label(place, language))
            if place
            else ""
        )
        intro = deps.templates.render("slate_intro", language, place_clause=clause)
    lines = [intro, *_lines(result.recommendations)]
    lines += [
        deps.templates.render("choose_prompt", language),
        deps.templates.render("right_to_choose", language),
    ]
    return "\n".join(lines)


def _lines(recommendations: list[dict[str, Any]]) -> list[str]:
    return [f"{r['rank']}. {r['name']}: {r['explanation']}" for r in recommendations]


def slate_lines(deps: DialogueDeps, language: str, recommendations: list[dict[str, Any]]) -> list[str]:
    """The shop list as the LLM path appends it: numbered explanations, then the right-to-choose notice."""
    return [*_lines(recommendations), deps.templates.render("right_to_choose", language)]


def third_party_slate(
    state: DialogueState, deps: DialogueDeps, prefs: Preferences, claim: Claim | None
) -> tuple[str, list[dict[str, Any]]]:
    """Recommendations for the other party's vehicle too, when the accident involved one."""
    make, damage = _third_party(prefs, claim)
    if not make:
        return "", []
    # The other party's car: its own make and damage, nothing inherited from the customer's car.
    other = prefs.model_copy(
        update={
            "vehicle": Vehicle(make=make),
            "damage": Damage(types=damage),
            "dealer_preference": None,
            "rejected_shop_ids": [],
            "needs_courtesy_car": None,
            "needs_pickup": None,
        }
    )
    result = deps.dispatch.recommend(
        other, claim, k=deps.k, session_id=state["session_id"], language=state["language"]
    )
    if not result.recommendations:
        return "", []
    intro = deps.templates.render(
        "third_party_intro", state["language"], make=make_label(make, state["language"])
    )
    return "\n" + "\n".join([intro, *_lines(result.recommendations)]), result.recommendations


def _third_party(prefs: Preferences, claim: Claim | None) -> tuple[str | None, list[str]]:
    third = getattr(prefs, "third_party", None)
    if third is not None:
        get = third.get if isinstance(third, dict) else lambda name: getattr(third, name, None)
        if get("make"):
            return get("make"), list(get("damage_types") or [])
    if claim and claim.third_party_vehicles:
        other = claim.third_party_vehicles[0]
        if other.make:
            return other.make, list(other.damage.types) if other.damage else []
    return None, []
