"""What a conversation remembers between turns. Plain JSON-able values, so a store can persist it as is."""

from __future__ import annotations

from typing import Any, Literal, TypedDict

Stage = Literal["new", "gathering", "offered", "booked", "own_shop", "handoff"]


class DialogueState(TypedDict, total=False):
    session_id: str
    role: Literal["customer", "agent"]
    language: Literal["en", "zh"]
    claim: dict[str, Any] | None  # the Claim model, dumped
    preferences: dict[str, Any]  # the Preferences model, dumped
    stage: Stage
    transcript: list[dict[str, Any]]  # {"role": "user"|"assistant", "text": str, "ts": float}
    # This turn
    turn_text: str
    intents: list[str]
    route: str
    reply: str
    recommendations: list[dict[str, Any]]  # the slate shown this turn (API payloads)
    decision_id: str | None
    # Memory across turns
    current: list[dict[str, Any]]  # the slate on the table
    current_decision_id: str | None
    offered_ids: list[str]  # every shop ever offered: alternatives never repeat one
    decision_ids: list[str]  # every logged decision of the session, in order
    third_party_recommendations: list[dict[str, Any]]
    asked: list[str]  # questions already asked ("location", "make", "damage", "third_party")
    rejections: int
    booked_shop_id: str | None
    own_shop: str | None
    handoff: dict[str, Any] | None  # the ticket: id, reason, ts
    notices: list[str]  # notices given (e.g. "right_to_choose")
    events: list[str]  # what happened, in order, for agents and evals
    trace: list[dict[str, Any]]  # prompt versions, backend, tool calls


def new_state(session_id: str, role: str = "customer", claim: dict[str, Any] | None = None) -> DialogueState:
    language = ((claim or {}).get("customer") or {}).get("language") or "en"
    return DialogueState(
        session_id=session_id,
        role="agent" if role == "agent" else "customer",
        language=language,
        claim=claim,
        preferences={"language": None},
        stage="new",
        transcript=[],
        current=[],
        current_decision_id=None,
        offered_ids=[],
        decision_ids=[],
        third_party_recommendations=[],
        asked=[],
        rejections=0,
        booked_shop_id=None,
        own_shop=None,
        handoff=None,
        notices=[],
        events=[],
        trace=[],
    )
