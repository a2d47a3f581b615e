"""Rebuild dispatch_core's live state from what the store kept, so a restart forgets nothing it acknowledged.

The learners relearn every logged outcome, the monthly targets count this month's acceptances again, and
recent capacity events are re-applied (older ones are stale by then and would change nothing).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import numpy as np

from assistant.store.ports import DecisionStore, LoggedOutcome
from dispatch_core.errors import InvalidInputError
from dispatch_core.ranking import Dispatcher

if TYPE_CHECKING:
    from assistant.bootstrap import Container

log = logging.getLogger("rih.recovery")
BATCH = 5_000  # outcomes relearned per learner call


def restore_live_state(container: Container, now: float) -> dict[str, int]:
    hours = container.settings.capacity_replay_hours
    replayed = container.capacity_feed.restore(since=now - hours * 3600.0) if hours > 0 else 0
    relearned = relearn_outcomes(container.dispatcher, container.persistence, month_start(now))
    if replayed or relearned:
        log.info("restored live state", extra={"capacity_events": replayed, "outcomes": relearned})
    return {"capacity_events": replayed, "outcomes": relearned}


def month_start(now: float) -> float:
    day = datetime.fromtimestamp(now, UTC)
    return datetime(day.year, day.month, 1, tzinfo=UTC).timestamp()


def relearn_outcomes(dispatcher: Dispatcher, decisions: DecisionStore, since_assignments: float) -> int:
    """Feed every stored outcome to its strategy's learner again (in batches); acceptances since
    `since_assignments` count towards the monthly targets again. Outcomes of a strategy that no longer
    exists, or of a shop no longer in the catalog, are skipped: they cannot teach the current policy."""
    pending: dict[str, list[LoggedOutcome]] = defaultdict(list)
    count = 0
    for outcome in decisions.outcomes_since(0.0):
        if outcome.strategy not in dispatcher.learners_:
            continue
        pending[outcome.strategy].append(outcome)
        if len(pending[outcome.strategy]) >= BATCH:
            count += _learn(dispatcher, outcome.strategy, pending.pop(outcome.strategy), since_assignments)
    for strategy, batch in pending.items():
        count += _learn(dispatcher, strategy, batch, since_assignments)
    return count


def _learn(dispatcher: Dispatcher, strategy: str, batch: list[LoggedOutcome], since: float) -> int:
    learner = dispatcher.learners_[strategy]
    known = [o for o in batch if learner.knows(o.shop_id)]
    if learner.contextual:
        known = [o for o in known if o.context]
    if not known:
        return 0
    rewards = [1.0 if o.outcome == "accepted" else 0.0 for o in known]
    contexts = np.asarray([o.context for o in known], dtype=np.float64) if learner.contextual else None
    try:
        learner.learn([o.shop_id for o in known], rewards, contexts)
    except InvalidInputError as error:  # e.g. a context from an older strategy version
        log.warning("outcomes not relearned", extra={"strategy": strategy, "why": str(error)})
        return 0
    rows = [learner.row_of(o.shop_id) for o in known if o.outcome == "accepted" and o.ts >= since]
    if rows:
        dispatcher.exposure.record_assignments(np.asarray(rows, dtype=np.int64))
    return len(known)
