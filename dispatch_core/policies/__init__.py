"""Bandit policies for ranking repair shops, looked up by name."""

from __future__ import annotations

from typing import Any

from dispatch_core.errors import InvalidInputError
from dispatch_core.policies.base import ArmStatePolicy, BanditPolicy
from dispatch_core.policies.linear_thompson import LinearThompson
from dispatch_core.policies.linucb import LinUCB
from dispatch_core.policies.thompson import ThompsonSampling
from dispatch_core.policies.ucb1 import UCB1

POLICIES: dict[str, type[ArmStatePolicy]] = {
    "ucb1": UCB1,
    "linucb": LinUCB,
    "thompson": ThompsonSampling,
    "linear_thompson": LinearThompson,
}


def make_policy(name: str, **params: Any) -> BanditPolicy:
    """Build the policy registered as ``name`` with constructor ``params`` (``arms=...`` and so on)."""
    try:
        policy_class = POLICIES[name]
    except KeyError:
        raise InvalidInputError(f"Unknown policy {name!r}; choose one of {sorted(POLICIES)}.") from None
    return policy_class(**params)


__all__ = ["POLICIES", "UCB1", "BanditPolicy", "LinUCB", "LinearThompson", "ThompsonSampling", "make_policy"]
