"""The decision log port: every decision with its candidates' factors, propensities, strategy and outcome.

Off-policy evaluation reads it later, so a record keeps what the policy saw and the probability it showed
each shop. Adapters live in `assistant.store` (SQL and in-memory).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class Outcome:
    shop_id: str
    outcome: str  # "accepted" | "rejected"
    reason: str | None = None
    ts: float = 0.0


@dataclass
class DecisionRecord:
    decision_id: str
    created_at: float
    strategy: str
    strategy_version: int
    session_id: str | None
    claim_id: str | None
    request: dict[str, Any]  # the resolved request (location, make, needs, constraints, excluded shops)
    recommendations: list[dict[str, Any]]  # API payloads incl. factors, plus propensity and context
    considered: int
    filtered: dict[str, int]
    slate_propensity: float
    outcomes: list[Outcome] = field(default_factory=list)


class DecisionLog(Protocol):
    def record(self, decision: DecisionRecord) -> None: ...

    def get(self, decision_id: str) -> DecisionRecord: ...

    def add_outcome(self, decision_id: str, outcome: Outcome) -> None: ...
