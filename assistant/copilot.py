"""The agent copilot: the same brain, seen from a claims agent's desk.

For a session it gives a claim summary, a suggested reply the agent can send as is or edit, the next best
actions, and the recommendations with their explanations. Read-only: it records nothing on the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.claim import Claim
from assistant.dialogue.act import QUESTION_KEYS
from assistant.dialogue.ports import DialogueDeps
from assistant.dialogue.presenting import slate_lines
from assistant.dialogue.state import DialogueState
from assistant.dialogue.understand import missing_information
from assistant.preferences import Preferences


@dataclass(frozen=True)
class Suggestion:
    summary: str
    suggested_reply: str
    next_actions: list[str]
    recommendations: list[dict[str, Any]]


def suggest(state: DialogueState, deps: DialogueDeps) -> Suggestion:
    prefs = Preferences.model_validate(state["preferences"])
    language = state["language"]
    missing = missing_information(state, prefs, include_asked=True)
    recommendations = list(state["current"])
    if not recommendations and not missing and state["stage"] not in ("handoff", "own_shop", "booked"):
        claim = Claim.model_validate(state["claim"]) if state.get("claim") else None
        # A preview for the agent: ranked but not shown to the customer, so nothing is recorded as offered.
        recommendations = deps.dispatch.preview(prefs, claim, k=deps.k, language=language)
    return Suggestion(
        summary=summarize(state, prefs),
        suggested_reply=_reply(state, deps, missing, recommendations),
        next_actions=next_actions(state, missing),
        recommendations=recommendations,
    )


def summarize(state: DialogueState, prefs: Preferences) -> str:
    vehicle = prefs.vehicle
    damage = prefs.damage
    parts = [
        f"stage: {state['stage']}",
        f"language: {state['language']}",
        f"place: {prefs.city or (prefs.location.text if prefs.location else None) or 'unknown'}",
        f"vehicle: {(vehicle.make if vehicle else None) or 'unknown'}"
        + (f" {vehicle.model}" if vehicle and vehicle.model else ""),
        f"damage: {', '.join(damage.types) if damage and damage.types else 'unknown'}",
    ]
    wishes = {
        "dealer": prefs.dealer_preference,
        "max km": prefs.max_distance_km,
        "priority": prefs.top_priority,
        "courtesy car": prefs.needs_courtesy_car,
        "pickup": prefs.needs_pickup,
        "deadline days": prefs.deadline_days,
    }
    said = [f"{k}={v}" for k, v in wishes.items() if v is not None]
    if said:
        parts.append("wishes: " + ", ".join(said))
    if prefs.rejected_shop_ids:
        reasons = ", ".join(prefs.rejection_reasons or [])
        parts.append(f"turned down {len(prefs.rejected_shop_ids)} shop(s) ({reasons})")
    if state.get("handoff"):
        parts.append(f"hand-off ticket {state['handoff']['ticket']} ({state['handoff']['reason']})")  # type: ignore[index]
    if state.get("booked_shop_id"):
        parts.append(f"booked {state['booked_shop_id']}")
    return "; ".join(parts)


def next_actions(state: DialogueState, missing: list[str]) -> list[str]:
    actions = [f"ask for {m.replace('_', '-')}" for m in missing[:1]]
    stage = state["stage"]
    if stage == "offered":
        actions += ["confirm the customer's choice", "offer alternatives if they hesitate"]
    if stage == "handoff":
        actions.append("take over the conversation: the customer is waiting for an agent")
    if state.get("rejections", 0) >= 2:
        actions.append("call the customer: several offers were turned down")
    if stage == "booked":
        actions.append("send the booking confirmation and drop-off details")
    if "right_to_choose" not in state["notices"]:
        actions.append("tell the customer they may choose any shop")
    return actions or ["recommend shops"]


def _reply(
    state: DialogueState, deps: DialogueDeps, missing: list[str], recommendations: list[dict[str, Any]]
) -> str:
    language = state["language"]
    if state["stage"] == "handoff":
        return deps.templates.render("handoff_waiting", language, ticket=state["handoff"]["ticket"])  # type: ignore[index]
    if missing:
        return deps.templates.render(QUESTION_KEYS[missing[0]], language)
    if recommendations:
        intro = deps.templates.render("slate_intro", language, place_clause="")
        return "\n".join([intro, *slate_lines(deps, language, recommendations)])
    return deps.templates.render("thanks", language)
