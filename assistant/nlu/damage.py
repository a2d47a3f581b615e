"""What is damaged (the schema's damage types), how badly, and whether the car can still be driven.

Cues extend the catalog's capability synonyms (`retrieval.catalog.vocabulary.CAPABILITIES`). A cue does
not count when it is negated ('玻璃没事'), in a clause about old or wished-for damage ('the old dent',
'之前的凹陷', '报成大一点的事故'), or in a clause about the other party's car ('his side is scraped'),
which goes to the third party instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from assistant.nlu.text import Doc, any_of
from retrieval.catalog.vocabulary import CAPABILITIES

_EN_EXTRA: dict[str, tuple[str, ...]] = {
    "collision": (
        r"crash\w*", r"collid\w*", r"rear[- ]?ended", "sideswiped", r"t-?boned", r"fender[- ]bender",
        r"(?:got|was|been|get|gets) hit", r"hit (?:by|from|at)",
        r"hit an? (?:bollard|pole|wall|tree|post|car|van|truck|bus|barrier)", "dents?", "dented", "crumpled",
        "crushed", "grill", "grille", "bonnet", "front[- ]end", "rear[- ]end", "accident",
        r"(?<!ride-)(?<!ride )hail(?:storm|stones?)?", r"(?:merged|backed|ran|drove|slammed) into", "wrecked",
        "scraped?", r"scuff\w*", "smashed",
    ),
    "paint": (r"scratch\w*", "keyed", r"scrape[ds]?", r"scuff\w*", r"paint(?!less)\w*"),
    "glass": ("windscreen", "windows?", "windshield"),
    "mechanical": ("radiator", "axle", "clutch", "exhaust", "oil leak", r"pulls to the (?:left|"
    "right)", "coolant"),
    "electrical": (
        r"head ?lights?", r"tail ?lights?", "taillights?", "lamps?", "fog lights?", "airbags?", "fuse",
    ),
    "ev_battery": (),
    "adas": (r"re-?calibrat\w*", r"calibrat\w*", r"lane (?:assist|keep\w*)", r"cameras?", "radar"),
    "flood": (r"flood\w*", r"under ?water", r"drove through (?:deep )?water"),
    "tire": ("tyres?", "tires?", "rims?", r"punctur\w*", "blowout", "hubcaps?"),
}  # fmt: skip
_ZH_EXTRA: dict[str, tuple[str, ...]] = {
    "collision": (
        "瘪", "凹", "叶子板", "前脸", "车头", "车尾", "格栅", "中网", "撞烂", "蹭", "冰雹", "是坑", "砸",
        "前杠", "后杠",
    ),
    "paint": (
        "漆", "划痕", "划了", "划伤", "划花", "被人划", "被划", "刮花", "刮了", "刮伤", "被刮", "刮到", "蹭",
    ),
    "glass": ("前挡", "后挡"),
    "mechanical": ("方向盘", "跑偏", "水箱", "漏油", "离合", "排气"),
    "electrical": ("尾灯", "雾灯", "保险丝"),
    "adas": ("车道保持", "360影像", "adas"),
    "flood": ("积水", "淹了", "被淹"),
    "tire": ("轮子", "车轮", "胎"),
}  # fmt: skip
# Cues that look like damage but are not ("hit a pothole" damages a tyre, not the body; "my flat" is a home).
_NOT_DAMAGE = re.compile(
    any_of(
        r"hit(?:ting)? (?:a |the )?(?:pothole|curb|kerb|bump)", "steering wheel", "warning light",
        r"(?:my|our|her|his) flat\b", "压到坑", "掉坑", "坑洼", "撞我的(?:人|司机|车主|那)",
    ),
    re.I,
)  # fmt: skip
_OLD_OR_WISHED = re.compile(
    any_of(
        r"\b(?:old|previous|earlier|existing|last (?:year|time|month)|already had|anyway|write it up|"
        r"make it look|pretend)\b",
        "之前的", "以前的", "原来的", "去年", "上次", "本来就", "报成", "说成", "算成",
    ),
    re.I,
)  # fmt: skip
THEIRS_CLAUSE = re.compile(
    any_of(
        r"\b(?:his|her|their|the other (?:car|vehicle|driver|party|guy)(?:'s)?|other driver's|"
        r"other party's|third[- ]party)\b",
        "对方", "他的", "她的", "他们的", "他车", "她车", "别人的?车", "另一辆", "那辆车",
    ),
    re.I,
)  # fmt: skip
# A clause that only adds to the one before ("大灯也碎了", "and the mirror too") belongs to the same car.
_CONTINUES = re.compile(r"^\s*(?:also|and|plus)\b|\b(?:too|as well)\W*$|^[^我]{0,6}也", re.I)
_SEVERITY: tuple[tuple[str, str], ...] = (  # the first that matches wins, in this order
    ("minor", any_of(
        r"not (?:too |that |very |so )?(?:bad|serious|severe)", "nothing serious",
        "不严重", "不算严重", "问题不大", "不太严重", "没那么严重",
    )),
    ("moderate", any_of(
        r"\bmoderate(?:ly)?\b", r"\bmedium\b", "pretty bad", "fairly bad", "quite bad", "fairly serious",
        "中等", "有点严重", "比较严重", "有点厉害", "挺严重", "不算轻",
    )),
    ("severe", any_of(
        r"\bsevere(?:ly)?\b", r"\bserious(?:ly)?\b", r"\bbadly\b", r"\bwrecked\b", r"\btotal+ed\b",
        "write-?off", "written off", r"\bdestroyed\b", r"\bcrushed\b", r"\bis gone\b",
        "airbags? (?:went off|deployed|popped|blew)", "major damage", "really bad", "very bad", "extensive",
        "严重", "撞烂", "稀烂", "报废", "面目全非", "全毁", "气囊.{0,3}弹", "都没了", "很厉害", "大修",
    )),
    ("minor", any_of(
        r"\bminor\b", r"\bsmall\b", r"\bslight(?:ly)?\b", r"\bbarely\b", r"\btiny\b",
        "just a (?:scratch|scuff|ding|dent)", "cosmetic", "light(?:ly)? (?:damage|scratch|dent)",
        "轻微", "小刮蹭", "小剐蹭", "小擦", "一点点", "轻轻", "小毛病", "小问题",
    )),
)  # fmt: skip
_NOT_DRIVABLE = re.compile(
    any_of(
        "not drivable", "undrivable", r"can'?t (?:be )?driv(?:e|en)", "cannot (?:be )?driv",
        "can not be driven", r"(?:won'?t|doesn'?t|does not|didn'?t|will not) (?:start|move|run)",
        r"\b(?:it|car) (?:won'?t|doesn'?t) drive", "not (?:starting|moving|running)",
        r"\b(?:it'?s|is) (?:totally |completely )?dead\b", "immobili[sz]ed", r"\btow(?:ed|ing)?\b",
        "tow truck", "开不了", "不能开", "开不动", "动不了", "打不着", "无法启动", "启动不了", "点不着",
        "趴窝", "没法开", "不能行驶", "无法行驶", "拖车", "拖走", "起不来", "没反应", "没电了",
    ),
    re.I,
)  # fmt: skip
_DRIVABLE = re.compile(
    any_of(
        "drivable", "driveable", "can (?:still )?(?:drive|be driven)", "still (?:runs|drives|driving)",
        "runs fine", "drives fine", "drive it (?:over|there|in|myself|to)",
        "还能开", "能开", "可以开", "能正常行驶", "能行驶", "可以行驶", "开过去", "开过来", "自己开",
    ),
    re.I,
)  # fmt: skip


@dataclass
class DamageFound:
    types: list[str] = field(default_factory=list)
    their_types: list[str] = field(default_factory=list)
    severity: str | None = None
    drivable: bool | None = None
    clauses: list[str] = field(default_factory=list)

    @property
    def description(self) -> str | None:
        return "; ".join(self.clauses)[:300] if self.clauses else None


def _word_pattern(words: tuple[str, ...]) -> str:
    plain = [re.escape(w) for w in words if re.fullmatch(r"[\w\s-]+", w)]
    return "|".join(sorted(plain, key=len, reverse=True))


@functools.cache
def _cue_patterns() -> dict[str, re.Pattern[str]]:
    out = {}
    for cap in CAPABILITIES:
        english = _word_pattern((*cap.synonyms_en, cap.en)) + "|" + "|".join(_EN_EXTRA[cap.name])
        english = english.strip("|")
        chinese = "|".join(re.escape(w) for w in (cap.zh, *cap.synonyms_zh, *_ZH_EXTRA.get(cap.name, ())))
        out[cap.name] = re.compile(
            r"(?<![a-z])(?:" + english + r")(?:s|es|ed|d|ing)?(?![a-z])|" + chinese, re.IGNORECASE
        )
    return out


def find_damage(doc: Doc, powertrain: str | None) -> DamageFound:
    """Damage types (the customer's and the other party's), severity, drivability, describing clauses."""
    found = DamageFound()
    masked = _NOT_DAMAGE.sub(lambda m: " " * len(m.group()), doc.text)
    described: set[tuple[int, int]] = set()
    for name, pattern in _cue_patterns().items():
        for match in pattern.finditer(masked):
            clause = doc.clause_at(match.start())
            if doc.negated(match.start(), match.end()) or _old_or_wished(doc, clause):
                continue
            kind = _battery_kind(name, match.group(), powertrain)
            target = found.their_types if _theirs(doc, clause) else found.types
            if kind not in target:
                target.append(kind)
            if target is found.types:
                described.add(clause)
    _severity_and_drivable(doc, found, described)
    found.clauses = [doc.text[s:e].strip() for s, e in sorted(described)]
    return found


def _theirs(doc: Doc, clause: tuple[int, int]) -> bool:
    """Whether a clause is about the other party's car: it says so, or it continues a clause that does."""
    if THEIRS_CLAUSE.search(doc.text[slice(*clause)]):
        return True
    index = doc.clauses.index(clause) if clause in doc.clauses else 0
    return (
        index > 0
        and bool(_CONTINUES.search(doc.text[slice(*clause)]))
        and _theirs(doc, doc.clauses[index - 1])
    )


