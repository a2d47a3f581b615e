"""`SqlStore`: the session, decision and capacity-event ports on SQLAlchemy Core.

SQLite (a file, the embedded default) or PostgreSQL (production), picked by the URL. Every write runs in its
own transaction and returns after the commit, so an acknowledged write survives `kill -9` of the server.
Reads that may cover a long history (`outcomes_since`, `capacity_events_since`) page by primary key, holding
no connection or cursor while the caller works through a batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from assistant.decision_log import DecisionRecord, Outcome
from assistant.dialogue.state import DialogueState
from assistant.errors import UnknownDecisionError, UnknownSessionError
from assistant.store.ports import LoggedOutcome, SessionSummary, StrategyTotals
from assistant.store.sql_engine import DIALECTS, create_engine
from assistant.store.tables import (
    capacity_events,
    context_tuple,
    decision_row,
    decisions,
    metadata,
    outcome_row,
    outcomes,
    session_columns,
    session_summary,
    sessions,
    text_or_none,
)

PAGE = 5_000  # outcomes per round trip when reading back a history
_OUTCOME_FIELDS = (outcomes.c.shop_id, outcomes.c.outcome, outcomes.c.reason, outcomes.c.ts)  # as Outcome
_SCHEMA_LOCK = 0x52_49_48  # pg advisory lock id: workers starting together create the tables once


class SqlStore:
    """`SessionStore`, `DecisionStore` and `CapacityEventStore` on one SQL database."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time) -> None:
        self.engine, self.clock = engine, clock
        self.page_size = PAGE
        self._dialect = DIALECTS[engine.dialect.name]
        # Built once and executed with bound parameters: a statement built per call (`.values(row)`) costs
        # SQLAlchemy more CPU than the insert itself, on the busiest write of the service.
        self._insert_decision = (
            self._dialect.insert(decisions)
            .on_conflict_do_nothing()
            # rowcount 0 = a duplicate; SQLAlchemy 2 keeps an INSERT's rowcount only when asked to.
            .execution_options(preserve_rowcount=True)
        )
        upsert = self._dialect.insert(sessions)
        kept = {"session_id", "created_at"}  # a session keeps its id and birth time across saves
        self._upsert_session = upsert.on_conflict_do_update(
            index_elements=[sessions.c.session_id],
            set_={c.name: upsert.excluded[c.name] for c in sessions.columns if c.name not in kept},
        )

    @classmethod
    def from_url(
        cls, url: str, *, sqlite_synchronous: str = "FULL", clock: Callable[[], float] = time.time
    ) -> SqlStore:
        """A store on `sqlite:///path` or `postgresql+psycopg://...`, its tables created if missing."""
        engine = create_engine(url, sqlite_synchronous)
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_SCHEMA_LOCK)))
            metadata.create_all(conn)
        return cls(engine, clock)

    @property
    def url(self) -> str:
        """The database URL, password included (for a writer process to open the same database)."""
        return self.engine.url.render_as_string(hide_password=False)

    def close(self) -> None:
        """Close the pooled connections; the store must not be used afterwards."""
        self.engine.dispose()

    dispose = close

    # SessionStore

    def save(self, state: DialogueState) -> None:
        now = self.clock()
        row = {**session_columns(state), "created_at": now, "updated_at": now, "state": state}
        with self.engine.begin() as conn:
            conn.execute(self._upsert_session, row)

    def load(self, session_id: str) -> DialogueState:
        with self.engine.connect() as conn:
            state = conn.scalar(sa.select(sessions.c.state).where(sessions.c.session_id == session_id))
        if state is None:
            raise UnknownSessionError("No session with that id.")
        return cast(DialogueState, state)

    def recent_sessions(self, limit: int = 50, stage: str | None = None) -> list[SessionSummary]:
        newest = sa.select(sessions).order_by(sessions.c.updated_at.desc(), sessions.c.session_id)
        # Hand-offs first, then the rest: two index-friendly queries rather than sorting every session.
        handoff = sessions.c.stage == "handoff"
        filters = [sessions.c.stage == stage] if stage is not None else [handoff, sa.not_(handoff)]
        rows: list[Any] = []
        with self.engine.connect() as conn:
            for where in filters:
                if len(rows) < limit:
                    rows += conn.execute(newest.where(where).limit(limit - len(rows))).all()
        return [session_summary(row.state, row.created_at, row.updated_at) for row in rows]

    # DecisionStore

    def record(self, decision: DecisionRecord) -> None:
        self.record_many([decision])

    def record_many(self, batch: Sequence[DecisionRecord]) -> None:
        if not batch:
            return
        rows = [decision_row(d) for d in batch]
        logged = [outcome_row(d.decision_id, o) for d in batch for o in d.outcomes]
        with self.engine.begin() as conn:
            # One executemany; its rowcount sums the rows, so a short count means a duplicate somewhere, and
            # raising inside the transaction rolls the whole batch back.
            if conn.execute(self._insert_decision, rows if len(rows) > 1 else rows[0]).rowcount != len(rows):
                which = repr(batch[0].decision_id) if len(batch) == 1 else f"of {len(batch)} (one or more)"
                raise ValueError(f"Decision {which} is already recorded.")
            if logged:
                conn.execute(outcomes.insert(), logged)

    def get(self, decision_id: str) -> DecisionRecord:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(decisions).where(decisions.c.decision_id == decision_id)).first()
            if row is None:
                raise UnknownDecisionError(f"No decision with id {decision_id!r}.")
            logged = conn.execute(
                sa.select(*_OUTCOME_FIELDS)
                .where(outcomes.c.decision_id == decision_id)
                .order_by(outcomes.c.id)
            ).all()
        return DecisionRecord(**row._asdict(), outcomes=[Outcome(*o) for o in logged])

    def get_many(self, decision_ids: Sequence[str]) -> list[DecisionRecord]:
        # Two queries for any number of decisions (a session's page lists them all), not two per decision.
        wanted = list(dict.fromkeys(decision_ids))
        if not wanted:
            return []
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(decisions).where(decisions.c.decision_id.in_(wanted))).all()
            logged = conn.execute(
                sa.select(outcomes.c.decision_id, *_OUTCOME_FIELDS)
                .where(outcomes.c.decision_id.in_(wanted))
                .order_by(outcomes.c.id)
            ).all()
        by_decision: dict[str, list[Outcome]] = {}
        for decision_id, *said in logged:
            by_decision.setdefault(decision_id, []).append(Outcome(*said))
        found = {
            row.decision_id: DecisionRecord(**row._asdict(), outcomes=by_decision.get(row.decision_id, []))
            for row in rows
        }
        return [found[i] for i in decision_ids if i in found]

    def add_outcome(self, decision_id: str, outcome: Outcome) -> None:
        # INSERT ... SELECT from the decision itself: one statement, no row when the decision is unknown.
        source = sa.select(
            decisions.c.decision_id,
            sa.cast(sa.literal(outcome.shop_id), sa.String()),
            sa.cast(sa.literal(outcome.outcome), sa.String()),
            sa.cast(sa.literal(outcome.reason), sa.Text()),
            sa.cast(sa.literal(float(outcome.ts)), sa.Double()),
        ).where(decisions.c.decision_id == decision_id)
        stmt = outcomes.insert().from_select(["decision_id", "shop_id", "outcome", "reason", "ts"], source)
        stmt = stmt.execution_options(preserve_rowcount=True)
        with self.engine.begin() as conn:
            if conn.execute(stmt).rowcount == 0:
                raise UnknownDecisionError(f"No decision with id {decision_id!r}.")

    def strategy_totals(self) -> list[StrategyTotals]:
        flags = (
            sa.select(
                outcomes.c.decision_id,
                sa.func.max(sa.case((outcomes.c.outcome == "accepted", 1), else_=0)).label("accepted"),
                sa.func.max(sa.case((outcomes.c.outcome == "rejected", 1), else_=0)).label("rejected"),
            )
            .group_by(outcomes.c.decision_id)
            .subquery()
        )
        accepted = sa.func.coalesce(flags.c.accepted, 0)
        rejected_only = sa.case((sa.and_(flags.c.rejected == 1, accepted == 0), 1), else_=0)
        query = (
            sa.select(
                decisions.c.strategy,
                decisions.c.strategy_version,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(accepted), 0),
                sa.func.coalesce(sa.func.sum(rejected_only), 0),
            )
            .select_from(decisions.outerjoin(flags, flags.c.decision_id == decisions.c.decision_id))
            .group_by(decisions.c.strategy, decisions.c.strategy_version)
            .order_by(decisions.c.strategy, decisions.c.strategy_version)
        )
        with self.engine.connect() as conn:
            return [
                StrategyTotals(s, int(v), int(n), int(a), int(r)) for s, v, n, a, r in conn.execute(query)
            ]

    def offers_to_accept(self) -> dict[int, int]:
        accepted_at = (
            sa.select(decisions.c.session_id, sa.func.min(decisions.c.created_at).label("at"))
            .join(outcomes, outcomes.c.decision_id == decisions.c.decision_id)
            .where(outcomes.c.outcome == "accepted", decisions.c.session_id.is_not(None))
            .group_by(decisions.c.session_id)
            .subquery()
        )
        shown = (
            sa.select(sa.func.count().label("slates"))
            .select_from(accepted_at)
            .join(
                decisions,
                sa.and_(
                    decisions.c.session_id == accepted_at.c.session_id,
                    decisions.c.created_at <= accepted_at.c.at,
                ),
            )
            .group_by(accepted_at.c.session_id)
            .subquery()
        )
        query = sa.select(shown.c.slates, sa.func.count()).group_by(shown.c.slates).order_by(shown.c.slates)
        with self.engine.connect() as conn:
            return {int(slates): int(n) for slates, n in conn.execute(query)}

    def accepted_waits(self, limit: int = 10_000) -> list[float]:
        """Newest first; the wait is read from the accepted shop's entry in the decision's slate."""
        wait = self._dialect.shown("expected_wait_days", sa.Double())
        query = (
            sa.select(wait)
            .select_from(outcomes.join(decisions))
            .where(outcomes.c.outcome == "accepted")
            .order_by(outcomes.c.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [float(w) for w in conn.scalars(query) if w is not None]

    def hourly(self, hours: int, now: float) -> list[tuple[float, int, int]]:
        """Decisions by creation time, acceptances by the time of the accepted outcome."""
        if hours < 1:
            raise ValueError(f"hours must be at least 1, got {hours}.")
        last = math.floor(now / 3600)
        first = last - hours + 1
        start, end = first * 3600.0, (last + 1) * 3600.0
        counts: list[dict[int, int]] = []
        with self.engine.connect() as conn:
            for ts, extra in (
                (decisions.c.created_at, sa.true()),
                (outcomes.c.ts, outcomes.c.outcome == "accepted"),
            ):
                hour = self._dialect.hour(ts)
                query = sa.select(hour, sa.func.count()).where(ts >= start, ts < end, extra).group_by(hour)
                counts.append({int(h): int(n) for h, n in conn.execute(query)})
        made, accepted = counts
        return [(h * 3600.0, made.get(h, 0), accepted.get(h, 0)) for h in range(first, last + 1)]

    def outcomes_since(self, ts: float) -> Iterator[LoggedOutcome]:
        """Outcomes at or after `ts` in arrival order, with the context their shop was offered in."""
        query = (
            sa.select(
                outcomes.c.id,
                outcomes.c.decision_id,
                decisions.c.strategy,
                outcomes.c.shop_id,
                outcomes.c.outcome,
                self._dialect.shown("context", sa.JSON()),
                outcomes.c.ts,
            )
            .select_from(outcomes.join(decisions))
            .where(outcomes.c.ts >= ts)
        )
        for page in self._pages(query, outcomes.c.id, self.page_size):
            for _, decision_id, strategy, shop_id, outcome, context, at in page:
                yield LoggedOutcome(decision_id, strategy, shop_id, outcome, context_tuple(context), at)

    def counts(self) -> tuple[int, int]:
        count = sa.select(sa.func.count())
        query = sa.select(
            count.select_from(decisions).scalar_subquery(), count.select_from(outcomes).scalar_subquery()
        )
        with self.engine.connect() as conn:
            made, logged = conn.execute(query).one()
        return int(made), int(logged)

    # CapacityEventStore

    def append_capacity_events(self, events: Sequence[Mapping[str, Any]], received_at: float) -> None:
        if not events:
            return
        rows = [
            {"shop_id": text_or_none(e.get("shop_id")), "received_at": received_at, "event": dict(e)}
            for e in events
        ]
        with self.engine.begin() as conn:
            conn.execute(capacity_events.insert(), rows)  # executemany: one round trip per driver batch

    def capacity_events_since(
        self, received_after: float, batch: int = 10_000
    ) -> Iterator[list[dict[str, Any]]]:
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}.")
        query = sa.select(capacity_events.c.id, capacity_events.c.event).where(
            capacity_events.c.received_at > received_after
        )
        for page in self._pages(query, capacity_events.c.id, batch):
            yield [event for _, event in page]

    def capacity_event_stats(self) -> tuple[int, float | None]:
        query = sa.select(sa.func.count(), sa.func.max(capacity_events.c.received_at))
        with self.engine.connect() as conn:
            n, newest = conn.execute(query).one()
        return int(n), None if newest is None else float(newest)

    def _pages(self, query: sa.Select[Any], key: sa.Column[Any], size: int) -> Iterator[list[Any]]:
        """Rows of `query` (whose first column is `key`) in key order, `size` at a time: keyset paging, so
        every page is one short query and no connection stays checked out while the caller works."""
        after = None
        while True:
            page_query = query.order_by(key).limit(size)
            if after is not None:
                page_query = page_query.where(key > after)
            with self.engine.connect() as conn:
                page = list(conn.execute(page_query))
            if page:
                yield page
            if len(page) < size:
                return
            after = page[-1][0]
