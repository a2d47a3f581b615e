"""Numbers as typed: digits, English words ('three', 'a couple') and Chinese numerals (三, 两, 十五)."""

from __future__ import annotations

import re

_EN_WORDS: dict[str, float] = {
    "zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "a couple": 2, "a couple of": 2, "couple of": 2,
    "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "half a": 0.5, "half an": 0.5,
}  # fmt: skip
_ZH_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
    "八": 8, "九": 9,
}  # fmt: skip
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}

# Regex fragments for a number in either language (use inside a larger pattern, in a group).
EN_NUMBER = r"\d+(?:\.\d+)?|" + "|".join(sorted((re.escape(w) for w in _EN_WORDS), key=len, reverse=True))
ZH_NUMBER = r"\d+(?:\.\d+)?|[零〇一二两俩三四五六七八九十百千半]+"


def parse_number(text: str) -> float | None:
    """The value of a number written in digits, English words or Chinese numerals; None if it is none."""
    token = text.strip().lower()
    if not token:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if token in _EN_WORDS:
        return float(_EN_WORDS[token])
    return _parse_chinese(token)


def _parse_chinese(token: str) -> float | None:
    if token == "半":
        return 0.5
    total, current = 0, 0
    for char in token:
        if char in _ZH_DIGITS:
            current = _ZH_DIGITS[char]
        elif char in _ZH_UNITS:
            total += (current or 1) * _ZH_UNITS[char]
            current = 0
        else:
            return None
    return float(total + current)
