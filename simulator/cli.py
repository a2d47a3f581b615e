"""`simulate`: the command line of the market simulator, for `rih simulate` and `python -m simulator`.

`add_simulate_command(subparsers)` registers the sub-command on an argparse parser; `run(args)` runs it.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path
from typing import Any

from simulator.config import load_config
from simulator.errors import SimulatorError
from simulator.metrics import CONTRACT_METRICS

DEFAULT_CONFIG = Path(__file__).resolve().parent / "configs" / "default.toml"
EXAMPLES = """examples:
  rih simulate --config simulator/configs/default.toml --out runs/default
  rih simulate --config simulator/configs/tight.toml --out runs/tight --policies nearest,hub
  rih simulate --config simulator/configs/month.toml --out runs/month        (800,000 claims, 110,000 shops)
  rih simulate --out runs/small --claims 5000 --shops 3000 --set customers.patience=0.3
  rih simulate --out runs/ope --ope --set ope.target_strategy='"balanced@v1"'"""


def add_simulate_command(subparsers: Any) -> None:
    """Register `simulate` on an argparse sub-parsers object."""
    parser = subparsers.add_parser(
        "simulate",
        help="replay claims against the shop network and compare dispatch policies",
        description="Market simulator: every policy sees the same claims and customers; writes "
        "metrics.json, curves.json, run.json and PNG plots to --out.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", type=Path, default=DEFAULT_CONFIG, help="TOML config (default: default.toml)"
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for metrics.json and the plots")
    parser.add_argument("--claims", type=int, help="override n_claims")
    parser.add_argument("--shops", type=int, help="override n_shops")
    parser.add_argument("--days", type=int, help="override days")
    parser.add_argument("--seed", type=int, help="override seed")
    parser.add_argument(
        "--policies", help="comma-separated, e.g. nearest,round_robin,hub (oracle always runs)"
    )
    parser.add_argument("--workers", type=int, help="processes to spread the policies over")
    parser.add_argument(
        "--ope",
        action="store_true",
        help="also log under ope.logging_strategy and estimate ope.target_strategy off-policy",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override any config key (TOML value), repeatable",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    parser.set_defaults(run=run)


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """Config overrides from the options (`--set` values are parsed as TOML, bare words as strings)."""
    found: dict[str, Any] = {}
    for option, key in (("claims", "n_claims"), ("shops", "n_shops"), ("days", "days"), ("seed", "seed")):
        if getattr(args, option) is not None:
            found[key] = getattr(args, option)
    if args.workers is not None:
        found["workers"] = args.workers
    if args.policies:
        found["policies"] = [p.strip() for p in args.policies.split(",") if p.strip()]
    if args.ope:
        found["ope.enabled"] = True
    for item in args.set:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise SimulatorError(f"--set takes KEY=VALUE, got {item!r}.")
        try:
            found[name.strip()] = tomllib.loads(f"v = {text}")["v"]
        except tomllib.TOMLDecodeError:
            found[name.strip()] = text
    return found


def run(args: argparse.Namespace) -> int:
    """Run the simulation the options describe; print the contract metrics; 0 on success."""
    from simulator.runner import simulate  # heavy imports only when the command runs

    config = load_config(args.config, overrides(args))
    report = simulate(config, args.out, show_progress=not args.no_progress)
    print(summary_table(report["metrics"]))
    if "ope" in report:
        ope = report["ope"]
        print(f"off-policy value of {ope['target']} logged under {ope['logging']}: truth {ope['truth']:.4f}")
        for name in ("ips", "snips", "dr"):
            print(f"  {name:5s} {ope[name]:.4f}  ({ope[name + '_error']:+.2%} vs truth)")
    seconds = report["run"]["total_seconds"]
    print(f"wrote {args.out}/metrics.json, curves.json, run.json and plots ({seconds:.1f} s)")
    return 0


def summary_table(metrics: dict[str, dict[str, float]]) -> str:
    names = list(metrics)
    rows = [f"{'metric':24s}" + "".join(f"{n:>17s}" for n in names)]
    for metric in CONTRACT_METRICS:
        rows.append(f"{metric:24s}" + "".join(f"{metrics[n][metric]:17.4f}" for n in names))
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    """`python -m simulator --config F --out D`: the same as `rih simulate`."""
    parser = argparse.ArgumentParser(prog="python -m simulator")
    add_simulate_command(parser.add_subparsers())
    args = parser.parse_args(["simulate", *(sys.argv[1:] if argv is None else argv)])
    try:
        return run(args)
    except (SimulatorError, ValueError) as error:  # entrypoint: one line, no stack trace
        print(f"simulate: error: {error}", file=sys.stderr)
        return 2


__all__ = ["add_simulate_command", "main", "run"]
