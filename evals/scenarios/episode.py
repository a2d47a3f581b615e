"""One scenario run: wire a fresh product, set up the market, let the simulated user talk until it is done."""

from __future__ import annotations

import dataclasses
import json
import random
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evals.scenarios.logs import LogCapture
from evals.scenarios.model import Scenario
from evals.scenarios.setup import Prepared, prepare
from evals.scenarios.turns import Observation, SimulatedUser, Turn
from evals.scenarios.user import RuleUser
from evals.scenarios.wiring import Booking, EvalWorld, Shown, Tamper
from retrieval.catalog.table import ShopTable

MAX_TURNS = 12  # user messages per run: a scenario needs at most 8; the rest is room for detours
UserFactory = Callable[[Scenario, int], SimulatedUser]


@dataclass
class Episode:
    """Everything the end-state checks read about one run of one scenario."""

    scenario: Scenario
    seed: int
    turns: list[Turn]
    state: dict[str, Any]
    shown: list[Shown]
    bookings: list[Booking]
    prepared: Prepared
    catalog: ShopTable
    logs: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)  # the decision log's records, as JSON
    outcomes: list[tuple[str, str, str | None]] = field(default_factory=list)  # (shop, outcome, reason)
    error: str | None = None
    out_of_turns: bool = False
    default_max_km: float = 50.0  # the default strategy's reach when the user names no distance
    seconds: float = 0.0

    @property
    def slates(self) -> list[tuple[int, list[dict[str, Any]]]]:
        """(turn index, recommendations) of every turn that showed a slate."""
        return [(i, t.recommendations) for i, t in enumerate(self.turns) if t.recommendations]


def rule_user(scenario: Scenario, seed: int) -> SimulatedUser:
    """The deterministic policyholder: its wording varies with `seed`, its behaviour never does."""
    return RuleUser(scenario, random.Random(f"{scenario.id}:{seed}"))


def run_episode(
    world: EvalWorld,
    scenario: Scenario,
    seed: int,
    logs: LogCapture,
    make_user: UserFactory = rule_user,
    tamper: Tamper | None = None,
) -> Episode:
    """Run `scenario` once with exploration seeded by (`seed`, the scenario id)."""
    started = time.perf_counter()
    logs.take()
    container = world.product((seed, zlib.crc32(scenario.id.encode())), tamper)
    chat = container.conversation
    prepared, session = Prepared(scenario.claim_model()), None
    turns: list[Turn] = []
    error: str | None = None
    text: str | None = None
    try:
        prepared = prepare(scenario, container)
        session = chat.start("customer", prepared.claim)
        user = make_user(scenario, seed)
        text = user.opening()
        while text is not None and len(turns) < MAX_TURNS:
            act, before = user.last_act, len(chat.state(session)["events"])
            result = chat.send(session, text)
            events = list(chat.state(session)["events"][before:])
            shown = list(result.recommendations)
            turns.append(Turn(text, act, result.reply, result.stage, shown, events, dict(result.preferences)))
            text = user.respond(Observation(result.reply, result.stage, list(result.recommendations)))
    except Exception as exc:  # the eval's entrypoint: a crash is a failed run, reported with its message
        error = f"{type(exc).__name__}: {exc}"
    service = container.dispatch
    logged = [container.decisions.get(d) for d in service.decision_ids]
    records = [json.dumps(dataclasses.asdict(r), ensure_ascii=False, default=str) for r in logged]
    outcomes = [(o.shop_id, o.outcome, o.reason) for r in logged for o in r.outcomes]
    return Episode(
        scenario=scenario,
        seed=seed,
        turns=turns,
        state=dict(chat.state(session)) if session else {},
        shown=list(service.shown),
        bookings=list(service.bookings),
        prepared=prepared,
        catalog=container.catalog,
        logs=logs.take(),
        records=records,
        outcomes=outcomes,
        error=error,
        out_of_turns=text is not None and len(turns) >= MAX_TURNS,
        default_max_km=_default_reach(container),
        seconds=time.perf_counter() - started,
    )


def _default_reach(container: Any) -> float:
    dispatcher = container.dispatcher
    return float(dispatcher.strategies[dispatcher.default_strategy].default_max_distance_km)
