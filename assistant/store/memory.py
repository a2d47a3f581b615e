"""`InMemoryStore`: the three store ports on dicts and lists, for the terminal chat and unit tests.

It answers as `SqlStore` does, errors included. Documents go in and out through a JSON round trip, as
they would through a database: a caller that mutates what it saved or loaded does not change the store,
and a state that is not JSON-able fails here as it would in production.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from assistant.decision_log import DecisionRecord, Outcome
from assistant.dialogue.state import DialogueState
from assistant.errors import UnknownDecisionError, UnknownSessionError
from assistant.store.ports import LoggedOutcome, SessionSummary, StrategyTotals
from assistant.store.tables import context_tuple, dumps, session_columns, session_summary


def _copy(document: Any) -> Any:
    return json.loads(dumps(document))


@dataclass
class _Session:
    state: str  # JSON text, as stored
    created_at: float
    updated_at: float


class InMemoryStore:
    """`SessionStore`, `DecisionStore` and `CapacityEventStore` in this process's memory."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._lock = threading.Lock()  # handlers run on a threadpool
        self._sessions: dict[str, _Session] = {}
        self._decisions: dict[str, DecisionRecord] = {}  # without outcomes; those are in _outcomes
        self._outcomes: list[tuple[str, Outcome]] = []  # arrival order
        self._by_decision: defaultdict[str, list[Outcome]] = defaultdict(list)
        self._events: list[tuple[float, str]] = []  # (received_at, event as JSON), arrival order

    def close(self) -> None:
        """Nothing to release; here so callers can treat every store alike."""

    dispose = close

    # SessionStore

    def save(self, state: DialogueState) -> None:
        session_columns(state)  # the same required keys as the SQL store
        text, now = dumps(state), self.clock()
        with self._lock:
            known = self._sessions.get(state["session_id"])
            self._sessions[state["session_id"]] = _Session(text, known.created_at if known else now, now)

    def load(self, session_id: str) -> DialogueState:
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            raise UnknownSessionError("No session with that id.")
        return cast(DialogueState, json.loads(session.state))

    def recent_sessions(self, limit: int = 50, stage: str | None = None) -> list[SessionSummary]:
        with self._lock:
            stored = list(self._sessions.values())
        summaries = [session_summary(json.loads(s.state), s.created_at, s.updated_at) for s in stored]
        if stage is not None:
            summaries = [s for s in summaries if s.stage == stage]
        summaries.sort(key=lambda s: (stage is None and s.stage != "handoff", -s.updated_at, s.session_id))
        return summaries[:limit]

    # DecisionStore

    def record(self, decision: DecisionRecord) -> None:
        self.record_many([decision])

    def record_many(self, batch: Sequence[DecisionRecord]) -> None:
        stored = [_copy_decision(d) for d in batch]
        with self._lock:
            ids = [d.decision_id for d in stored]
            if len(set(ids)) < len(ids) or any(i in self._decisions for i in ids):
                which = repr(ids[0]) if len(ids) == 1 else f"of {len(ids)} (one or more)"
                raise ValueError(f"Decision {which} is already recorded.")  # and none of the batch is kept
            for decision in stored:
                self._decisions[decision.decision_id] = replace(decision, outcomes=[])
                for outcome in decision.outcomes:
                    self._append(decision.decision_id, outcome)

    def get(self, decision_id: str) -> DecisionRecord:
        with self._lock:
            decision = self._decisions.get(decision_id)
            logged = list(self._by_decision.get(decision_id, ()))
        if decision is None:
            raise UnknownDecisionError(f"No decision with id {decision_id!r}.")
        return _copy_decision(replace(decision, outcomes=logged))

    def get_many(self, decision_ids: Sequence[str]) -> list[DecisionRecord]:
        found = []
        for decision_id in decision_ids:
            try:
                found.append(self.get(decision_id))
            except UnknownDecisionError:
                continue
        return found

    def add_outcome(self, decision_id: str, outcome: Outcome) -> None:
        with self._lock:
            if decision_id not in self._decisions:
                raise UnknownDecisionError(f"No decision with id {decision_id!r}.")
            self._append(decision_id, outcome)

    def _append(self, decision_id: str, outcome: Outcome) -> None:
        outcome = replace(outcome, ts=float(outcome.ts))  # a copy, typed as the SQL store reads it back
        self._outcomes.append((decision_id, outcome))
        self._by_decision[decision_id].append(outcome)

    def strategy_totals(self) -> list[StrategyTotals]:
        totals: dict[tuple[str, int], list[int]] = {}
        with self._lock:
            for d in self._decisions.values():
                said = {o.outcome for o in self._by_decision.get(d.decision_id, ())}
                counts = totals.setdefault((d.strategy, d.strategy_version), [0, 0, 0])
                counts[0] += 1
                counts[1] += "accepted" in said
                counts[2] += "rejected" in said and "accepted" not in said
        return [StrategyTotals(s, v, *counts) for (s, v), counts in sorted(totals.items())]

    def offers_to_accept(self) -> dict[int, int]:
        with self._lock:
            made = list(self._decisions.values())
            accepted = {d for d, o in self._outcomes if o.outcome == "accepted"}
        accepted_at: dict[str, float] = {}
        for d in made:
            if d.session_id is not None and d.decision_id in accepted:
                accepted_at[d.session_id] = min(d.created_at, accepted_at.get(d.session_id, math.inf))
        slates = Counter(
            d.session_id
            for d in made
            if d.session_id in accepted_at and d.created_at <= accepted_at[d.session_id]
        )
        return dict(sorted(Counter(slates.values()).items()))

    def accepted_waits(self, limit: int = 10_000) -> list[float]:
        """Newest first; the wait is read from the accepted shop's entry in the decision's slate."""
        waits: list[float] = []
        with self._lock:
            for decision_id, outcome in reversed(self._outcomes):
                if len(waits) == limit:
                    break
                if outcome.outcome == "accepted":
                    shown = _shown(self._decisions[decision_id], outcome.shop_id)
                    if shown.get("expected_wait_days") is not None:
                        waits.append(float(shown["expected_wait_days"]))
        return waits

    def hourly(self, hours: int, now: float) -> list[tuple[float, int, int]]:
        """Decisions by creation time, acceptances by the time of the accepted outcome."""
        if hours < 1:
            raise ValueError(f"hours must be at least 1, got {hours}.")
        last = math.floor(now / 3600)
        first = last - hours + 1
        with self._lock:
            made = Counter(math.floor(d.created_at / 3600) for d in self._decisions.values())
            accepted = Counter(math.floor(o.ts / 3600) for _, o in self._outcomes if o.outcome == "accepted")
        return [(h * 3600.0, made[h], accepted[h]) for h in range(first, last + 1)]

    def outcomes_since(self, ts: float) -> Iterator[LoggedOutcome]:
        """Outcomes at or after `ts` in arrival order, with the context their shop was offered in."""
        with self._lock:
            logged = [(self._decisions[d], o) for d, o in self._outcomes if o.ts >= ts]
        for d, o in logged:
            context = context_tuple(_shown(d, o.shop_id).get("context"))
            yield LoggedOutcome(d.decision_id, d.strategy, o.shop_id, o.outcome, context, o.ts)

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return len(self._decisions), len(self._outcomes)

    # CapacityEventStore

    def append_capacity_events(self, events: Sequence[Mapping[str, Any]], received_at: float) -> None:
        stored = [(float(received_at), dumps(dict(e))) for e in events]
        with self._lock:
            self._events += stored

    def capacity_events_since(
        self, received_after: float, batch: int = 10_000
    ) -> Iterator[list[dict[str, Any]]]:
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}.")
        with self._lock:
            texts = [text for at, text in self._events if at > received_after]
        for start in range(0, len(texts), batch):
            yield [json.loads(text) for text in texts[start : start + batch]]

    def capacity_event_stats(self) -> tuple[int, float | None]:
        with self._lock:
            return len(self._events), max((at for at, _ in self._events), default=None)


def _copy_decision(d: DecisionRecord) -> DecisionRecord:
    return replace(
        d,
        request=_copy(d.request),
        recommendations=_copy(d.recommendations),
        filtered=_copy(d.filtered),
        outcomes=[replace(o) for o in d.outcomes],
    )


def _shown(decision: DecisionRecord, shop_id: str) -> dict[str, Any]:
    return next((r for r in decision.recommendations if r.get("shop_id") == shop_id), {})
