"""The store's tables in SQLAlchemy Core, for SQLite and PostgreSQL alike, and rows <-> domain objects.

Times are float epoch seconds, as the services stamp them with `time.time()`. Documents (a dialogue state, a
decision's request and slate, a capacity event) are JSON: `jsonb` on PostgreSQL, so queries can reach into a
slate; JSON text on SQLite, where `json_each` does the same.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from assistant.decision_log import DecisionRecord, Outcome
from assistant.dialogue.state import DialogueState
from assistant.store.ports import SessionSummary

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
EPOCH_S: sa.Double[float] = sa.Double()  # 8-byte float on both: epoch seconds keep microseconds
# SQLite autoincrements only an INTEGER PRIMARY KEY (the rowid); PostgreSQL gets BIGINT: event feeds run long.
ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_id", sa.String(), primary_key=True),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("stage", sa.String(), nullable=False),
    sa.Column("language", sa.String(), nullable=False),
    sa.Column("claim_id", sa.String()),
    sa.Column("created_at", EPOCH_S, nullable=False),
    sa.Column("updated_at", EPOCH_S, nullable=False),
    sa.Column("state", JSON_DOC, nullable=False),  # the whole DialogueState: transcript, preferences, ...
    # The agent console lists sessions by stage, newest update first.
    sa.Index("ix_sessions_stage_updated", "stage", "updated_at"),
    sa.Index("ix_sessions_updated", "updated_at"),
)

decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("decision_id", sa.String(), primary_key=True),
    sa.Column("created_at", EPOCH_S, nullable=False, index=True),
    sa.Column("strategy", sa.String(), nullable=False),
    sa.Column("strategy_version", sa.Integer, nullable=False),
    sa.Column("session_id", sa.String(), index=True),
    sa.Column("claim_id", sa.String()),
    sa.Column("request", JSON_DOC, nullable=False),
    sa.Column("recommendations", JSON_DOC, nullable=False),  # the slate shown, with propensities and contexts
    sa.Column("considered", sa.Integer, nullable=False),
    sa.Column("filtered", JSON_DOC, nullable=False),
    sa.Column("slate_propensity", sa.Double(), nullable=False),
)

outcomes = sa.Table(
    "outcomes",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column(
        "decision_id",
        sa.String(),
        sa.ForeignKey("decisions.decision_id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("shop_id", sa.String(), nullable=False),
    sa.Column("outcome", sa.String(), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("ts", EPOCH_S, nullable=False, index=True),
)

capacity_events = sa.Table(
    "capacity_events",
    metadata,
    sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
    sa.Column("shop_id", sa.String()),  # as received: validation is the API's business, not the store's
    sa.Column("received_at", EPOCH_S, nullable=False, index=True),
    sa.Column("event", JSON_DOC, nullable=False),
)


def dumps(document: Any) -> str:
    """JSON text of a document, as every adapter stores it: UTF-8 rather than \\u escapes (Chinese text
    keeps a third of the bytes), numpy scalars as numbers, and NaN refused at write time, since neither
    PostgreSQL's jsonb nor SQLite's json functions can read it back. NUL characters are dropped: jsonb
    refuses them, and no customer means one (every adapter drops them, so all answer the same)."""
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False, default=_plain)
    return _NUL.sub(r"\1", text) if "\\u0000" in text else text


# An escaped NUL: "\u0000" after an even number of backslashes (an odd one escapes the backslash instead).
_NUL = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return value.tolist()
    raise TypeError(f"A stored document holds only JSON values, got {type(value).__name__}.")


# Rows <-> domain objects, shared by the SQL and in-memory adapters so both answer alike.


def session_columns(state: DialogueState) -> dict[str, Any]:
    """The session's columns the console filters on, read from its state."""
    claim = state.get("claim") or {}
    return {
        "session_id": state["session_id"],
        "role": state.get("role", "customer"),
        "stage": state.get("stage", "new"),
        "language": state.get("language") or "en",
        "claim_id": text_or_none(claim.get("claim_id")),
    }


def session_summary(state: Mapping[str, Any], created_at: float, updated_at: float) -> SessionSummary:
    said = [entry.get("text") for entry in state.get("transcript") or () if entry.get("role") == "user"]
    columns = session_columns(cast(DialogueState, state))
    del columns["session_id"]
    return SessionSummary(
        session_id=state["session_id"],
        **columns,
        created_at=created_at,
        updated_at=updated_at,
        handoff=state.get("handoff"),
        last_message=said[-1] if said else None,
    )


def decision_row(d: DecisionRecord) -> dict[str, Any]:
    """The decision's columns; its outcomes go to their own table."""
    row = {f.name: getattr(d, f.name) for f in fields(d)}
    del row["outcomes"]
    return row


def outcome_row(decision_id: str, o: Outcome) -> dict[str, Any]:
    return {
        "decision_id": decision_id,
        "shop_id": o.shop_id,
        "outcome": o.outcome,
        "reason": o.reason,
        "ts": o.ts,
    }


def context_tuple(context: Sequence[float] | None) -> tuple[float, ...] | None:
    """A logged recommendation's context as the learner takes it back: None when there was none."""
    return tuple(float(x) for x in context) if context else None


def text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