def _battery_kind(name: str, cue: str, powertrain: str | None) -> str:
    """A bare 'battery' / 电池 is the 12 V battery (electrical) on a petrol car, else the traction battery."""
    bare = cue.lower() in ("battery", "batteries", "电池")
    return "electrical" if name == "ev_battery" and bare and powertrain == "ice" else name


def _old_or_wished(doc: Doc, clause: tuple[int, int]) -> bool:
    """Old or merely wished-for damage: said in this clause or the one before it in the sentence."""
    index = doc.clauses.index(clause) if clause in doc.clauses else -1
    previous = doc.clauses[index - 1] if index > 0 else None
    joined = doc.text[previous[0] if previous else clause[0] : clause[1]]
    if previous and re.search(r"[.!?。]", doc.text[previous[1] : clause[0]]):
        joined = doc.text[slice(*clause)]
    return bool(_OLD_OR_WISHED.search(joined))


def _severity_and_drivable(doc: Doc, found: DamageFound, described: set[tuple[int, int]]) -> None:
    mine = [c for c in doc.clauses if not _theirs(doc, c)]
    for name, pattern in _SEVERITY:
        hit = next((m for c in mine if (m := re.search(pattern, doc.text[slice(*c)], re.I))), None)
        if hit is not None:
            found.severity = name
            described.update(c for c in mine if re.search(pattern, doc.text[slice(*c)], re.I))
            break
    masked = doc.text
    for stop in _NOT_DRIVABLE.finditer(doc.text):
        found.drivable = False
        described.add(doc.clause_at(stop.start()))
        masked = masked[: stop.start()] + " " * (stop.end() - stop.start()) + masked[stop.end() :]
    go = _DRIVABLE.search(masked) if found.drivable is None else None
    if go is not None and not doc.negated(go.start(), go.end()):
        found.drivable = True
        described.add(doc.clause_at(go.start()))
