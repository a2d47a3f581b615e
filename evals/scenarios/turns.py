"""What passes between the simulated user and the assistant in one turn, and what the runner records of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class Observation:
    """What the customer sees after a message: the reply, the slate shown with it, the stage."""

    reply: str
    stage: str
    recommendations: list[dict[str, Any]]


@dataclass(frozen=True)
class UserAct:
    """What a user message meant to do, as the user knows it (the checks judge the assistant against it).

    `kind`: say (opening, answers), reject, more, pick, own_shop, human, angry, injury, dispute, fraud,
    inject, change, thanks, followup. `targets`: the shops a rejection turns down; `shop`: the shop picked
    or named as the user's own.
    """

    kind: str
    reason: str | None = None
    targets: tuple[str, ...] = ()
    shop: str | None = None
    rank: int | None = None


@dataclass
class Turn:
    """One exchange: the user's message and act, the assistant's answer, events the turn added."""

    text: str
    act: UserAct
    reply: str = ""
    stage: str = ""
    recommendations: list[dict[str, Any]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    preferences: dict[str, Any] = field(default_factory=dict)  # after this turn


class SimulatedUser(Protocol):
    """A policyholder: the first message, then a reply to each answer until it returns None (done).

    `last_act` is what the latest message meant to do.
    """

    last_act: UserAct

    def opening(self) -> str: ...

    def respond(self, seen: Observation) -> str | None: ...
