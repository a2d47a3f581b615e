from __future__ import annotations

import pytest

from assistant.nlu.fuzzy import one_edit_apart
from assistant.nlu.text import Doc
from assistant.nlu.vehicles import find_cars, find_powertrain, find_year


def mine(text: str) -> tuple[str | None, str | None]:
    car = find_cars(Doc.of(text)).mine
    return (car.make, car.model) if car else (None, None)


@pytest.mark.parametrize(
    ("text", "make", "model"),
    [
        ("my BMW X5 got hit", "BMW", "X5"),
        ("我的BMW X5被刮了", "BMW", "X5"),
        ("宝马3系追尾了", "BMW", "3 Series"),
        ("a 2019 Toyota Camry hybrid", "Toyota", "Camry"),
        ("凯美瑞双擎", "Toyota", "Camry"),
        ("卡罗拉15年的", "Toyota", "Corolla"),
        ("Toyta RAV4", "Toyota", "RAV4"),
        ("my vw golf", "Volkswagen", "Golf"),
        ("一汽大众迈腾", "Volkswagen", "Magotan"),
        ("比亚迪汉EV", "BYD", "Han"),
        ("BYD Seal", "BYD", "Seal"),
        ("理想L9", "Li Auto", "L9"),
        ("Mercedes C-Class", "Mercedes-Benz", "C-Class"),
        ("奔驰C级", "Mercedes-Benz", "C-Class"),
        ("Chery Tiggo 8", "Chery", "Tiggo 8"),
        ("瑞虎8", "Chery", "Tiggo 8"),
        ("Model Y", "Tesla", "Model Y"),
        ("my Lexus", "Lexus", None),
    ],
)
def test_the_customers_make_and_model_in_either_language(text: str, make: str, model: str | None) -> None:
    assert mine(text) == (make, model)


@pytest.mark.parametrize(
    "text",
    [
        "结果不太理想",  # 'not ideal', not Li Auto
        "现代化的修理厂",  # 'modern', not Hyundai
        "我想吃汉堡",  # 汉 alone is not the BYD Han
        "my main focus is the price",  # 'focus' without Ford
        "that was quick",  # one substitution from 'buick' is not a typo for it
        "a door seal is loose",
    ],
)
def test_everyday_words_are_not_makes_or_models(text: str) -> None:
    assert mine(text) == (None, None)


@pytest.mark.parametrize(
    ("text", "mine_make", "their_make"),
    [
        ("I was driving my Model 3 and a white Buick Regal merged into me", "Tesla", "Buick"),
        ("Rear-ended by a Geely Emgrand, my Mercedes GLC is dented", "Mercedes-Benz", "Geely"),
        ("我开着Model Y，被一辆白色别克君威并线撞了", "Tesla", "Buick"),
        ("我的奔驰被一辆吉利帝豪追尾", "Mercedes-Benz", "Geely"),
        ("a van backed into my parked Golf", "Volkswagen", None),
        ("I hit a Camry", None, "Toyota"),
    ],
)
def test_the_other_partys_car_is_told_apart(text: str, mine_make: str | None, their_make: str | None) -> None:
    cars = find_cars(Doc.of(text))
    assert (cars.mine.make if cars.mine else None) == mine_make
    assert (cars.theirs.make if cars.theirs else None) == their_make


def test_a_negated_make_is_not_the_customers() -> None:
    assert mine("it's an Audi, not a BMW") == ("Audi", None)
    assert mine("不是宝马，是奥迪") == ("Audi", None)


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("2019 Toyota Camry", 2019),
        ("Honda Civic, 2016.", 2016),
        ("19年的丰田", 2019),
        ("理想L9，23款", 2023),
        ("2021年的特斯拉", 2021),
        ("about 30k RMB of damage", None),
        ("S002019 quoted too much", None),
        ("2030 model", None),
    ],
)
def test_model_years(text: str, year: int | None) -> None:
    assert find_year(Doc.of(text), today_year=2026) == year


@pytest.mark.parametrize(
    ("text", "make", "powertrain"),
    [
        ("Volvo XC60 plug-in hybrid", "Volvo", "hybrid"),
        ("凯美瑞双擎", "Toyota", "hybrid"),
        ("沃尔沃XC60插混", "Volvo", "hybrid"),
        ("it's an EV", None, "ev"),
        ("电车开过积水", None, "ev"),
        ("the electrical system is dead", None, None),
        ("2017 Nissan Sylphy, petrol", "Nissan", "ice"),
        ("汽油车", None, "ice"),
        ("my Tesla", "Tesla", "ev"),
        ("my BYD", "BYD", None),
    ],
)
def test_powertrain_stated_or_implied_by_an_ev_only_make(
    text: str, make: str | None, powertrain: str | None
) -> None:
    assert find_powertrain(Doc.of(text), make) == powertrain


@pytest.mark.parametrize(
    ("word", "name", "close"),
    [
        ("toyta", "toyota", True),
        ("hyundia", "hyundai", True),
        ("teslaa", "tesla", True),
        ("quick", "buick", False),
    ],
)
def test_typos_are_one_dropped_added_or_swapped_letter(word: str, name: str, close: bool) -> None:
    assert one_edit_apart(word, name) is close
