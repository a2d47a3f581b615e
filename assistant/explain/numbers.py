"""The numbers a text states, each with the quantity it is about (km, reviews, days, % ...).

Arabic numerals (with decimals and thousands separators) and Chinese numerals followed by a unit
("三百一十二条评价", "四点七分", "百分之三点三") are read; tokens that are names, not quantities ("4S店",
"ISO 9001", shop ids, "3 series"), are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Unit kinds, tried in order on the text right after a number ("分钟" before "分", "个月" before "天").
_UNITS: tuple[tuple[str, str], ...] = (
    ("minutes", r"\s*(?:minutes?\b|mins?\b|分钟)"),
    ("distance", r"\s*(?:km\b|kms\b|kilomet(?:er|re)s?\b|公里|千米)"),
    (
        "reviews",
        r"\s*(?:(?:customer |online )?reviews?\b|ratings\b"
        r"|条(?:用户|顾客|客户)?(?:评价|评论|点评)|个(?:评价|评论))",
    ),
    (
        "bays",
        r"\s*(?:(?:free|open|empty|available|repair|service) )*bays?\b"
        r"|\s*个?(?:空闲|空余|可用)?的?(?:维修)?工位",
    ),
    ("months", r"\s*(?:months?\b|个月)"),
    ("days", r"\s*(?:(?:working |business )?days?\b|个?工作日|天)"),
    ("percent", r"\s*(?:%|percent\b|per cent\b)"),
    ("rating", r"\s*(?:stars?\b|/ ?5\b|out of 5\b|分|颗?星)"),
    ("cars", r"\s*(?:(?:courtesy|loaner|replacement) cars?\b|辆)"),
    ("technicians", r"\s*(?:technicians?\b|mechanics?\b|名技师|位技师|名技工)"),
    ("name", r"\s*(?:series\b|系)"),  # a car model ("3 series", "5系"), not a quantity
)
_UNIT_RES = tuple((kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in _UNITS)
_SCALE_BEFORE = re.compile(r"(?:out of|/)\s*$", re.IGNORECASE)  # the 5 of "4.7/5" is a scale, not a fact
_RATING_BEFORE = re.compile(r"(?:rated|rating(?: of)?|scored?|评分为?|得分|打分)\s*$", re.IGNORECASE)
_NAMES = re.compile(r"4S(?=店|\b)|ISO ?9001|model ?[3sxy]\b|(?<![A-Za-z])[A-Z]+\d+[A-Za-z\d]*", re.IGNORECASE)
_TIME = re.compile(r"(?<!\d)(\d{1,2}):(\d{2})(?!\d)")
_ARABIC = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_ZH_PERCENT = re.compile(r"百分之([零〇一二两三四五六七八九十百千]+(?:点[零〇一二三四五六七八九]+)?)")
_ZH_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百千万]+(?:点[零〇一二三四五六七八九]+)?")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7}
_ZH_DIGITS |= {"八": 8, "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_IDIOMS = ("十分", "万分", "万一", "一点")  # "very", "extremely", "in case", "a bit": not quantities


@dataclass(frozen=True)
class Stated:
    """One number of a text: as printed, its value, the decimals shown and its unit kind ("any" if none)."""

    text: str
    value: float
    decimals: int
    kind: str


def stated_numbers(text: str) -> list[Stated]:
    """Every number `text` states, in order of appearance per numeral system."""
    text = _NAMES.sub(lambda m: " " * len(m.group()), text)
    found: list[Stated] = []
    for m in _TIME.finditer(text):
        found.append(Stated(m.group(), int(m.group(1)) + int(m.group(2)) / 60, 2, "hours"))
    text = _TIME.sub(lambda m: " " * len(m.group()), text)
    for m in _ARABIC.finditer(text):
        digits, fraction = m.group(1).replace(",", ""), m.group(2) or ""
        value = float(f"{digits}.{fraction}" if fraction else digits)
        found.append(Stated(m.group(), value, len(fraction), _kind(text, m.start(), m.end()) or "any"))
    for m in _ZH_PERCENT.finditer(text):
        value, decimals = zh_number(m.group(1))
        found.append(Stated(m.group(), value, decimals, "percent"))
    text = _ZH_PERCENT.sub(lambda m: " " * len(m.group()), text)
    for m in _ZH_NUMBER.finditer(text):
        kind = _kind(text, m.start(), m.end(), unitless=None)
        if kind is not None and not text.startswith(_ZH_IDIOMS, m.start()):
            value, decimals = zh_number(m.group())
            found.append(Stated(m.group(), value, decimals, kind))
    return [s for s in found if s.kind != "name"]


def zh_number(numeral: str) -> tuple[float, int]:
    """(value, decimals shown) of a Chinese numeral such as "三百一十二", "四点七", "两", "一二三"."""
    whole, _, fraction = numeral.partition("点")
    value = float(_zh_integer(whole))
    if fraction:
        value += float("0." + "".join(str(_ZH_DIGITS[c]) for c in fraction))
    return value, len(fraction)


def _zh_integer(numeral: str) -> int:
    if numeral and not any(c in _ZH_UNITS or c == "万" for c in numeral):
        return int("".join(str(_ZH_DIGITS[c]) for c in numeral))  # digit by digit: "一二三" = 123
    total, section, digit = 0, 0, 0
    for c in numeral:
        if c in _ZH_DIGITS:
            digit = _ZH_DIGITS[c]
        elif c in _ZH_UNITS:
            section, digit = section + (digit or 1) * _ZH_UNITS[c], 0
        else:  # 万
            total, section, digit = (total + section + digit) * 10_000, 0, 0
    return total + section + digit


def _kind(text: str, start: int, end: int, unitless: str | None = "any") -> str | None:
    after = text[end : end + 24]
    for kind, unit in _UNIT_RES:
        if unit.match(after):
            return kind
    before = text[max(0, start - 16) : start]
    if _SCALE_BEFORE.search(before):
        return "name"
    if _RATING_BEFORE.search(before):
        return "rating"
    return unitless
