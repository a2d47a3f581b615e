"""Run every scenario k times with different seeds and score pass^1 and pass^k (tau-bench's reliability).

pass^j = the mean, over scenarios, of C(c, j) / C(k, j), where c of a scenario's k runs passed: the chance
that j runs drawn at random all pass. pass^1 is the mean pass rate over all runs and pass^k the share of
scenarios that passed every one of their k runs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from math import comb

from tqdm import tqdm

from evals.scenarios.checks import CHECK_NAMES, CheckResult, check_episode
from evals.scenarios.checks.explanations import judge
from evals.scenarios.episode import Episode, UserFactory, rule_user, run_episode
from evals.scenarios.logs import LogCapture
from evals.scenarios.model import Scenario
from evals.scenarios.wiring import EvalWorld, Tamper

EXCERPT_TURNS = 4
EXCERPT_CHARS = 240


@dataclass(frozen=True)
class RunResult:
    scenario_id: str
    language: str
    persona: str
    seed: int
    checks: tuple[CheckResult, ...]
    turns: int
    seconds: float
    explanations: int
    faithful: int
    names_top: int
    unfaithful: tuple[str, ...] = ()
    excerpt: str = ""

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]


@dataclass
class SuiteResult:
    k: int
    runs: list[RunResult] = field(default_factory=list)

    def by_scenario(self) -> dict[str, list[RunResult]]:
        grouped: dict[str, list[RunResult]] = {}
        for run in self.runs:
            grouped.setdefault(run.scenario_id, []).append(run)
        return grouped

    def pass_hat(self, j: int) -> float:
        """pass^j (see the module docstring); 0 when there is nothing to score."""
        groups = list(self.by_scenario().values())
        if not groups:
            return 0.0
        return sum(comb(sum(r.passed for r in g), j) / comb(len(g), j) for g in groups) / len(groups)

    def check_failures(self) -> dict[str, dict[str, int]]:
        """Per check: runs where it applied, and runs where it failed."""
        applied: Counter[str] = Counter()
        failed: Counter[str] = Counter()
        for run in self.runs:
            for check in run.checks:
                applied[check.name] += check.applicable
                failed[check.name] += not check.passed
        return {name: {"applied": applied[name], "failed": failed[name]} for name in CHECK_NAMES}

    def pass_rate_by(self, attribute: str) -> dict[str, float]:
        groups: dict[str, list[bool]] = {}
        for run in self.runs:
            groups.setdefault(str(getattr(run, attribute)), []).append(run.passed)
        return {key: sum(v) / len(v) for key, v in sorted(groups.items())}

    def faithfulness(self) -> dict[str, float | int]:
        shown = sum(r.explanations for r in self.runs)
        return {
            "explanations": shown,
            "faithful": sum(r.faithful for r in self.runs),
            "names_top_factor": sum(r.names_top for r in self.runs),
            "faithful_share": sum(r.faithful for r in self.runs) / shown if shown else 0.0,
            "top_factor_share": sum(r.names_top for r in self.runs) / shown if shown else 0.0,
        }


def run_suite(
    world: EvalWorld,
    scenarios: list[Scenario],
    k: int,
    make_user: UserFactory = rule_user,
    tamper: Tamper | None = None,
    progress: bool = True,
) -> SuiteResult:
    """Each scenario k times, seeds 0 .. k-1 (each combined with the scenario id), every check on each."""
    if k < 1:
        raise ValueError(f"k must be at least 1, got {k}.")
    result = SuiteResult(k)
    jobs = [(s, seed) for s in scenarios for seed in range(k)]
    with LogCapture() as logs:
        for scenario, seed in tqdm(jobs, desc="scenario runs", unit="run", disable=not progress):
            episode = run_episode(world, scenario, seed, logs, make_user, tamper)
            result.runs.append(score(episode))
    return result


def score(episode: Episode) -> RunResult:
    """Every check's verdict on one run, its explanation counts, and an excerpt when it failed."""
    checks = tuple(check_episode(episode))
    verdicts = [judge(shown, episode) for shown in episode.shown]
    s = episode.scenario
    run = RunResult(
        scenario_id=s.id,
        language=s.language,
        persona=s.persona,
        seed=episode.seed,
        checks=checks,
        turns=len(episode.turns),
        seconds=episode.seconds,
        explanations=len(verdicts),
        faithful=sum(v.faithful for v in verdicts),
        names_top=sum(v.names_top for v in verdicts),
        unfaithful=tuple(p for v in verdicts if not v.faithful for p in v.problems),
    )
    if run.passed:
        return run
    return RunResult(**{**run.__dict__, "excerpt": excerpt(episode)})


def excerpt(episode: Episode, turns: int = EXCERPT_TURNS) -> str:
    """The last few exchanges, each side cut to a readable length."""
    lines = []
    for i, turn in enumerate(episode.turns[-turns:], start=max(len(episode.turns) - turns, 0) + 1):
        lines.append(f"[{i}] user: {_cut(turn.text)}")
        lines.append(f"[{i}] assistant ({turn.stage}): {_cut(turn.reply)}")
    return "\n".join(lines)


def _cut(text: str) -> str:
    flat = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"
