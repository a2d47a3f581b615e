"""Checks of the outcome: the end state, the booked shop against the user's hard constraints, capacity."""

from __future__ import annotations

import math

from evals.scenarios.checks.result import CheckResult, acts, booked_shop, fail, not_applicable, ok, verdict
from evals.scenarios.episode import Episode
from evals.scenarios.model import Goal
from retrieval.catalog.cities import find_city
from retrieval.catalog.table import Shop

DEALER = "4s_dealer"
DISTANCE_SLACK_KM = 0.05  # the index's and this check's great-circle arithmetic differ in the last digits


def end_state(ep: Episode) -> CheckResult:
    name, want = "end_state", ep.scenario.end
    if ep.error:
        return fail(name, f"the product raised {ep.error}")
    stage = ep.state.get("stage")
    if stage != want:
        turns = " (the user ran out of turns)" if ep.out_of_turns else ""
        return fail(name, f"ended in {stage!r}, expected {want!r}{turns}")
    return ok(name, f"ended in {want!r}")


def booked_the_choice(ep: Episode) -> CheckResult:
    name, booked, picks = "booked_the_choice", booked_shop(ep), acts(ep, "pick")
    if booked is None and not picks:
        return not_applicable(name)
    if not picks:
        return fail(name, f"booked {booked} though the user never picked a shop")
    chosen = picks[-1][1].shop
    if booked != chosen:
        return fail(name, f"the user picked {chosen} (rank {picks[-1][1].rank}); booked: {booked}")
    return ok(name, f"booked {booked} as picked")


def hard_constraints(ep: Episode) -> CheckResult:
    """Within the user's distance of where they said, 4S of the make when asked, capable, takes the make."""
    name, booked = "hard_constraints", booked_shop(ep)
    if booked is None:
        return not_applicable(name)
    goal, shop = ep.scenario.final_goal(), ep.catalog.shop(booked)
    problems = []
    point = _reference_point(ep, goal)
    limit = goal.max_km if goal.max_km is not None else ep.default_max_km
    if point is None:
        problems.append("the scenario gives no reference point to measure the distance from")
    else:
        km = _haversine_km(*point, shop.lat, shop.lon)
        if km > limit + DISTANCE_SLACK_KM:
            problems.append(f"{booked} is {km:.1f} km from where the user is; limit {limit:g} km")
    if goal.dealer == "authorized" and not _authorized(shop, goal.make):
        problems.append(f"{booked} is not an authorized {goal.make} dealer ({shop.shop_type})")
    if shop.shop_type == DEALER and goal.make not in shop.authorized_makes:
        problems.append(f"{booked} is a 4S dealer of {shop.authorized_makes}, not of {goal.make}")
    missing = sorted(set(goal.damage) - set(shop.capabilities))
    if missing:
        problems.append(f"{booked} cannot repair {missing}")
    return verdict(name, problems, f"{booked} meets distance, dealer and capability")


def capacity_respected(ep: Episode) -> CheckResult:
    """No shop reported full or closed (fresh report) was offered, nor booked."""
    name = "capacity_respected"
    if not ep.shown and not ep.bookings:
        return not_applicable(name)
    problems = [
        f"offered {s.payload['shop_id']} while reported {'closed' if s.closed else 'full'}"
        for s in ep.shown
        if s.full or s.closed
    ]
    problems += [
        f"booked {b.shop_id} while reported {'closed' if b.closed else 'full'}"
        for b in ep.bookings
        if b.full or b.closed
    ]
    blocked = len(ep.prepared.full) + len(ep.prepared.closed)
    return verdict(name, problems, f"{blocked} shops reported full/closed before the chat")


def avoided_never_offered(ep: Episode) -> CheckResult:
    """Shops the customer rated poorly before (profile) are never offered again."""
    name, avoided = "avoided_never_offered", set(ep.prepared.avoided)
    if not avoided:
        return not_applicable(name)
    offered = {str(s.payload["shop_id"]) for s in ep.shown}
    again = sorted(avoided & offered)
    return verdict(name, [f"offered {s}, rated 0.1 by this customer before" for s in again])


def outcomes_logged_as_said(ep: Episode) -> CheckResult:
    """The decision log learns what the user did: each rejection (with its reason), the pick, no more."""
    name = "outcomes_logged_as_said"
    if not ep.outcomes and not acts(ep, "reject", "more", "own_shop", "pick"):
        return not_applicable(name)
    turned_down = {s: a.reason for _, a in acts(ep, "reject", "more", "own_shop") for s in a.targets}
    picked = {a.shop for _, a in acts(ep, "pick")}
    problems = []
    for shop, outcome, reason in ep.outcomes:
        if outcome == "accepted" and shop not in picked:
            problems.append(f"logged {shop} as accepted; the user picked {sorted(s for s in picked if s)}")
        elif outcome == "rejected" and shop not in turned_down:
            problems.append(f"logged {shop} as rejected ({reason}); the user never turned it down")
    rejected = {shop: reason for shop, outcome, reason in ep.outcomes if outcome == "rejected"}
    for _, act in acts(ep, "reject", "more"):
        for shop in act.targets:
            if shop not in rejected:
                problems.append(f"the user rejected {shop} ({act.reason}); nothing was logged")
            elif act.kind == "reject" and rejected[shop] != act.reason:
                problems.append(f"{shop} rejected as {act.reason!r}, logged as {rejected[shop]!r}")
    return verdict(name, problems, f"{len(ep.outcomes)} outcome(s) as the user acted")


def _authorized(shop: Shop, make: str) -> bool:
    return shop.shop_type == DEALER and make in shop.authorized_makes


def _reference_point(ep: Episode, goal: Goal) -> tuple[float, float] | None:
    claim = ep.prepared.claim
    if goal.city:
        city = find_city(goal.city)
        return city.lat, city.lon
    if goal.location_ref and claim and claim.customer:
        point = claim.customer.home if goal.location_ref == "home" else claim.customer.work
        if point is not None:
            return point.lat, point.lon
    if claim and claim.location:
        return claim.location.lat, claim.location.lon
    return None


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))
