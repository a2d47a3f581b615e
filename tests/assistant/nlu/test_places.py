from __future__ import annotations

import pytest

from assistant.nlu.places import location_ref, resolve
from assistant.nlu.text import Doc


def where(text: str) -> tuple[str, str] | None:
    found = resolve(Doc.of(text))
    return (found.city, found.text) if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm in Chengdu", ("Chengdu", "Chengdu")),
        ("im in shanghai near the airport", ("Shanghai", "shanghai")),
        ("我在成都", ("Chengdu", "成都")),
        ("我在武汉市区", ("Wuhan", "武汉")),
        ("我在浦东新区", ("Shanghai", "浦东")),
        ("我在厦门思明区", ("Xiamen", "思明")),
        ("stuck in Xian", ("Xi'an", "Xian")),
        ("I'm in Beijing, Chaoyang district", ("Beijing", "Chaoyang")),
        ("北京朝阳这边", ("Beijing", "朝阳")),
        ("Within 8km of Tianhe please", ("Guangzhou", "Tianhe")),
    ],
)
def test_cities_and_districts_resolve_to_the_canonical_city(text: str, expected: tuple[str, str]) -> None:
    assert where(text) == expected


def test_a_district_carries_its_own_coordinates() -> None:
    found = resolve(Doc.of("I'm in Pudong"))
    city = resolve(Doc.of("I'm in Shanghai"))
    assert found is not None and city is not None
    assert (found.place.lat, found.place.lon) != (city.place.lat, city.place.lon)
    assert abs(found.place.lat - 31.2) < 0.2 and abs(found.place.lon - 121.5) < 0.2


@pytest.mark.parametrize(
    ("text", "city"),
    [
        ("Actually I'm in Suzhou, not Shanghai.", "Suzhou"),
        ("不是上海，是苏州", "Suzhou"),
        ("我不在上海，在杭州", "Hangzhou"),
        ("I'm from Nanjing but currently stuck in Wuxi", "Wuxi"),
        ("我是南京人，但现在车在无锡", "Wuxi"),
    ],
)
def test_a_negated_place_or_a_home_town_is_not_where_the_customer_is(text: str, city: str) -> None:
    found = resolve(Doc.of(text))
    assert found is not None and found.city == city


@pytest.mark.parametrize(
    "text",
    [
        "我在中山路等拖车",  # a road named after a city
        "the shop on Yan'an Road was rude",
        "我们合作了很多年",  # GeoNames gives a small town the name 合作
        "上海大众的4S店",  # a joint-venture brand, not a place? (the brand wins)
        "the bole of the tree",
    ],
)
def test_names_that_are_not_the_customers_place_are_ignored(text: str) -> None:
    found = resolve(Doc.of(text))
    assert found is None or found.text not in ("中山", "Yan'an", "合作", "上海", "bole")


def test_not_too_far_from_a_district_keeps_the_district() -> None:
    assert where("cheap, but not too far from Nanshan in Shenzhen") == ("Shenzhen", "Nanshan")


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("I'm near my office", "work"),
        ("can you collect it from my workplace", "work"),
        ("我在公司附近", "work"),
        ("从我单位把车接走", "work"),
        ("within 5 km of my home", "home"),
        ("离我家近一点", "home"),
        ("I'll have to walk home after", None),
        ("我联系了保险公司", None),
    ],
)
def test_home_and_work_references(text: str, ref: str | None) -> None:
    assert location_ref(Doc.of(text)) == ref
