"""The simulator's config: TOML with the contract keys at the top and every assumption in a table.

`load_config(path, overrides)` reads a file, applies command-line overrides, and checks every key: an
unknown key, a wrong type or a value out of range raises `InvalidConfigError` naming the key.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from simulator.config_sections import (
    DAMAGES,
    BaselinesConfig,
    ClaimsConfig,
    CostsConfig,
    CustomersConfig,
    OpeConfig,
    ShopsConfig,
    key,
)
from simulator.errors import InvalidConfigError

BASELINES = ("nearest", "round_robin", "rating_priority")
POLICY_NAMES = (*BASELINES, "hub", "oracle")
STRATEGIES_DIR = Path(__file__).resolve().parent / "strategies"


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class SimConfig:
    """One run. The top-level keys are the contract's (shared/contracts/SIMULATOR.md) plus the run's shape."""

    seed: int = key(7, "one integer fixes every random draw (catalog, claims, customers, shops)", 0)
    n_shops: int = key(10_000, "partner shops in the network (a seeded national catalog)", 50, 2_000_000)
    n_claims: int = key(33_600, "claims in the run", 1)
    days: int = key(14, "simulated days the claims arrive over", 1, 366)
    new_shop_share: float = key(0.08, "share of shops opened within 180 days (little history)", 0.0, 1.0)
    capacity_scale: float = key(1.0, "multiplier on every shop's bays: < 1 tight, > 1 slack", 0.05, 20.0)
    policies: tuple[str, ...] = key(
        ["nearest", "round_robin", "rating_priority", "hub"], "policies to run; the oracle always runs too"
    )
    start_date: str = key("2026-11-01", "first simulated day (local time); months reset targets")
    step_minutes: int = key(15, "claims in one step are ranked together on one capacity snapshot", 1, 1440)
    slate_size: int = key(3, "shops shown per slate", 1, 10)
    max_slates: int = key(3, "slates a customer may see (first + alternatives)", 1, 10)
    candidates_k: int = key(30, "nearest capable shops retrieved per claim", 1, 500)
    dealer_candidates_k: int = key(10, "nearest capable 4S dealers of the make, added to those", 0, 100)
    max_distance_km: float = key(50.0, "no shop farther than this is a candidate", 1.0)
    drain_days: int = key(21, "days simulated after the last claim so queued cars can start", 0, 365)
    workers: int = key(2, "processes the policies are spread over", 1, 64)
    hub_strategy: str = key("market@v1", "dispatch_core strategy the hub runs")
    strategies_dir: str = key("", "folder of strategy TOML files; empty = simulator/strategies")
    hub_history_months: float = key(
        12.0, "months of past outcomes the hub has seen for each established shop (new shops: none)", 0.0
    )
    hub_relax_capacity: bool = key(
        True, "when every candidate is reported full or closed the hub ranks them anyway (batched path)"
    )
    hub_batch: bool = key(True, "rank a step's claims in one batch (dispatch_core.batch); else one by one")
    claims: ClaimsConfig = field(default_factory=ClaimsConfig, metadata=_doc("claim stream (table [claims])"))
    customers: CustomersConfig = field(
        default_factory=CustomersConfig, metadata=_doc("customers (table [customers])")
    )
    shops: ShopsConfig = field(default_factory=ShopsConfig, metadata=_doc("shops (table [shops])"))
    costs: CostsConfig = field(default_factory=CostsConfig, metadata=_doc("insurer costs (table [costs])"))
    baselines: BaselinesConfig = field(
        default_factory=BaselinesConfig, metadata=_doc("rule-based baselines (table [baselines])")
    )
    ope: OpeConfig = field(default_factory=OpeConfig, metadata=_doc("off-policy evaluation (table [ope])"))

    def __post_init__(self) -> None:
        _check_ranges(self, "")
        for section in (self.claims, self.customers, self.shops, self.costs, self.baselines, self.ope):
            _check_ranges(section, _TABLE_OF[type(section)] + ".")
        _check_policies(self.policies)
        _check_profiles(self.claims, self.customers)
        try:
            dt.date.fromisoformat(self.start_date)
        except ValueError:
            raise InvalidConfigError(
                f"start_date must be a date like 2026-11-01, got {self.start_date!r}."
            ) from None
        if self.customers.states_priority_p + self.customers.misstates_priority_p > 1.0:
            raise InvalidConfigError(
                "customers.states_priority_p + customers.misstates_priority_p must not exceed 1."
            )

    @property
    def strategies_path(self) -> Path:
        return Path(self.strategies_dir) if self.strategies_dir else STRATEGIES_DIR

    @property
    def start_epoch(self) -> float:
        day = dt.date.fromisoformat(self.start_date)
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()

    @property
    def all_policies(self) -> tuple[str, ...]:
        """The requested policies, in order, plus the oracle (regret is measured against it)."""
        return tuple(dict.fromkeys((*self.policies, "oracle")))


_TABLE_OF: dict[type, str] = {
    ClaimsConfig: "claims",
    CustomersConfig: "customers",
    ShopsConfig: "shops",
    CostsConfig: "costs",
    BaselinesConfig: "baselines",
    OpeConfig: "ope",
}


def load_config(path: Path | str | None = None, overrides: Mapping[str, Any] | None = None) -> SimConfig:
    """Read a TOML config (None = all defaults) and apply `overrides` ({"n_claims": 1000, "shops.x": 1})."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise InvalidConfigError(f"Cannot read config file {path}: {error.strerror}.") from None
        except tomllib.TOMLDecodeError as error:
            raise InvalidConfigError(f"Config file {path} is not valid TOML: {error}.") from None
    for dotted, value in (overrides or {}).items():
        *tables, name = dotted.split(".")
        target = data
        for table in tables:
            target = target.setdefault(table, {})
        target[name] = value
    config: SimConfig = build(SimConfig, data, "")
    return config


