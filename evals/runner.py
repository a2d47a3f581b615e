"""`rih eval`: run the sets, hold them against the gates, and tag the result with what was evaluated.

Sets: scenarios (simulated policyholders, pass^k), faithfulness (every explanation those runs showed),
extraction (field accuracy per field and language) and dispatch (a short simulator run). The report is
tagged with the git revision, prompt versions, model/backend, user simulator and dispatch strategies.
"""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.bootstrap import make_chat_model
from assistant.prompts import load_prompt
from assistant.settings import Settings
from evals.dispatch_set import run_dispatch_set
from evals.extraction_set import run_extraction_set
from evals.gates import GATES, evaluate_gates, load_gates, passed
from evals.scenarios.episode import UserFactory, rule_user
from evals.scenarios.llm_user import llm_user_factory, user_prompt
from evals.scenarios.model import Scenario, load_scenarios
from evals.scenarios.suite import SuiteResult, run_suite
from evals.scenarios.wiring import CATALOG_SEED, CATALOG_SHOPS, EvalWorld

SETS = ("scenarios", "faithfulness", "extraction", "dispatch")
ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PROMPTS = ("local_replies", "dialogue_system", "extract_preferences")


@dataclass
class EvalOptions:
    k: int | None = None  # None: the gates file's k
    only: tuple[str, ...] = SETS
    scenarios: int | None = None  # the first N scenarios only
    user: str = "auto"  # "rule", "llm", or "auto" (the LLM when one is configured)
    shops: int = CATALOG_SHOPS
    gates_path: Path = GATES
    progress: bool = True


def run_eval(options: EvalOptions) -> dict[str, Any]:
    """Every requested set, the gate verdicts and the tags, as one JSON-able report."""
    started = time.perf_counter()
    gates = load_gates(options.gates_path)
    k = options.k or int(gates["scenarios"]["k"])
    chat_model = make_chat_model(Settings())  # type: ignore[call-arg]  # RIH_LLM_* from the environment
    user_kind = _user_kind(options.user, chat_model)
    results: dict[str, dict[str, Any]] = {}
    strategies: dict[str, Any] = {}
    if {"scenarios", "faithfulness"} & set(options.only):
        scenarios = load_scenarios()[: options.scenarios]
        suite, strategies = _scenarios(scenarios, k, options, _user_factory(user_kind, chat_model))
        if "scenarios" in options.only:
            results["scenarios"] = scenario_result(suite, scenarios)
        if "faithfulness" in options.only:
            results["faithfulness"] = {
                "status": "ran",
                **suite.faithfulness(),
                "unfaithful": _unfaithful(suite),
            }
    if "extraction" in options.only:
        results["extraction"] = run_extraction_set(chat_model)
    if "dispatch" in options.only:
        results["dispatch"] = run_dispatch_set()
    verdicts = evaluate_gates(gates, results)
    tags = _tags(chat_model, user_kind, k, options, strategies, results.get("dispatch"))
    return {
        "tags": tags,
        "gates": [g.as_dict() for g in verdicts],
        "passed": passed(verdicts),
        "sets": results,
        "wall_time_s": time.perf_counter() - started,
    }


def scenario_result(suite: SuiteResult, scenarios: list[Scenario]) -> dict[str, Any]:
    """The scenario set's scores, per-check failure counts, and every failing run with its excerpt."""
    return {
        "status": "ran",
        "scenarios": len(scenarios),
        "languages": {lang: sum(s.language == lang for s in scenarios) for lang in ("en", "zh")},
        "k": suite.k,
        "runs": len(suite.runs),
        "pass_1": suite.pass_hat(1),
        "pass_k": suite.pass_hat(suite.k),
        "pass_hat": {str(j): suite.pass_hat(j) for j in range(1, suite.k + 1)},
        "checks": suite.check_failures(),
        "by_language": suite.pass_rate_by("language"),
        "by_persona": suite.pass_rate_by("persona"),
        "by_scenario": {sid: sum(r.passed for r in runs) for sid, runs in suite.by_scenario().items()},
        "mean_turns": sum(r.turns for r in suite.runs) / max(len(suite.runs), 1),
        "seconds": sum(r.seconds for r in suite.runs),
        "failures": [
            {
                "scenario": r.scenario_id,
                "seed": r.seed,
                "checks": [{"check": c.name, "message": c.message} for c in r.failures],
                "excerpt": r.excerpt,
            }
            for r in suite.runs
            if not r.passed
        ],
    }


def _scenarios(
    scenarios: list[Scenario], k: int, options: EvalOptions, make_user: UserFactory
) -> tuple[SuiteResult, dict[str, Any]]:
    world = EvalWorld.build(options.shops, CATALOG_SEED)
    try:
        suite = run_suite(world, scenarios, k, make_user, progress=options.progress)
        dispatcher = world.product((0,)).dispatcher
        strategies = {
            "default": dispatcher.default_strategy,
            "loaded": {key: s.version for key, s in dispatcher.strategies.items()},
            "catalog": {
                "shops": options.shops,
                "seed": CATALOG_SEED,
                "fingerprint": world.catalog.fingerprint(),
            },
        }
    finally:
        world.close()
    return suite, strategies


def _unfaithful(suite: SuiteResult) -> list[dict[str, Any]]:
    return [
        {"scenario": r.scenario_id, "seed": r.seed, "problem": p} for r in suite.runs for p in r.unfaithful
    ]


def _user_kind(requested: str, chat_model: Any | None) -> str:
    if requested == "llm" and chat_model is None:
        raise ValueError("--user llm needs an LLM: set RIH_LLM_BASE_URL (and RIH_LLM_MODEL).")
    if requested == "auto":
        return "llm" if chat_model is not None else "rule"
    return requested


def _user_factory(kind: str, chat_model: Any | None) -> UserFactory:
    return llm_user_factory(chat_model) if kind == "llm" else rule_user


def _tags(
    chat_model: Any | None,
    user_kind: str,
    k: int,
    options: EvalOptions,
    strategies: dict[str, Any],
    dispatch: dict[str, Any] | None,
) -> dict[str, Any]:
    model = getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None)
    used = ["local_replies"] if chat_model is None else list(PRODUCT_PROMPTS)
    prompts = {name: load_prompt(name).tag for name in PRODUCT_PROMPTS}
    if user_kind == "llm":
        prompts["simulated_user"] = user_prompt().tag
        used.append("simulated_user")
    return {
        "git_revision": git_revision(),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "backend": "local" if chat_model is None else f"llm:{model}",
        "user_simulator": user_kind,
        "prompts": prompts,
        "prompts_in_use": used,
        "strategies": strategies,
        "simulator_strategy": ((dispatch or {}).get("run") or {}).get("hub_strategy"),
        "k": k,
        "sets": list(options.only),
        "scenario_limit": options.scenarios,
        "python": platform.python_version(),
    }


def git_revision() -> str:
    """`git rev-parse HEAD` of the repository, with "+dirty" when the tree has changes; else "unknown"."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}+dirty" if dirty else head or "unknown"
