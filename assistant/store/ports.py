"""Store ports: what the service persists and reads back. SQL adapters (SQLite default, PostgreSQL) implement
them all in one class; in-memory adapters serve the terminal chat and unit tests.

Every write method returns only after the write is committed: the caller acknowledges it to a client next,
and an acknowledged write must survive `kill -9` of the server.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.decision_log import DecisionRecord, Outcome
from assistant.dialogue.state import DialogueState


@dataclass(frozen=True)
class SessionSummary:
    """One line of the agent console's queue."""

    session_id: str
    role: str
    stage: str
    language: str
    created_at: float
    updated_at: float
    handoff: dict[str, Any] | None
    last_message: str | None  # the customer's last message
    claim_id: str | None


@dataclass(frozen=True)
class StrategyTotals:
    strategy: str
    strategy_version: int
    decisions: int
    accepted: int  # decisions with at least one accepted outcome
    rejected: int  # decisions with a rejection and no acceptance


@dataclass(frozen=True)
class LoggedOutcome:
    """An outcome with what the learner needs to relearn it after a restart."""

    decision_id: str
    strategy: str
    shop_id: str
    outcome: str
    context: tuple[float, ...] | None
    ts: float


class SessionStore(Protocol):
    def save(self, state: DialogueState) -> None: ...

    def load(self, session_id: str) -> DialogueState: ...  # UnknownSessionError when absent

    def recent_sessions(self, limit: int = 50, stage: str | None = None) -> list[SessionSummary]:
        """Newest first by last update; hand-offs first when stage is None."""
        ...


class DecisionStore(Protocol):
    def record(self, decision: DecisionRecord) -> None: ...  # ValueError when the id is already recorded

    def record_many(self, decisions: Sequence[DecisionRecord]) -> None:
        """All in one transaction; ValueError and nothing written when any id is already recorded."""
        ...

    def get(self, decision_id: str) -> DecisionRecord: ...  # UnknownDecisionError when absent

    def get_many(self, decision_ids: Sequence[str]) -> list[DecisionRecord]:
        """The decisions in the order asked, each with its outcomes; unknown ids are skipped."""
        ...

    def add_outcome(self, decision_id: str, outcome: Outcome) -> None: ...

    def strategy_totals(self) -> list[StrategyTotals]: ...

    def offers_to_accept(self) -> dict[int, int]:
        """Sessions that accepted, by how many slates (decisions) they were shown up to the acceptance."""
        ...

    def accepted_waits(self, limit: int = 10_000) -> list[float]:
        """`expected_wait_days` of the most recent accepted recommendations."""
        ...

    def hourly(self, hours: int, now: float) -> list[tuple[float, int, int]]:
        """(hour start epoch s, decisions, acceptances) for the last `hours` hours, oldest first, no gaps."""
        ...

    def outcomes_since(self, ts: float) -> Iterator[LoggedOutcome]: ...

    def counts(self) -> tuple[int, int]:
        """(decisions, outcomes) stored."""
        ...


class CapacityEventStore(Protocol):
    def append_capacity_events(self, events: Sequence[Mapping[str, Any]], received_at: float) -> None: ...

    def capacity_events_since(
        self, received_after: float, batch: int = 10_000
    ) -> Iterator[list[dict[str, Any]]]:
        """Stored events (as received) in arrival order, in batches, to rebuild live capacity at start."""
        ...

    def capacity_event_stats(self) -> tuple[int, float | None]:
        """(events stored, arrival time of the newest or None)."""
        ...


class Persistence(SessionStore, DecisionStore, CapacityEventStore, Protocol):
    """Everything the service persists: one adapter (SQL or in-memory) implements all three ports."""
