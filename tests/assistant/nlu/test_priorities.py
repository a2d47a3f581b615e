from __future__ import annotations

import pytest

from assistant.nlu.priorities import find_priorities
from assistant.nlu.text import Doc


@pytest.mark.parametrize(
    ("text", "top", "factors"),
    [
        ("Just want it fixed cheap.", "cost", {"cost"}),
        ("Quality matters most to me", "quality", {"quality"}),
        ("越快越好，钱不是问题", "speed", {"speed"}),
        ("i'd like somewhere quick, price isn't an issue", "speed", {"speed"}),
        ("Cost is my main concern, but not too far from Nanshan", "cost", {"cost", "distance"}),
        ("主要是想省钱，但别离南山太远", "cost", {"cost", "distance"}),
        ("I'd choose quality over speed any day", "quality", {"quality"}),
        ("质量比速度重要，最便宜的不一定最好", "quality", {"quality"}),
        ("honestly I just want the closest place", "distance", {"distance"}),
        ("no rush, whenever", None, set()),
        ("不急", None, set()),
        ("I don't want a cheap job", None, set()),
    ],
)
def test_priorities_and_the_stressed_one(text: str, top: str | None, factors: set[str]) -> None:
    found_top, weights = find_priorities(Doc.of(text))
    assert found_top == top and set(weights) == factors
    if top is not None:
        assert weights[top] == 1.0 and all(0 < w <= 1 for w in weights.values())
