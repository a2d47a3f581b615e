"""Limits the customer sets: a distance ('within 5 km', '5公里以内') and a deadline ('by Friday', '3天内',
'next week', '下周一'), counted in days from `today`."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from assistant.nlu.numbers import EN_NUMBER, ZH_NUMBER, parse_number
from assistant.nlu.text import Doc, any_of

_KM = r"(?:km|kms|kilomet(?:er|re)s?|k)\b"
_MILES = r"(?:mi|miles?)\b"
_DISTANCE = (
    re.compile(
        r"(?:within|under|less than|no more than|not more than|max(?:imum)?|at most|up to|inside|"
        r"no further than|no farther than|nothing (?:further|farther) than|not (?:further|farther) than|"
        rf"<)\s*(?:about |around |like )?({EN_NUMBER})\s*({_KM}|{_MILES})",
        re.I,
    ),
    re.compile(rf"\b({EN_NUMBER})\s*({_KM}|{_MILES})\s*(?:max|or less|radius|at most|tops)\b", re.I),
    re.compile(rf"({ZH_NUMBER})\s*(公里|千米|km|KM)\s*(?:以内|之内|内|范围内|以下)"),
    re.compile(rf"(?:不超过|不要超过|最多|最远|不能超过|别超过)\s*({ZH_NUMBER})\s*(公里|千米|km|KM)"),
)
_WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAYS_ZH = "一二三四五六日天"
# A time phrase is a deadline only in a clause that says the car is needed ("need it back by Friday").
_NEED = re.compile(
    any_of(
        r"\bneed", r"\bback\b", r"\bready\b", r"\bdone\b", r"\bfixed\b", r"\bmust\b", r"\bhave to\b",
        r"\bhave it\b", r"\bget it\b", r"\bfinish", r"\bsorted\b", r"\bby\b", r"\bbefore\b", r"\buntil\b",
        r"\bwithin\b", r"\bat the latest\b",
        "要", "必须", "需要", "拿到", "拿回", "修好", "搞定", "用车", "之前", "以前", "前", "内", "最晚",
        "最迟", "最多",
    ),
    re.I,
)  # fmt: skip
_SPAN_EN = re.compile(
    r"(?:within|in|under|less than|no more than|max(?:imum)?|at most|inside|by)\s+(?:the next\s+)?"
    rf"({EN_NUMBER})\s+(days?|weeks?|months?|hours?|hrs?)\b",
    re.I,
)
# "12月" is December, not twelve months: a month span needs 个 ("一个月").
_SPAN_ZH = re.compile(rf"({ZH_NUMBER})\s*(天|个?星期|周|个?礼拜|个月|个?小时)(?!前)")
_WEEKDAY_EN = re.compile(r"\b(next |this |by |before |until )*(" + "|".join(_WEEKDAYS_EN) + r")\b", re.I)
_WEEKDAY_ZH = re.compile(r"(下|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])")
_RELATIVE = (
    (re.compile(r"\btoday\b|今天", re.I), 0),
    (re.compile(r"\btomorrow\b|明天", re.I), 1),
    (re.compile(r"后天"), 2),
    (re.compile(r"\bnext week\b|下周(?![一二三四五六日天])|下个星期(?![一二三四五六日天])", re.I), 7),
    (re.compile(r"\ba fortnight\b", re.I), 14),
)
_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "天": 1, "星期": 7, "周": 7, "礼拜": 7, "月": 30}
_UNIT_HOURS = ("hour", "hr", "小时")
_WAIT = re.compile(
    r"(?:don'?t|do not|can'?t|cannot)(?: want to)? wait (?:more|longer) than "
    rf"({EN_NUMBER})\s+(days?|weeks?)\b|"
    rf"不(?:想|能|愿意?)等(?:超过)?({ZH_NUMBER})\s*(天|个?星期|周)",
    re.I,
)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAME = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DATE_EN = re.compile(
    rf"\b(?:the )?(?P<day_a>[0-3]?\d)(?:st|nd|rd|th)?(?: of)? (?P<month_a>{_MONTH_NAME})(?![a-z])|"
    rf"\b(?P<month_b>{_MONTH_NAME}) (?P<day_b>[0-3]?\d)(?:st|nd|rd|th)?\b",
    re.I,
)
_DATE_ZH = re.compile(r"(?P<zh_month>1[0-2]|0?[1-9])月(?P<zh_day>[0-3]?\d)[号日]")
_WEEKEND = re.compile(r"\b(?:this |the )?weekend\b|周末", re.I)
_MONTH_END = re.compile(r"\bend of (?:the )?month\b|月底", re.I)


def max_distance_km(doc: Doc) -> float | None:
    """The farthest the customer will go, in km ('within 5 km', '10 miles max', '5公里以内')."""
    for pattern in _DISTANCE:
        for match in pattern.finditer(doc.text):
            value = parse_number(match.group(1))
            if value and value > 0:
                miles = match.group(2).lower().startswith("mi")
                return round(value * 1.609344, 1) if miles else value
    return None


def deadline_days(doc: Doc, today: date) -> int | None:
    """Days until the customer needs the car back, when they say so."""
    for finder in (_waiting_limit, _span_days, _calendar_days, _weekday_days, _relative_days):
        days = finder(doc, today)
        if days is not None:
            return days
    return None


def _waiting_limit(doc: Doc, today: date) -> int | None:
    """'I don't want to wait more than a week', '不想等超过一个星期'."""
    for match in _WAIT.finditer(doc.text):
        number, unit_word = (
            (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        )
        value = parse_number(number)
        unit = unit_word.lower().rstrip("s").removeprefix("个")
        if value is not None:
            return round(value * _UNIT_DAYS[unit])
    return None


def _calendar_days(doc: Doc, today: date) -> int | None:
    """'before the 1st of December', 'by Dec 3', '12月1号之前': days to that date (this year or next)."""
    for match in [*_DATE_EN.finditer(doc.text), *_DATE_ZH.finditer(doc.text)]:
        month, day = _month_day(match)
        if month and _needed(doc, match.start(), match.end()):
            try:
                target = date(today.year, month, day)
            except ValueError:
                continue
            if target < today:
                target = target.replace(year=today.year + 1)
            return (target - today).days
    return None


def _month_day(match: re.Match[str]) -> tuple[int, int]:
    groups = match.groupdict()
    if groups.get("zh_month"):
        return int(groups["zh_month"]), int(groups["zh_day"])
    name = (groups.get("month_a") or groups.get("month_b") or "")[:3].lower()
    day = groups.get("day_a") or groups.get("day_b") or "0"
    return (_MONTHS.index(name) + 1 if name in _MONTHS else 0), int(day)


def _needed(doc: Doc, start: int, end: int) -> bool:
    clause = doc.text[slice(*doc.clause_at(start))]
    return bool(_NEED.search(clause)) and not doc.negated(start, end)


def _span_days(doc: Doc, today: date) -> int | None:
    for match in [*_SPAN_EN.finditer(doc.text), *_SPAN_ZH.finditer(doc.text)]:
        value = parse_number(match.group(1))
        unit = match.group(2).lower().rstrip("s").removeprefix("个")
        if value is not None and _needed(doc, match.start(), match.end()):
            return math.ceil(value / 24) if unit in _UNIT_HOURS else round(value * _UNIT_DAYS[unit])
    return None


def _weekday_days(doc: Doc, today: date) -> int | None:
    for match in _WEEKDAY_EN.finditer(doc.text):
        if _needed(doc, match.start(), match.end()):
            return _until_weekday(
                today, _WEEKDAYS_EN.index(match.group(2).lower()), "next" in match.group().lower()
            )
    for match in _WEEKDAY_ZH.finditer(doc.text):
        if _needed(doc, match.start(), match.end()):
            weekday = min(_WEEKDAYS_ZH.index(match.group(2)), 6)
            return _until_weekday(today, weekday, match.group(1) == "下")
    return None


def _until_weekday(today: date, weekday: int, next_week: bool) -> int:
    """Days to that weekday this week (or the coming one if it has passed); 'next' means in next week."""
    if next_week:
        monday_next = today + timedelta(days=7 - today.weekday())
        return (monday_next + timedelta(days=weekday) - today).days
    return (weekday - today.weekday()) % 7


def _relative_days(doc: Doc, today: date) -> int | None:
    for pattern, days in _RELATIVE:
        for match in pattern.finditer(doc.text):
            if _needed(doc, match.start(), match.end()):
                return days
    for match in _WEEKEND.finditer(doc.text):
        if _needed(doc, match.start(), match.end()):
            return (5 - today.weekday()) % 7
    for match in _MONTH_END.finditer(doc.text):
        if _needed(doc, match.start(), match.end()):
            following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
            return (following - timedelta(days=1) - today).days
    return None
