"""Market conditions a scenario sets before the chat, aimed at the shops the assistant would offer.

A probe asks the dispatch service for a preview (ranked, not logged) of the scenario's need; the first of
those shops are then reported full or closed by a fresh capacity event, or written into the customer's
profile as past shops rated 0.1. A check then holds that none of them is offered or booked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from assistant.bootstrap import Container
from assistant.claim import Claim
from assistant.preferences import Preferences
from evals.scenarios.model import Scenario

PROBE_EXTRA = 3  # preview a few more than needed: the live slate is a random draw from a wider pool


@dataclass(frozen=True)
class Prepared:
    claim: Claim | None
    full: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    avoided: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)


def prepare(scenario: Scenario, container: Container) -> Prepared:
    """The scenario's claim with its market set up in `container`."""
    claim = scenario.claim_model()
    setup = scenario.setup
    wanted = sum(setup.values())
    if not wanted:
        return Prepared(claim)
    probe = _probe(scenario, container, claim, wanted + PROBE_EXTRA)
    full, probe = tuple(probe[: setup.get("full", 0)]), probe[setup.get("full", 0) :]
    closed, probe = tuple(probe[: setup.get("closed", 0)]), probe[setup.get("closed", 0) :]
    avoided = tuple(probe[: setup.get("past_bad", 0)])
    stamp = dt.datetime.now(dt.UTC).isoformat()
    events: list[dict[str, Any]] = [{"shop_id": s, "ts": stamp, "free_bays": 0} for s in full]
    events += [{"shop_id": s, "ts": stamp, "status": "closed"} for s in closed]
    if events:
        container.dispatcher.capacity.apply_events(events)
    if avoided:
        claim = _with_past_shops(claim, avoided)
    return Prepared(claim, full, closed, avoided)


def _probe(scenario: Scenario, container: Container, claim: Claim | None, k: int) -> list[str]:
    goal = scenario.goal
    prefs = Preferences.model_validate(
        {
            "city": goal.city,
            "location_ref": goal.location_ref,
            "vehicle": {"make": goal.make},
            "damage": {"types": list(goal.damage)},
            "dealer_preference": goal.dealer,
            "max_distance_km": goal.max_km,
        }
    )
    return [r["shop_id"] for r in container.dispatch.preview(prefs, claim, k=k)]


def _with_past_shops(claim: Claim | None, avoided: tuple[str, ...]) -> Claim:
    data = claim.model_dump(mode="json") if claim is not None else {}
    customer = data.get("customer") or {}
    past = [*customer.get("past_shops", []), *({"shop_id": s, "satisfaction": 0.1} for s in avoided)]
    return Claim.model_validate({**data, "customer": {**customer, "past_shops": past}})
