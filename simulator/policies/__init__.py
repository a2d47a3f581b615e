"""Dispatch policies the simulator compares, by name: three rule-based baselines, the hub, the oracle."""

from __future__ import annotations

from collections.abc import Callable

from simulator.floor import Floor
from simulator.policies.base import Policy
from simulator.policies.nearest import Nearest
from simulator.policies.oracle import Oracle
from simulator.policies.rating_priority import RatingPriority
from simulator.policies.round_robin import RoundRobin
from simulator.world import World

POLICIES: dict[str, Callable[[World, Floor], Policy]] = {
    "nearest": Nearest,
    "round_robin": RoundRobin,
    "rating_priority": RatingPriority,
    "oracle": Oracle,
}


def make_policy(name: str, world: World, floor: Floor) -> Policy:
    """The policy registered as `name`, on `world` (the hub is imported lazily: it is the heavy one)."""
    if name == "hub":
        from simulator.policies.hub import Hub

        return Hub(world, floor)
    return POLICIES[name](world, floor)
