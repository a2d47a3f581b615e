"""The end-state checks: each a named pass/fail with a message, run on every scenario run."""

from __future__ import annotations

from collections.abc import Callable

from evals.scenarios.checks.booking import (
    avoided_never_offered,
    booked_the_choice,
    capacity_respected,
    end_state,
    hard_constraints,
    outcomes_logged_as_said,
)
from evals.scenarios.checks.dialogue import (
    alternatives_after_rejection,
    handoff_ticket,
    injection_ignored,
    no_pii_in_logs,
    own_shop_respected,
    rejected_never_return,
    right_to_choose_notice,
    scenario_assertions,
)
from evals.scenarios.checks.explanations import explanations_faithful, explanations_name_top_factor
from evals.scenarios.checks.result import CheckResult
from evals.scenarios.episode import Episode

CHECKS: tuple[Callable[[Episode], CheckResult], ...] = (
    end_state,
    booked_the_choice,
    hard_constraints,
    capacity_respected,
    rejected_never_return,
    alternatives_after_rejection,
    avoided_never_offered,
    outcomes_logged_as_said,
    explanations_faithful,
    explanations_name_top_factor,
    right_to_choose_notice,
    handoff_ticket,
    own_shop_respected,
    injection_ignored,
    no_pii_in_logs,
    scenario_assertions,
)
CHECK_NAMES: tuple[str, ...] = tuple(check.__name__ for check in CHECKS)


def check_episode(episode: Episode) -> list[CheckResult]:
    """Every check's verdict on one run."""
    return [check(episode) for check in CHECKS]


__all__ = ["CHECKS", "CHECK_NAMES", "CheckResult", "check_episode"]
