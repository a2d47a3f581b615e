"""Sessions: start one, send a message, read it back. The graph runs one turn per message."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.claim import Claim
from assistant.dialogue.state import DialogueState, new_state
from assistant.errors import AssistantError, UnknownSessionError

MAX_MESSAGE_CHARS = 2000


class InvalidMessageError(AssistantError):
    """An empty or oversized chat message."""


class SessionStore(Protocol):
    def save(self, state: DialogueState) -> None: ...

    def load(self, session_id: str) -> DialogueState: ...


class InMemorySessionStore:
    def __init__(self) -> None:
        self._sessions: dict[str, DialogueState] = {}

    def save(self, state: DialogueState) -> None:
        self._sessions[state["session_id"]] = state

    def load(self, session_id: str) -> DialogueState:
        try:
            return self._sessions[session_id]
        except KeyError:
            raise UnknownSessionError("No session with that id.") from None


@dataclass(frozen=True)
class TurnResult:
    reply: str
    preferences: dict[str, Any]
    recommendations: list[dict[str, Any]]
    decision_id: str | None
    stage: str


class Conversation:
    def __init__(self, graph: Any, store: SessionStore, deps: Any = None) -> None:
        self.graph, self.store, self.deps = graph, store, deps

    def start(self, role: str = "customer", claim: Claim | None = None) -> str:
        """A new session; its id (192 random bits) is the capability to continue it."""
        session_id = secrets.token_urlsafe(24)
        dumped = claim.model_dump(mode="json") if claim is not None else None
        self.store.save(new_state(session_id, role, dumped))
        return session_id

    def send(self, session_id: str, text: str) -> TurnResult:
        text = text.strip()
        if not text or len(text) > MAX_MESSAGE_CHARS:
            raise InvalidMessageError(
                f"A message needs 1 to {MAX_MESSAGE_CHARS} characters of text, got {len(text)}."
            )
        state = self.store.load(session_id)
        out: DialogueState = self.graph.invoke({**state, "turn_text": text})
        self.store.save(out)
        return TurnResult(
            reply=out["reply"],
            preferences=out["preferences"],
            recommendations=out.get("recommendations", []),
            decision_id=out.get("decision_id"),
            stage=out["stage"],
        )

    def state(self, session_id: str) -> DialogueState:
        return self.store.load(session_id)
