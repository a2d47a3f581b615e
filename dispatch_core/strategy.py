"""Strategies as configuration: named, versioned TOML files operations can change without a release.

A strategy fixes the trade-off weights, the learning policy, the exploration budget and temperature, and the
hard constraints. `assign_strategy` splits claims between strategies for A/B tests, stably by claim id.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dispatch_core.errors import InvalidInputError

OBJECTIVES = ("customer", "utilization", "cost", "exploration")
FACTOR_GROUPS = ("distance", "quality", "speed", "cost", "fit", "amenities")


@dataclass(frozen=True)
class Strategy:
    """One dispatch strategy. Weights are non-negative; they are normalised where they are used."""

    name: str
    version: int
    policy: str = "ucb1"
    policy_params: Mapping[str, Any] = field(default_factory=lambda: {"alpha": 0.3})
    objective_weights: Mapping[str, float] = field(
        default_factory=lambda: {"customer": 0.55, "utilization": 0.2, "cost": 0.15, "exploration": 0.1}
    )
    factor_weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "distance": 1.0,
            "quality": 1.0,
            "speed": 0.8,
            "cost": 0.3,
            "fit": 0.6,
            "amenities": 0.5,
        }
    )
    pool_size: int = 12  # Pareto-selected pool the slate is drawn from
    temperature: float = 0.05  # Plackett-Luce temperature on the scalar score; 0 = deterministic
    new_shop_budget: float = 0.15  # share of offers that may go to exploration picks
    distance_scale_km: float = 8.0
    default_max_distance_km: float = 50.0
    stale_after_s: float = 900.0

    def __post_init__(self) -> None:
        if not self.name or self.version < 1:
            raise InvalidInputError(
                f"A strategy needs a name and a version >= 1; got {self.name!r} v{self.version}."
            )
        _check_weights(self.objective_weights, OBJECTIVES, "objective_weights")
        _check_weights(self.factor_weights, FACTOR_GROUPS, "factor_weights")
        if self.pool_size < 1 or self.temperature < 0 or not 0.0 <= self.new_shop_budget <= 1.0:
            raise InvalidInputError("pool_size must be >= 1, temperature >= 0 and new_shop_budget in [0, 1].")
        if self.distance_scale_km <= 0 or self.default_max_distance_km <= 0:
            raise InvalidInputError("distance_scale_km and default_max_distance_km must be > 0.")

    @property
    def key(self) -> str:
        return f"{self.name}@v{self.version}"


def _check_weights(weights: Mapping[str, float], allowed: Sequence[str], what: str) -> None:
    unknown = set(weights) - set(allowed)
    if unknown:
        raise InvalidInputError(f"{what} has unknown keys {sorted(unknown)}; allowed: {list(allowed)}.")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise InvalidInputError(f"{what} must be non-negative with a positive sum; got {dict(weights)}.")


def load_strategy(path: Path | str) -> Strategy:
    """Read one strategy file (TOML); a bad key or value raises `InvalidInputError` naming it."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InvalidInputError(f"Cannot read strategy file {path}: {error}.") from None
    known = set(Strategy.__dataclass_fields__)
    unknown = set(data) - known
    if unknown:
        raise InvalidInputError(f"Strategy file {path} has unknown keys {sorted(unknown)}.")
    return Strategy(**data)


def load_strategies(directory: Path | str) -> dict[str, Strategy]:
    """Every `*.toml` strategy in a directory, by `name@vN`; two files claiming one key is an error."""
    found: dict[str, Strategy] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        strategy = load_strategy(path)
        if strategy.key in found:
            raise InvalidInputError(f"Two strategy files define {strategy.key}.")
        found[strategy.key] = strategy
    return found


def assign_strategy(claim_id: str, split: Mapping[str, float], salt: str = "ab-1") -> str:
    """A/B assignment: the same claim id always gets the same strategy key; shares follow `split`."""
    total = sum(split.values())
    if not split or total <= 0 or any(s < 0 for s in split.values()):
        raise InvalidInputError(
            f"An A/B split needs non-negative shares with a positive sum; got {dict(split)}."
        )
    digest = hashlib.sha256(f"{salt}:{claim_id}".encode()).digest()
    point = int.from_bytes(digest[:8], "big") / 2**64 * total
    for key in sorted(split):
        point -= split[key]
        if point < 0:
            return key
    return sorted(split)[-1]
