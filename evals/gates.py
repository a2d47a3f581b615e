"""Gates: thresholds from `gates.toml` held against the sets' results. One verdict per gate.

A verdict is "pass", "fail", "skipped" (the set could not run: reported, and a failure only where the
file says so) or "not run" (left out with --only: no verdict).
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

GATES = Path(__file__).resolve().parent / "gates.toml"
FAILING = ("fail",)


@dataclass(frozen=True)
class Gate:
    set: str
    name: str
    value: float | None
    op: str
    threshold: float
    verdict: str
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_gates(path: Path = GATES) -> dict[str, Any]:
    """The gates file; an unreadable or incomplete one raises ValueError naming what is wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ValueError(f"Cannot read the gates file {path}: {error}.") from None
    missing = [s for s in ("scenarios", "extraction", "faithfulness", "dispatch") if s not in data]
    if missing:
        raise ValueError(f"The gates file {path} has no table for {missing}.")
    return data


def evaluate_gates(gates: dict[str, Any], results: dict[str, dict[str, Any]]) -> list[Gate]:
    """Every gate's verdict on `results` (set name -> that set's result, with a `status`)."""
    out = _at_least("scenarios", gates["scenarios"], results.get("scenarios"), ("pass_1", "pass_k"))
    out += _at_least("extraction", gates["extraction"], results.get("extraction"), ("field_accuracy",))
    out += _at_least(
        "faithfulness",
        gates["faithfulness"],
        results.get("faithfulness"),
        ("faithful_share", "top_factor_share"),
    )
    return out + _dispatch(gates["dispatch"], results.get("dispatch"))


def passed(verdicts: list[Gate]) -> bool:
    return not any(g.verdict in FAILING for g in verdicts)


def _at_least(
    name: str, table: dict[str, Any], result: dict[str, Any] | None, keys: tuple[str, ...]
) -> list[Gate]:
    out = []
    for key in keys:
        threshold = float(table[key])
        state = _state(result)
        if state is not None:
            out.append(Gate(name, key, None, ">=", threshold, state[0], state[1]))
            continue
        assert result is not None
        value = float(result[key])
        out.append(Gate(name, key, value, ">=", threshold, "pass" if value >= threshold - 1e-12 else "fail"))
    return out


def _dispatch(table: dict[str, Any], result: dict[str, Any] | None) -> list[Gate]:
    """hub against each baseline: relative improvement on each metric of at least the margin. A margin of
    0 means strictly better; a negative margin bounds how much worse hub may be (cost: -0.03)."""
    wanted = [(m, float(v), True) for m, v in table.get("lower_is_better", {}).items()]
    wanted += [(m, float(v), False) for m, v in table.get("higher_is_better", {}).items()]
    state = _state(result, bool(table.get("fail_when_skipped", False)))
    out = []
    for baseline in table["baselines"]:
        for metric, margin, lower in wanted:
            name = f"hub vs {baseline}: {metric}"
            if state is not None:
                out.append(Gate("dispatch", name, None, ">=", margin, state[0], state[1]))
                continue
            assert result is not None
            hub, base = result["metrics"]["hub"][metric], result["metrics"][baseline][metric]
            gain = (base - hub) / abs(base) if lower else (hub - base) / abs(base) if base else 0.0
            verdict = "pass" if (gain > 0 if margin == 0 else gain >= margin) else "fail"
            note = f"hub {hub:.4g} vs {baseline} {base:.4g} ({'lower' if lower else 'higher'} is better)"
            out.append(Gate("dispatch", name, gain, ">=", margin, verdict, note))
    return out


def _state(result: dict[str, Any] | None, fail_when_skipped: bool = True) -> tuple[str, str] | None:
    """(verdict, note) when the set has no numbers to judge; None when it ran."""
    if result is None:
        return "not run", "left out with --only"
    status = result.get("status", "ran")
    if status == "ran":
        return None
    if status == "skipped":
        return ("fail" if fail_when_skipped else "skipped"), str(result.get("reason", ""))
    return "fail", str(result.get("reason", status))
