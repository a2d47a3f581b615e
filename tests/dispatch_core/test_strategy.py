from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dispatch_core.errors import InvalidInputError
from dispatch_core.strategy import Strategy, assign_strategy, load_strategies, load_strategy

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_strategy_files_load() -> None:
    strategies = load_strategies(ROOT / "strategies")
    assert {"balanced@v1", "nurture@v1"} <= set(strategies)
    assert strategies["nurture@v1"].policy == "thompson"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('name = "x"\nversion = 1\nwieghts = 1\n', "unknown keys"),
        ('name = "x"\nversion = 0\n', "version >= 1"),
        ('name = "x"\nversion = 1\nobjective_weights = { customer = -1.0 }\n', "non-negative"),
        ('name = "x"\nversion = 1\nobjective_weights = { happiness = 1.0 }\n', "unknown keys"),
        ("name = \n", "Cannot read strategy file"),
    ],
)
def test_bad_strategy_files_are_refused_with_the_reason(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InvalidInputError, match=message):
        load_strategy(path)


def test_ab_assignment_is_stable_and_follows_the_split() -> None:
    split = {"balanced@v1": 0.7, "nurture@v1": 0.3}
    assert assign_strategy("claim-42", split) == assign_strategy("claim-42", split)
    counts = Counter(assign_strategy(f"claim-{i}", split) for i in range(20_000))
    assert abs(counts["nurture@v1"] / 20_000 - 0.3) < 0.02


def test_a_strategy_key_names_its_version() -> None:
    assert Strategy(name="balanced", version=3).key == "balanced@v3"
