"""`rih eval` (and `python -m evals`): run the eval suite, write the report, exit 1 when a gate fails."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from evals.gates import GATES, load_gates
from evals.report import write_report
from evals.runner import SETS, EvalOptions, run_eval
from evals.scenarios.wiring import CATALOG_SHOPS

DESCRIPTION = """Run the eval suite and gate on it (thresholds in evals/gates.toml).

sets: scenarios (simulated policyholders, pass^1 and pass^k), faithfulness (every explanation the
scenario runs showed), extraction (field accuracy per field and language), dispatch (a short market-
simulator run, hub against nearest and round_robin; skipped when the simulator is not importable).
Writes OUT/report.json and OUT/report.md (with PNG charts). Exit 0: every gate passed; 1: a gate failed."""
EXAMPLES = """examples:
  rih eval                                  everything on the embedded defaults (k = 4)
  rih eval --only scenarios --scenarios 10 --k 2
  rih eval --only extraction dispatch --out var/eval-quick"""


def add_eval_command(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `eval` on `rih`'s sub-command parser; its `run(args)` returns the exit code."""
    parser = subparsers.add_parser(
        "eval",
        help="run the eval suite and gate on it",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _arguments(parser)
    parser.set_defaults(run=run_eval_command)


def _arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--k", type=int, default=None, help="runs per scenario (default: gates.toml, 4)")
    parser.add_argument("--out", type=Path, default=Path("var/eval"), help="report folder (default var/eval)")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SETS,
        default=list(SETS),
        metavar="SET",
        help=f"run only these sets: {', '.join(SETS)}",
    )
    parser.add_argument("--scenarios", type=int, default=None, metavar="N", help="the first N scenarios only")
    parser.add_argument(
        "--user",
        choices=("auto", "rule", "llm"),
        default="auto",
        help="simulated user: rule, llm, or auto (llm when RIH_LLM_BASE_URL is set)",
    )
    parser.add_argument("--shops", type=int, default=CATALOG_SHOPS, help="catalog size (default 5000)")
    parser.add_argument("--gates", type=Path, default=GATES, help="gates file (default evals/gates.toml)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run_eval_command(args: argparse.Namespace) -> int:
    """Run, report, print the verdicts and the wall time; 0 when every gate passed, else 1."""
    started = time.perf_counter()
    if args.k is not None and args.k < 1:
        raise ValueError(f"--k must be at least 1, got {args.k}.")
    if args.scenarios is not None and args.scenarios < 1:
        raise ValueError(f"--scenarios must be at least 1, got {args.scenarios}.")
    options = EvalOptions(
        k=args.k,
        only=tuple(args.only),
        scenarios=args.scenarios,
        user=args.user,
        shops=args.shops,
        gates_path=args.gates,
        progress=not args.no_progress,
    )
    report = run_eval(options)
    json_path, md_path = write_report(report, load_gates(args.gates), args.out)
    for gate in report["gates"]:
        value = "-" if gate["value"] is None else f"{gate['value']:.4f}"
        print(
            f"{gate['verdict'].upper():<8} {gate['set']:<13} {gate['name']:<38} {value:>8} "
            f"{gate['op']} {gate['threshold']:g}  {gate['note']}"
        )
    wall = time.perf_counter() - started
    print(f"report: {md_path} and {json_path}")
    print(f"eval {'PASSED' if report['passed'] else 'FAILED'} in {wall:.1f} s wall time")
    return 0 if report["passed"] else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals",
        description=DESCRIPTION,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_eval_command(args)
    except ValueError as error:  # entrypoint: a one-line message, exit 2, as `rih` does
        print(f"evals: error: {error}", file=sys.stderr)
        return 2
