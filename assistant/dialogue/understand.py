"""Node 1: read the customer's message (language, intents, preferences) and choose the route."""

from __future__ import annotations

import re
import time
from typing import Any

from assistant.claim import Claim
from assistant.dialogue.ports import DialogueDeps
from assistant.dialogue.state import DialogueState
from assistant.dispatch_service import resolve
from assistant.preferences import Preferences

HANDOFF_INTENTS = ("human", "injury", "dispute", "fraud_signal", "angry")
STEERING_OVER = ("booked", "own_shop", "handoff")


def understand(state: DialogueState, deps: DialogueDeps) -> dict[str, Any]:
    text = state["turn_text"]
    language = deps.understanding.language(text) if _has_words(text) else state["language"]
    intents = deps.understanding.intents(text)
    prior = Preferences.model_validate(state["preferences"])
    prefs = deps.extractor.extract(text, prior)
    if "injection" in intents:  # an instruction to the assistant is not a preference
        prefs = prefs.model_copy(update={"chosen_shop": getattr(prior, "chosen_shop", None)})
    prefs = prefs.model_copy(update={"language": language})
    update: dict[str, Any] = {
        "language": language,
        "intents": sorted(intents),
        "preferences": prefs.model_dump(mode="json"),
        "transcript": [*state["transcript"], {"role": "user", "text": text, "ts": time.time()}],
        "reply": "",
        "recommendations": [],
        "decision_id": None,
    }
    update["route"] = choose_route({**state, **update}, intents, prior, prefs, deps)  # type: ignore[typeddict-item]
    return update


def choose_route(
    state: DialogueState, intents: frozenset[str], prior: Preferences, prefs: Preferences, deps: DialogueDeps
) -> str:
    """The first matching rule wins; safety (a human when asked, injured, disputing) comes first."""
    stage = state["stage"]
    if stage == "handoff":
        return "handoff"
    if intents & set(HANDOFF_INTENTS):
        return "handoff"
    own = getattr(prefs, "chosen_shop", None)
    if own and stage == "offered" and own in {r["shop_id"] for r in state["current"]}:
        return "confirm"  # "book me in at S000877": a pick from the table, not a shop of their own
    if stage == "offered" and "reject" not in intents and shop_named_on_slate(state):
        return "confirm"  # "I'll take Jing'an Jiahe Auto Repair": the name of a shop on the table
    if (own and own != getattr(prior, "chosen_shop", None)) or (
        "own_shop" in intents and stage != "own_shop"
    ):
        return "own_shop"
    if stage in STEERING_OVER:
        return "closed"
    if stage == "offered":
        if "injection" in intents:
            return "remind"  # an instruction to the assistant neither picks nor turns down a shop
        rank = deps.understanding.chosen_rank(state["turn_text"])
        # classify_rejection answers ["other"] for any text: only a named reason counts on its own.
        reasons = [r for r in deps.understanding.rejection_reasons(state["turn_text"]) if r != "other"]
        if ("accept" in intents or rank is not None) and "reject" not in intents:
            return "confirm"
        if {"reject", "more_options"} & intents or reasons:
            return "reject"
        if _changed(prior, prefs):
            return "recommend"  # a new wish on the table: a fresh slate, nothing excluded for it
        return "confirm" if "accept" in intents else "remind"
    return "gather" if missing_information(state, prefs) else "recommend"


def shop_named_on_slate(state: DialogueState) -> str | None:
    """The id of the offered shop whose full name the message contains (spacing, case and punctuation
    aside), so a name that also reads as a place ("Jing'an ...") books the shop, not moves the search."""
    said = _squash(state.get("turn_text", ""))
    named = [r["shop_id"] for r in state.get("current", []) if (n := _squash(r["name"])) and n in said]
    return named[0] if len(named) == 1 else None


def _squash(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def missing_information(state: DialogueState, prefs: Preferences, include_asked: bool = False) -> list[str]:
    """Questions still worth asking: each is asked once; after that we do without it (the copilot
    passes `include_asked` to see everything still unknown)."""
    claim = Claim.model_validate(state["claim"]) if state.get("claim") else None
    missing = list(resolve(prefs, claim).missing)
    third = getattr(prefs, "third_party", None)
    if third is not None and not (_get(third, "make") and _get(third, "damage_types")):
        missing.append("third_party")
    return [m for m in missing if include_asked or m not in state["asked"]]


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _changed(prior: Preferences, prefs: Preferences) -> bool:
    ignore = {"language", "rejection_reasons", "rejected_shop_ids"}
    return prior.model_dump(exclude=ignore) != prefs.model_dump(exclude=ignore)


def _has_words(text: str) -> bool:
    return any(ch.isalpha() for ch in text)
