"""Nodes that act on the route: ask, recommend, take a rejection, book, step back, hand off."""

from __future__ import annotations

import time
import uuid
from typing import Any

from assistant.claim import Claim
from assistant.dialogue.ports import DialogueDeps
from assistant.dialogue.presenting import make_label, place_label, present_slate, third_party_slate
from assistant.dialogue.state import DialogueState
from assistant.dialogue.understand import missing_information, shop_named_on_slate
from assistant.preferences import Preferences
from retrieval.errors import UnknownShopError

QUESTION_KEYS = {
    "location": "ask_location",
    "make": "ask_make",
    "damage": "ask_damage",
    "third_party": "ask_third_party",
}
HANDOFF_REASONS = {
    "human": ("you asked for a person", "您要求人工服务"),
    "injury": ("someone may be injured", "涉及人员受伤"),
    "dispute": ("the liability is disputed", "涉及责任争议"),
    "fraud_signal": ("the claim needs a specialist's review", "需要专员审核"),
    "angry": ("I'm sorry this has been frustrating", "很抱歉给您带来不好的体验"),
    "rejections": ("none of the options suited you", "推荐的门店都不合适"),
}


def gather(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    prefs = Preferences.model_validate(state["preferences"])
    field = missing_information(state, prefs)[0]
    text = deps.templates.render(QUESTION_KEYS[field], state["language"])
    return _say(state, deps, text, stage="gathering", asked=[*state["asked"], field])


def recommend(state: DialogueState, deps: DialogueDeps, intro: str | None = None) -> dict[str, Any]:
    prefs = Preferences.model_validate(state["preferences"])
    claim = Claim.model_validate(state["claim"]) if state.get("claim") else None
    language = state["language"]
    result = deps.dispatch.recommend(
        prefs,
        claim,
        k=deps.k,
        exclude=tuple(state["offered_ids"]) if intro else tuple(prefs.rejected_shop_ids or ()),
        session_id=state["session_id"],
        language=language,
    )
    if result.situation is not None and "location" in result.situation.missing:
        text = deps.templates.render("ask_location", language)
        return _say(state, deps, text, stage="gathering", asked=[*state["asked"], "location"])
    if not result.recommendations:
        place = _place_clause(deps, language, result.situation.place if result.situation else None)
        # Nothing is on the table any more: a later "the first one" must not book a shop just turned down.
        text = deps.templates.render("no_match", language, place_clause=place)
        return _say(state, deps, text, stage="gathering", current=[], current_decision_id=None)
    extra, third = third_party_slate(state, deps, prefs, claim)
    text = present_slate(state, deps, result, intro) + extra
    notices = (
        state["notices"] if "right_to_choose" in state["notices"] else [*state["notices"], "right_to_choose"]
    )
    ids = [r["shop_id"] for r in result.recommendations]
    return _say(
        state,
        deps,
        text,
        stage="offered",
        recommendations=result.recommendations,
        decision_id=result.decision_id,
        current=result.recommendations,
        current_decision_id=result.decision_id,
        decision_ids=[*state.get("decision_ids", []), result.decision_id],
        offered_ids=[*state["offered_ids"], *[i for i in ids if i not in state["offered_ids"]]],
        third_party_recommendations=third,
        notices=notices,
        events=[*state["events"], f"offered:{','.join(ids)}"],
    )


def reject(
    state: DialogueState, deps: DialogueDeps, reasons: list[str] | None = None, shop_id: str | None = None
) -> dict[str, Any]:
    """Learn why, record the outcome, update the preferences, exclude the shops, offer alternatives.

    `reasons` and `shop_id` come from the LLM's tool call; the local path reads them from the message.
    """
    text, language = state["turn_text"], state["language"]
    reasons = reasons or deps.understanding.rejection_reasons(text) or ["other"]
    current = state["current"]
    rank = None if shop_id else deps.understanding.chosen_rank(text)
    if shop_id:
        rejected = [r for r in current if r["shop_id"] == shop_id] or list(current)
    else:
        picked = len(current) if rank == -1 else rank  # -1: "the last one"
        rejected = [current[picked - 1]] if picked and 0 < picked <= len(current) else list(current)
    for rec in rejected:
        if state["current_decision_id"]:
            deps.dispatch.feedback(state["current_decision_id"], rec["shop_id"], "rejected", reasons[0])
    prefs = _adjust(Preferences.model_validate(state["preferences"]), reasons, rejected)
    reason_text = deps.templates.render(f"reason_{reasons[0]}", language, make=_make_name(prefs, language))
    intro = deps.templates.render("alternatives_intro", language, reason_clause=reason_text)
    rejections = state["rejections"] + 1
    staged = {
        **state,
        "preferences": prefs.model_dump(mode="json"),
        "rejections": rejections,
        "events": [*state["events"], f"rejected:{','.join(r['shop_id'] for r in rejected)}:{reasons[0]}"],
    }
    update = recommend(staged, deps, intro=intro)  # type: ignore[arg-type]
    if not update.get("recommendations") and "too_far" in reasons and len(rejected) > 1:
        # Nothing is closer than the nearest shop turned down: settle for closer than the farthest one.
        farthest = max(r["distance_km"] for r in rejected)
        staged["preferences"] = {**staged["preferences"], "max_distance_km": round(farthest * 0.95, 2)}
        update = recommend(staged, deps, intro=intro)  # type: ignore[arg-type]
    if rejections >= 3:
        update["reply"] += "\n" + deps.templates.render("offer_handoff", language)
    return {
        **update,
        "preferences": update.get("preferences", staged["preferences"]),
        "rejections": rejections,
    }


def _adjust(prefs: Preferences, reasons: list[str], rejected: list[dict[str, Any]]) -> Preferences:
    ids = [*(prefs.rejected_shop_ids or []), *[r["shop_id"] for r in rejected]]
    update: dict[str, Any] = {
        "rejected_shop_ids": list(dict.fromkeys(ids)),
        "rejection_reasons": list(dict.fromkeys([*(prefs.rejection_reasons or []), *reasons])),
    }
    if "too_far" in reasons and rejected:
        closest = min(r["distance_km"] for r in rejected)
        limit = round(max(0.5, closest * 0.95), 2)  # strictly closer than every shop just turned down
        update["max_distance_km"] = min(limit, prefs.max_distance_km or limit)
        update["top_priority"] = "distance"
    if "wants_authorized" in reasons:
        update["dealer_preference"] = "authorized"
    for reason, priority in (("too_slow", "speed"), ("too_expensive", "cost"), ("low_quality", "quality")):
        if reason in reasons:
            update["top_priority"] = priority
    return prefs.model_copy(update=update)


def confirm(state: DialogueState, deps: DialogueDeps, shop_id: str | None = None) -> dict[str, Any]:
    current = state["current"]
    shop_id = shop_id or shop_named_on_slate(state) or state["preferences"].get("chosen_shop")
    by_id = [r for r in current if r["shop_id"] == shop_id]
    rank = deps.understanding.chosen_rank(state["turn_text"]) or 1
    chosen = by_id[0] if by_id else current[-1] if rank < 0 else current[min(rank, len(current)) - 1]
    if state["current_decision_id"]:
        deps.dispatch.feedback(state["current_decision_id"], chosen["shop_id"], "accepted")
    text = deps.templates.render("booked", state["language"], name=chosen["name"])
    return _say(
        state,
        deps,
        text,
        stage="booked",
        booked_shop_id=chosen["shop_id"],
        events=[*state["events"], f"booked:{chosen['shop_id']}"],
    )


def own_shop(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    """The customer's right to choose: note their shop and stop steering."""
    prefs = Preferences.model_validate(state["preferences"])
    named = getattr(prefs, "chosen_shop", None)
    language = state["language"]
    if state["current_decision_id"] and named:
        for rec in state["current"]:
            deps.dispatch.feedback(state["current_decision_id"], rec["shop_id"], "rejected", "own_choice")
    if not named:
        text = deps.templates.render("own_shop_unnamed", language)
        return _say(state, deps, text, stage="own_shop", events=[*state["events"], "own_shop:unnamed"])
    text = deps.templates.render("own_shop", language, shop=_shop_label(deps, named, language))
    return _say(
        state, deps, text, stage="own_shop", own_shop=named, events=[*state["events"], f"own_shop:{named}"]
    )


def handoff(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    language = state["language"]
    if state.get("handoff"):
        ticket = state["handoff"]["ticket"]  # type: ignore[index]
        return _say(state, deps, deps.templates.render("handoff_waiting", language, ticket=ticket))
    reason = next(
        (i for i in ("injury", "dispute", "fraud_signal", "human", "angry") if i in state["intents"]), "human"
    )
    en, zh = HANDOFF_REASONS[reason]
    ticket = f"H-{uuid.uuid4().hex[:8].upper()}"
    text = deps.templates.render("handoff", language, reason=en, reason_zh=zh, ticket=ticket)
    record = {"ticket": ticket, "reason": reason, "ts": time.time(), "stage_before": state["stage"]}
    return _say(
        state, deps, text, stage="handoff", handoff=record, events=[*state["events"], f"handoff:{reason}"]
    )


def closed(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    language = state["language"]
    if state["stage"] == "booked":
        name = next((r["name"] for r in state["current"] if r["shop_id"] == state["booked_shop_id"]), "")
        return _say(state, deps, deps.templates.render("closed", language, name=name))
    return _say(state, deps, deps.templates.render("thanks", language))


def remind(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    text = deps.templates.render("choose_prompt", state["language"])
    if "injection" in state["intents"]:
        text = deps.templates.render("injection", state["language"]) + "\n" + text
    return _say(state, deps, text)


def _say(state: DialogueState, deps: DialogueDeps, text: str, **update: Any) -> dict[str, Any]:
    if not state["transcript"][:-1] and state.get("role") != "agent":  # the customer's first message
        text = deps.templates.render("greet", state["language"]) + "\n" + text
    notice = deps.templates.render("injection", state["language"])
    if "injection" in state["intents"] and notice not in text:
        text = notice + "\n" + text
    transcript = [*state["transcript"], {"role": "assistant", "text": text, "ts": time.time()}]
    return {"reply": text, "transcript": transcript, **update}


def _place_clause(deps: DialogueDeps, language: str, place: str | None) -> str:
    return (
        deps.templates.render("place_clause", language, place=place_label(place, language)) if place else ""
    )

    return place


def _make_name(prefs: Preferences, language: str) -> str:
    make = prefs.vehicle.make if prefs.vehicle and prefs.vehicle.make else ""
    return make_label(make, language) if make else ("brand" if language == "en" else "品牌")


def _shop_label(deps: DialogueDeps, named: str, language: str) -> str:
    try:
        shop = deps.dispatch.catalog.shop(named)
    except UnknownShopError:  # a free-text name of a shop outside our network is fine: it is their choice
        return named
    return shop.name_zh if language == "zh" else shop.name_en
