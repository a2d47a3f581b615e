"""Conversation routes: customers need no key (the session id is the capability); agents use a key."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from assistant.api.deps import ContainerDep, require_role
from assistant.claim import Claim
from assistant.conversation import MAX_MESSAGE_CHARS
from assistant.copilot import suggest
from assistant.errors import UnknownSessionError

router = APIRouter(tags=["conversation"])


class SessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: Literal["customer", "agent"] = "customer"
    claim: Claim | None = None


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)


class CopilotIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=8, max_length=128)


@router.post("/v1/sessions", status_code=201)
def start_session(body: SessionIn, container: ContainerDep) -> dict[str, str]:
    return {"session_id": container.conversation.start(body.role, body.claim)}


@router.post("/v1/sessions/{session_id}/messages")
def send_message(session_id: str, body: MessageIn, container: ContainerDep) -> dict[str, Any]:
    turn = container.conversation.send(_checked(session_id), body.text)
    return {
        "reply": turn.reply,
        "preferences": turn.preferences,
        "recommendations": turn.recommendations,
        "decision_id": turn.decision_id,
    }


@router.get("/v1/sessions/{session_id}")
def read_session(session_id: str, container: ContainerDep) -> dict[str, Any]:
    state = container.conversation.state(_checked(session_id))
    decisions = [
        {
            "decision_id": record.decision_id,
            "strategy": record.strategy,
            "strategy_version": record.strategy_version,
            "recommendations": record.recommendations,
            "outcomes": [vars(o) for o in record.outcomes],
        }
        for record in container.decisions.get_many(state.get("decision_ids", []))
    ]
    return {
        "session_id": state["session_id"],
        "stage": state["stage"],
        "language": state["language"],
        "transcript": state["transcript"],
        "preferences": state["preferences"],
        "decisions": decisions,
        "handoff": state.get("handoff"),
        "booked_shop_id": state.get("booked_shop_id"),
    }


@router.post("/v1/copilot/suggest", dependencies=[require_role("agent")])
def copilot_suggest(body: CopilotIn, container: ContainerDep) -> dict[str, Any]:
    state = container.conversation.state(_checked(body.session_id))
    suggestion = suggest(state, container.conversation.deps)
    return {
        "summary": suggestion.summary,
        "suggested_reply": suggestion.suggested_reply,
        "next_actions": suggestion.next_actions,
        "recommendations": suggestion.recommendations,
    }


def _checked(session_id: str) -> str:
    if not 8 <= len(session_id) <= 128:
        raise UnknownSessionError("No session with that id.")
    return session_id
