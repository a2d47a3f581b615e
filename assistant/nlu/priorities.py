"""What matters most to the customer: distance, quality, speed or cost, with the one they stress most.

Each factor the customer says matters gets a weight: 1.0 for the stressed one (top priority), 0.5 for the
others. A factor mentioned only to be waved away ('price isn't an issue', '不急', 'quality over speed') does
not count.
"""

from __future__ import annotations

import re

from assistant.nlu.text import Doc, any_of

TOP_WEIGHT, OTHER_WEIGHT = 1.0, 0.5
_CUES: dict[str, re.Pattern[str]] = {
    "distance": re.compile(
        any_of(
            r"\bclos(?:e|er|est)(?: to (?:me|home|here|where))?\b", r"\bnearby\b", r"\bnearest\b",
            r"\bnot too far\b", r"\bconvenien\w*", r"\bshort drive\b", r"\bwalking distance\b",
            r"\bdistance\b",
            r"\blocation matters\b",
            "最近的", "近一点", "近点", "离.{0,6}近", "别.{0,6}太远", "不要.{0,6}太远", "不能太远", "方便",
            "距离",
        ),
        re.I,
    ),
    "quality": re.compile(
        any_of(
            r"\bquality\b", r"\bgood (?:work|job|reviews?|reputation|shop)\b", r"\breliable\b",
            r"\btrustworthy\b", r"\bhigh(?:ly)? rated\b", r"\btop[- ]rated\b", r"\bwell[- ]reviewed\b",
            r"\bdone right\b", r"\bproperly\b", r"\bexperienced\b",
            "质量", "靠谱", "修得好", "技术好", "口碑", "评价好", "评分高", "手艺", "放心",
        ),
        re.I,
    ),
    "speed": re.compile(
        any_of(
            r"\bquick\w*", r"\bfast\w*", r"\basap\b", r"\bas soon as possible\b", r"\burgent\w*",
            r"\bin a hurry\b", r"\brush\b", r"\bspeed\b", r"\bshort wait\b", r"\bright away\b",
            r"\bimmediately\b", r"\bwait (?:more|longer) than\b", r"\bdon'?t want to wait\b",
            "不想等", "等不起", "越快越好", "尽快", "最快", "要快", "快点", "快一点", "快些", "急用", "很急",
            "着急",
            "赶时间", "速度", "马上", "立刻", "等不了",
        ),
        re.I,
    ),
    "cost": re.compile(
        any_of(
            r"\bcheap\w*", r"\bcost\b", r"\bprice[sd]?\b", r"\bpricey\b", r"\bbudget\b", r"\bafford\w*",
            r"\binexpensive\b", r"\bsave money\b", r"\breasonabl[ey] priced\b", r"\bvalue for money\b",
            "便宜", "省钱", "价格", "实惠", "性价比", "预算", "费用", "价钱", "少花钱", "太贵",
        ),
        re.I,
    ),
}  # fmt: skip
_EMPHASIS = re.compile(
    any_of(
        "most important", "matters? most", "main (?:concern|priority|thing)", "top priority", "above all",
        "first and foremost", "is everything", "all i care about", "only care", r"\bmainly\b",
        r"\bprimarily\b",
        r"\bjust want\b", r"\bthe \w+er the better\b", r"\b(?:closest|cheapest|fastest|quickest)\b",
        "最重要", "最关键", "主要是", "主要", "第一", "首先", "最看重", "最在乎", "只在乎", "就想", "关键是",
        "优先",
        r"越\w越好", "最近的", "最便宜", "最快",
    ),
    re.I,
)  # fmt: skip
# "X over Y", "X比Y重要", "rather than Y": Y is what the customer gives up.
_GIVEN_UP_BEFORE = re.compile(r"(?:\bover|\brather than|\binstead of|\bmore than|比)\s*$", re.I)
_NOT_A_PRIORITY = re.compile(r"\bno rush\b|\bnot (?:urgent|in a (?:hurry|rush))\b|不急|不着急|不赶时间", re.I)


def find_priorities(doc: Doc) -> tuple[str | None, dict[str, float]]:
    """(top priority, weights) of the factors the customer says matter."""
    masked = _NOT_A_PRIORITY.sub(lambda m: " " * len(m.group()), doc.text)
    first: dict[str, int] = {}
    stressed: list[tuple[int, str]] = []
    for name, pattern in _CUES.items():
        for match in pattern.finditer(masked):
            if _waved_away(doc, match.start(), match.end()):
                continue
            first.setdefault(name, match.start())
            clause = doc.text[slice(*doc.clause_at(match.start()))]
            if _EMPHASIS.search(clause):
                stressed.append((match.start(), name))
    if not first:
        return None, {}
    top = min(stressed)[1] if stressed else min(first, key=first.__getitem__)
    return top, {
        name: TOP_WEIGHT if name == top else OTHER_WEIGHT for name in sorted(first, key=first.__getitem__)
    }


def _waved_away(doc: Doc, start: int, end: int) -> bool:
    before = doc.text[max(0, start - 14) : start]
    return doc.negated(start, end) or bool(_GIVEN_UP_BEFORE.search(before))