def build(cls: type[Any], data: Mapping[str, Any], prefix: str) -> Any:
    """An instance of the config dataclass `cls` from a TOML table, every key checked."""
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(data) - set(known))
    if unknown:
        where = f"table [{prefix.rstrip('.')}]" if prefix else "the top level"
        raise InvalidConfigError(
            f"Unknown config key {prefix + unknown[0]!r} in {where}; known keys: {', '.join(sorted(known))}."
        )
    values: dict[str, Any] = {}
    defaults = cls()
    for name, value in data.items():
        values[name] = _coerce(value, getattr(defaults, name), f"{prefix}{name}")
    return replace(defaults, **values) if values else defaults


def _coerce(value: Any, default: Any, name: str) -> Any:
    """`value` as the type of `default`, or InvalidConfigError naming the key."""
    if is_dataclass(default):
        if not isinstance(value, dict):
            raise InvalidConfigError(f"Config key {name!r} must be a table [{name}], got {value!r}.")
        return build(type(default), value, name + ".")
    if isinstance(default, (bool, str)):
        if type(value) is not type(default):
            kind = "true or false" if isinstance(default, bool) else "a string"
            raise InvalidConfigError(f"Config key {name!r} must be {kind}, got {value!r}.")
        return value
    if isinstance(default, int):
        if type(value) is not int:
            raise InvalidConfigError(f"Config key {name!r} must be a whole number, got {value!r}.")
        return value
    if isinstance(default, float):
        if type(value) not in (int, float):
            raise InvalidConfigError(f"Config key {name!r} must be a number, got {value!r}.")
        return float(value)
    if isinstance(default, tuple):
        return _coerce_list(value, default, name)
    return _coerce_table(value, default, name)


def _coerce_list(value: Any, default: tuple[Any, ...], name: str) -> tuple[Any, ...]:
    strings = bool(default) and isinstance(default[0], str)
    ok = isinstance(value, list) and all(
        isinstance(v, str) if strings else type(v) in (int, float) for v in value
    )
    if not ok:
        kind = "strings" if strings else "numbers"
        raise InvalidConfigError(f"Config key {name!r} must be a list of {kind}, got {value!r}.")
    if not strings and len(value) != len(default):
        raise InvalidConfigError(f"Config key {name!r} must list {len(default)} numbers, got {len(value)}.")
    return tuple(value) if strings else tuple(float(v) for v in value)


def _coerce_table(value: Any, default: dict[str, float], name: str) -> dict[str, float]:
    if not isinstance(value, dict) or any(type(v) not in (int, float) for v in value.values()):
        raise InvalidConfigError(f"Config key {name!r} must be a table of numbers, got {value!r}.")
    unknown = sorted(set(value) - set(default))
    if unknown:
        raise InvalidConfigError(
            f"Config key {name!r} has unknown entry {unknown[0]!r}; known: {', '.join(default)}."
        )
    return {**default, **{k: float(v) for k, v in value.items()}}


def _check_ranges(section: Any, prefix: str) -> None:
    for f in fields(section):
        lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
        value = getattr(section, f.name)
        numbers = (
            value.values() if isinstance(value, dict) else value if isinstance(value, tuple) else (value,)
        )
        for number in numbers:
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                continue
            if (lo is not None and number < lo) or (hi is not None and number > hi):
                raise InvalidConfigError(
                    f"Config key {prefix + f.name!r} must be {_bounds(lo, hi)}, got {number}."
                )


def _bounds(lo: float | None, hi: float | None) -> str:
    if lo is not None and hi is not None:
        return f"between {lo} and {hi}"
    return f"at least {lo}" if lo is not None else f"at most {hi}"


def _check_policies(policies: tuple[str, ...]) -> None:
    unknown = [p for p in policies if p not in POLICY_NAMES]
    if unknown or not policies:
        raise InvalidConfigError(
            f"Config key 'policies' must list policies among {', '.join(POLICY_NAMES)}; got {list(policies)}."
        )


def _check_profiles(claims: ClaimsConfig, customers: CustomersConfig) -> None:
    for name, profile in (
        ("claims.weekday_profile", claims.weekday_profile),
        ("claims.hourly_profile", claims.hourly_profile),
        ("claims.damage_mix", tuple(claims.damage_mix.values())),
    ):
        if sum(profile) <= 0:
            raise InvalidConfigError(f"Config key {name!r} must have a positive sum.")
    if set(claims.damage_mix) != set(DAMAGES):
        raise InvalidConfigError(f"Config key 'claims.damage_mix' must cover {', '.join(DAMAGES)}.")
    del customers


def config_table_markdown() -> str:
    """Every config key with its default and meaning, as the README's markdown table."""
    lines = ["| key | default | meaning |", "| --- | --- | --- |"]
    top = SimConfig()
    for f in fields(top):
        value = getattr(top, f.name)
        if is_dataclass(value):
            for g in fields(value):
                lines.append(_row(f"{f.name}.{g.name}", getattr(value, g.name), g.metadata["doc"]))
        else:
            lines.append(_row(f.name, value, f.metadata["doc"]))
    return "\n".join(lines)


def _row(name: str, value: Any, doc: str) -> str:
    shown = list(value) if isinstance(value, tuple) else value
    text = str(shown).replace("|", "/")
    return f"| `{name}` | `{text}` | {doc} |"


if __name__ == "__main__":
    print(config_table_markdown())
