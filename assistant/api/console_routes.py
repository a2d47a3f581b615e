"""Routes behind the agent console (role `agent`) and the operations dashboard (role `ops`)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query

from assistant.api.deps import ContainerDep, require_role
from assistant.ops_summary import ops_summary

router = APIRouter(tags=["consoles"])


@router.get("/v1/agent/queue", dependencies=[require_role("agent")])
def agent_queue(
    container: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    stage: Literal["new", "gathering", "offered", "booked", "own_shop", "handoff"] | None = None,
) -> dict[str, Any]:
    """Sessions for the copilot console: hand-offs first, then the most recently active."""
    sessions = container.persistence.recent_sessions(limit=limit, stage=stage)
    return {"sessions": [asdict(s) for s in sessions]}


@router.get("/v1/ops/summary", dependencies=[require_role("ops")])
def summary(container: ContainerDep) -> dict[str, Any]:
    """Acceptance, offers-to-accept, waits, utilisation spread, new-shop targets, strategies, capacity."""
    store = container.persistence
    return ops_summary(store, store, container.dispatcher, lock=container.dispatch_lock)
