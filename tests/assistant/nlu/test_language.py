from __future__ import annotations

import pytest

from assistant.nlu import detect_language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("我的车被撞了", "zh"),
        ("我的BMW X5被追尾了", "zh"),
        ("我开的是特斯拉Model 3", "zh"),
        ("我在Shanghai", "zh"),
        ("ok 好的", "zh"),
        ("My car was hit in Pudong", "en"),
        ("I'm in 上海, the bumper is cracked", "en"),
        ("S000123", "en"),
        ("", "en"),
    ],
)
def test_the_language_is_the_one_carrying_the_message(text: str, language: str) -> None:
    assert detect_language(text) == language
