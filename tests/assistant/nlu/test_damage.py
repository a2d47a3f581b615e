from __future__ import annotations

import pytest

from assistant.nlu.damage import find_damage
from assistant.nlu.text import Doc


def types(text: str, powertrain: str | None = None) -> set[str]:
    return set(find_damage(Doc.of(text), powertrain).types)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rear bumper is cracked", {"collision"}),
        ("后保险杠撞坏了", {"collision"}),
        ("windshield cracked from a stone", {"glass"}),
        ("前挡风玻璃裂了", {"glass"}),
        ("someone keyed the doors, long scratches", {"paint"}),
        ("门上刮了一道", {"paint"}),
        ("bumper scuffed, paint chipped", {"collision", "paint"}),
        ("engine makes a grinding noise", {"mechanical"}),
        ("水箱漏水", {"mechanical"}),
        ("the headlight is broken", {"electrical"}),
        ("大灯碎了", {"electrical"}),
        ("rear radar and camera stopped working", {"adas"}),
        ("车道保持的摄像头要重新标定", {"adas"}),
        ("got flooded in the garage", {"flood"}),
        ("车泡水了", {"flood"}),
        ("flat tyre and a bent rim", {"tire"}),
        ("左后轮扎胎了", {"tire"}),
        ("hail dents all over the roof", {"collision"}),
        ("车顶和引擎盖全是坑", {"collision"}),
    ],
)
def test_damage_types_in_either_language(text: str, expected: set[str]) -> None:
    assert types(text) == expected


def test_a_bare_battery_is_the_traction_battery_unless_the_car_burns_petrol() -> None:
    assert types("the battery is damaged", powertrain="ev") == {"ev_battery"}
    assert types("the battery is damaged", powertrain="ice") == {"electrical"}
    assert types("电池包有损伤") == {"ev_battery"}


@pytest.mark.parametrize(
    "text",
    [
        "no glass damage",
        "玻璃没事",
        "hit a pothole and the tyre went flat",  # the pothole itself is no collision
        "can the shop add the old dent on the door too",
        "把之前的凹陷也一起报了",
        "write it up as a bigger accident",
        "the guy who hit me won't admit it",
    ],
)
def test_negated_old_or_wished_for_damage_does_not_count(text: str) -> None:
    assert "collision" not in types(text) and "glass" not in types(text)


def test_damage_in_a_clause_about_the_other_car_goes_to_the_third_party() -> None:
    found = find_damage(Doc.of("His whole side is scraped, my front bumper is hanging off."), None)
    assert found.types == ["collision"]
    assert set(found.their_types) == {"collision", "paint"}
    zh = find_damage(Doc.of("他的车侧面刮花了，我的前保险杠掉了"), None)
    assert zh.types == ["collision"] and zh.their_types == ["paint"]


@pytest.mark.parametrize(
    ("text", "severity"),
    [
        ("just a small scratch", "minor"),
        ("not too bad really", "minor"),
        ("不严重，小刮蹭", "minor"),
        ("damage is moderate", "moderate"),
        ("撞得有点厉害", "moderate"),
        ("pretty bad damage on the side", "moderate"),
        ("airbags went off, front is totally wrecked", "severe"),
        ("车头撞得很严重", "severe"),
        ("整个车头都没了", "severe"),
        ("非常严重", "severe"),
        ("his car is crushed", None),
    ],
)
def test_severity(text: str, severity: str | None) -> None:
    assert find_damage(Doc.of(text), None).severity == severity


@pytest.mark.parametrize(
    ("text", "drivable"),
    [
        ("still drivable", True),
        ("I can still drive it", True),
        ("车还能开", True),
        ("我自己开过去", True),
        ("it won't start", False),
        ("it can't be driven", False),
        ("need it towed", False),
        ("打不着火", False),
        ("车不能开了", False),
        ("需要拖车", False),
        ("the bumper is cracked", None),
    ],
)
def test_drivable(text: str, drivable: bool | None) -> None:
    assert find_damage(Doc.of(text), None).drivable is drivable


def test_the_description_quotes_the_clauses_that_describe_the_damage() -> None:
    found = find_damage(Doc.of("Hi, I'm in Shanghai. The rear bumper is cracked, still drivable."), None)
    assert found.description == "The rear bumper is cracked; still drivable"
