"""A named check's verdict on one run, and small helpers every check module shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evals.scenarios.episode import Episode


@dataclass(frozen=True)
class CheckResult:
    """`applicable` False: the scenario gives the check nothing to judge (it passes and is not counted)."""

    name: str
    passed: bool
    message: str = ""
    applicable: bool = True


def ok(name: str, message: str = "") -> CheckResult:
    return CheckResult(name, True, message)


def fail(name: str, message: str) -> CheckResult:
    return CheckResult(name, False, message)


def not_applicable(name: str) -> CheckResult:
    return CheckResult(name, True, "not applicable", applicable=False)


def verdict(name: str, problems: list[str], judged: str = "") -> CheckResult:
    """Passed when `problems` is empty; the message lists the first few problems."""
    if problems:
        more = f" (+{len(problems) - 3} more)" if len(problems) > 3 else ""
        return fail(name, "; ".join(problems[:3]) + more)
    return ok(name, judged)


def slate_ids(recommendations: list[dict[str, Any]]) -> list[str]:
    return [str(r["shop_id"]) for r in recommendations]


def booked_shop(episode: Episode) -> str | None:
    booked = episode.state.get("booked_shop_id")
    return str(booked) if booked else None


def acts(episode: Episode, *kinds: str) -> list[tuple[int, Any]]:
    """(turn index, act) of the user's acts of these kinds."""
    return [(i, t.act) for i, t in enumerate(episode.turns) if t.act.kind in kinds]
