from __future__ import annotations

import pytest

from assistant.nlu.service import dealer_preference, needs_courtesy_car, needs_pickup
from assistant.nlu.text import Doc


@pytest.mark.parametrize(
    ("text", "preference"),
    [
        ("Prefer the official Tesla service center", "authorized"),
        ("I want a 4S dealer since it's under warranty", "authorized"),
        ("最好是4S店", "authorized"),
        ("必须去蔚来官方", "authorized"),
        ("要去原厂授权的店", "authorized"),
        ("Doesn't have to be a dealer, any decent independent shop is fine", "independent"),
        ("I'd rather not go to the dealership, they charge a fortune", "independent"),
        ("不一定要4S店，正规的修理厂就行", "independent"),
        ("不想去4S店", "independent"),
        ("4S店太贵了", "independent"),
        ("我要去4S店，不要随便什么修理厂", "authorized"),
        ("the bumper is cracked", None),
    ],
)
def test_dealer_preference(text: str, preference: str | None) -> None:
    assert dealer_preference(Doc.of(text)) == preference


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("I need a replacement car", True),
        ("they should have a loaner", True),
        ("最好有代步车", True),
        ("I don't need a loaner, I can take the metro", False),
        ("no need for a courtesy car", False),
        ("不需要代步车", False),
        ("代步车不用了", False),
        ("其实代步车不需要了", False),
        ("my brother is lending me his", False),
        ("家里还有一辆车", False),
        ("the paint is scratched", None),
    ],
)
def test_courtesy_car_with_negation(text: str, wanted: bool | None) -> None:
    assert needs_courtesy_car(Doc.of(text)) is wanted


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Can you pick up the car from my home?", True),
        ("need it towed", True),
        ("能上门取车吗", True),
        ("能不能从我单位把车接走", True),
        ("需要拖车", True),
        ("no need for pickup, I'll drive it over myself", False),
        ("不用上门取车", False),
        ("我自己开过去", False),
        ("我要接送孩子", None),
    ],
)
def test_pickup_with_negation(text: str, wanted: bool | None) -> None:
    assert needs_pickup(Doc.of(text)) is wanted
