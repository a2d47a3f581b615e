"""Sessions: start one, send a message, read it back. The graph runs one turn per message."""

from __future__ import annotations

import secrets
import threading
import zlib
from dataclasses import dataclass
from typing import Any

from assistant.claim import Claim
from assistant.dialogue.state import DialogueState, new_state
from assistant.errors import AssistantError
from assistant.store.ports import SessionStore

MAX_MESSAGE_CHARS = 2000


class InvalidMessageError(AssistantError):
    """An empty or oversized chat message."""


@dataclass(frozen=True)
class TurnResult:
    reply: str
    preferences: dict[str, Any]
    recommendations: list[dict[str, Any]]
    decision_id: str | None
    stage: str


class Conversation:
    def __init__(self, graph: Any, store: SessionStore, deps: Any = None, metrics: Any = None) -> None:
        self.graph, self.store, self.deps, self.metrics = graph, store, deps, metrics
        # Two messages of one session at once (a double tap) must not lose a turn: turns of a session run
        # one after another; different sessions share a stripe rarely and only wait, never deadlock.
        self._stripes = [threading.Lock() for _ in range(64)]

    def start(self, role: str = "customer", claim: Claim | None = None) -> str:
        """A new session; its id (192 random bits) is the capability to continue it."""
        session_id = secrets.token_urlsafe(24)
        dumped = claim.model_dump(mode="json") if claim is not None else None
        self.store.save(new_state(session_id, role, dumped))
        if self.metrics is not None:
            self.metrics.session_started()
        return session_id

    def send(self, session_id: str, text: str) -> TurnResult:
        text = text.strip()
        if not text or len(text) > MAX_MESSAGE_CHARS:
            raise InvalidMessageError(
                f"A message needs 1 to {MAX_MESSAGE_CHARS} characters of text, got {len(text)}."
            )
        with self._stripes[zlib.crc32(session_id.encode()) % len(self._stripes)]:
            state = self.store.load(session_id)
            out: DialogueState = self.graph.invoke({**state, "turn_text": text})
            self.store.save(out)
        if self.metrics is not None and out["stage"] == "handoff" and state.get("stage") != "handoff":
            self.metrics.handoff()
        return TurnResult(
            reply=out["reply"],
            preferences=out["preferences"],
            recommendations=out.get("recommendations", []),
            decision_id=out.get("decision_id"),
            stage=out["stage"],
        )

    def state(self, session_id: str) -> DialogueState:
        return self.store.load(session_id)
