"""Integration route (role `ops`): shops' systems push capacity events into the live state."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from assistant.api.deps import ContainerDep, require_role
from assistant.capacity_feed import CapacityEvent

router = APIRouter(tags=["capacity"], dependencies=[require_role("ops")])

MAX_EVENTS = 5_000


class CapacityEventsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    events: list[CapacityEvent] = Field(min_length=1, max_length=MAX_EVENTS)


class CapacityAccepted(BaseModel):
    """``accepted`` = ``applied`` + ``stale_ignored``; with ``unknown_shop`` and ``invalid`` it sums to the
    number of events sent."""

    accepted: int
    applied: int
    stale_ignored: int
    unknown_shop: int
    invalid: int


@router.post("/v1/capacity/events", status_code=202)
def capacity_events(body: CapacityEventsIn, container: ContainerDep) -> CapacityAccepted:
    """Persist a batch of capacity events, then merge it into the live state the dispatcher ranks with.

    A batch with any malformed event is refused whole (422) and nothing of it is stored. Otherwise every
    event is stored before the answer, and ``accepted`` counts those that were valid and about a catalog
    shop: they are now part of the live state, either as the newest value of some field (``applied``) or
    as older news than the state already held (``stale_ignored``; resending changes nothing).
    ``unknown_shop`` events name no catalog shop; ``invalid`` ones are stamped too far in the future.
    Sending a batch twice is harmless: the merge keeps the newest value of each field.
    """
    events = [event.model_dump(exclude_none=True) for event in body.events]
    result = container.capacity_feed.ingest(events, source="http")
    return CapacityAccepted(
        accepted=result.accepted,
        applied=result.applied,
        stale_ignored=result.stale_ignored,
        unknown_shop=result.unknown_shop,
        invalid=result.invalid,
    )
