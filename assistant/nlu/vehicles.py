"""The customer's vehicle (make, model, year, powertrain) and the other party's, from bilingual gazetteers.

A make is named in English ('BMW', a typo like 'Toyta'), Chinese (宝马) or by a model ('凯美瑞', 'Model Y').
Whose car it is comes from the words around it: 'my', '我的' vs 'a Geely ... rear-ended me', '被一辆吉利追尾'.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from assistant.nlu.car_models import CAR_MODELS, CarModel
from assistant.nlu.fuzzy import one_edit_apart
from assistant.nlu.text import Doc, any_of
from retrieval.catalog.vocabulary import MAKES

EN_ALIASES: dict[str, tuple[str, ...]] = {
    "Volkswagen": ("vw", "volks"),
    "Mercedes-Benz": ("mercedes", "benz", "merc"),
    "BMW": ("bimmer", "beemer"),
    "Chevrolet": ("chevy",),
    "Great Wall": ("haval", "gwm"),
    "Li Auto": ("lixiang", "li xiang"),
    "XPeng": ("xiaopeng",),
}
ZH_ALIASES: dict[str, tuple[str, ...]] = {
    "Volkswagen": ("一汽大众", "上汽大众", "上海大众"),
    "Toyota": ("广汽丰田", "一汽丰田"),
    "Honda": ("广汽本田", "东风本田"),
    "Nissan": ("东风日产",),
    "Hyundai": ("北京现代",),
    "Kia": ("东风悦达起亚",),
    "Mercedes-Benz": ("梅赛德斯", "北京奔驰", "大奔"),
    "BMW": ("华晨宝马", "别摸我"),
    "Audi": ("一汽奥迪",),
    "Ford": ("长安福特",),
    "Lexus": ("凌志",),
    "Great Wall": ("哈弗", "魏牌"),
    "Li Auto": ("理想汽车",),
    "XPeng": ("小鹏汽车",),
    "NIO": ("蔚来汽车",),
}
AMBIGUOUS_ZH = frozenset({"理想", "现代", "大众", "长安", "坦克"})  # everyday words too
_MAKE_CONTEXT_BEFORE = re.compile(r"(?:开|是|辆|台|买了?|的)$")
EV_MAKES = frozenset({"Tesla", "NIO", "XPeng"})
_FUZZY_MAKES = ("toyota", "nissan", "porsche", "hyundai", "chevrolet", "cadillac", "volkswagen", "mercedes",
                "tesla", "changan", "mazda", "volvo")  # fmt: skip
_NOT_TYPOS = frozenset({"cherry", "masda", "teslas", "volvos"})
_TRIM_AFTER = re.compile(r"^\s?(?:ev|dm-?i|dm|plus|pro|max|l\b)", re.IGNORECASE)

# Words before or after a make that say whose car it is ("rear-ended by a Geely", "my BMW", "被一辆吉利追尾").
_THEIRS_BEFORE = re.compile(
    any_of(
        r"\b(?:by|into|hit|hitting|other|another|his|her|their|third[- ]party)\b(?:\s+[\w'-]+){0,4}\s*",
        r"(?:被|撞了|撞到|撞上|和|跟|对方|另一辆|别人的|他的|她的)(?:是|的)?(?:一辆|一台|辆|台)?[\u4e00-\u9fff]{0,3}",
    )
    + "$",
    re.IGNORECASE,
)  # fmt: skip
_MINE_BEFORE = re.compile(
    any_of(
        r"\b(?:my|our|i drive|i have|i own|driving)\b(?:\s+[\w'-]+){0,3}\s*",
        r"(?:我的|我开的|我开着|我开|我这|我家|我那|自己的|车是)[\u4e00-\u9fff]{0,3}",
    )
    + "$",
    re.IGNORECASE,
)  # fmt: skip
_THEIRS_AFTER = re.compile(
    any_of(
        r"^(?:\s*[\w-]+){0,2}\s*(?:merged|crashed|ran|backed|drove|slammed|hit|rear-?ended|cut|swerved|bumped|"
        r"reversed|sideswiped)\b[^.,;]{0,20}\bme\b",
        r"^[\u4e00-\u9fff]{0,4}(?:撞了我|追尾了我|把我|撞到我|蹭了我|刮了我)",
    ),
    re.IGNORECASE,
)  # fmt: skip
_YEAR_4 = re.compile(
    r"(?<![\dA-Za-z])((?:19[89]|20[0-3])\d)(?!\d|\.\d)(?!\s?(?:km|公里|元|块|rmb|yuan|月|/|-\d))", re.I
)
_YEAR_2 = re.compile(r"(?<![\d.])(?:'(\d{2})\b|(\d{2})(?:年的|年款|款|年产|年买|年上牌|年车|年出厂))")
_POWERTRAIN: tuple[tuple[str, re.Pattern[str]], ...] = (  # hybrid first: 'plug-in hybrid' is no EV
    ("hybrid", re.compile(
        r"\bhybrid|\bphev\b|\bhev\b|plug-?in|range[- ]extend|\berev\b|\bdm-?i\b|"
        r"混动|插混|油电|双擎|增程|混合动力",
        re.I,
    )),
    ("ev", re.compile(
        r"\b(?:ev|bev|nev|e-car|electric(?!al|ian))\b|new energy|电车|纯电|电动汽车|新能源", re.I
    )),
    ("ice", re.compile(
        r"\b(?:petrol|gasoline|gas car|diesel|ice car|combustion)\b|汽油|燃油车|油车|柴油", re.I
    )),
)  # fmt: skip


@dataclass(frozen=True)
class CarMention:
    start: int
    end: int
    make: str
    model: str | None = None
    theirs: bool = False


@dataclass(frozen=True)
class Cars:
    mine: CarMention | None
    theirs: CarMention | None


def vehicle_words() -> list[str]:
    """Chinese make and model names for the segmenter's dictionary."""
    return [*_zh_makes(), *(z for m in CAR_MODELS for z in m.zh)]


def is_make_word(word: str) -> bool:
    return word in _zh_makes() and word not in AMBIGUOUS_ZH


@functools.cache
def _zh_makes() -> dict[str, str]:
    names = {m.zh: m.name for m in MAKES}
    names.update({alias: make for make, aliases in ZH_ALIASES.items() for alias in aliases})
    return names


@functools.cache
def _en_makes() -> dict[str, str]:
    names = {m.name.lower(): m.name for m in MAKES}
    names.update({a: make for make, aliases in EN_ALIASES.items() for a in aliases})
    return names


@functools.cache
def _en_make_pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(_en_makes(), key=len, reverse=True))
    return re.compile(r"(?<![a-z0-9])(" + alternatives + r")(?![a-z0-9])", re.IGNORECASE)


@functools.cache
def _model_patterns() -> tuple[tuple[CarModel, bool, re.Pattern[str]], ...]:
    """(model, needs its make nearby, pattern) for each model's English and Chinese names."""
    out = []
    for model in CAR_MODELS:
        for script, parts in (("en", model.en), ("zh", tuple(re.escape(z) for z in model.zh))):
            if parts and script == "en":
                pattern = re.compile(r"(?<![a-z0-9])(?:" + "|".join(parts) + r")(?![a-z0-9])", re.I)
            elif parts:  # Chinese names need no word boundary: '卡罗拉15年的'
                pattern = re.compile("|".join(parts), re.I)
            if parts:
                out.append((model, model.needs_make in (script, "all"), pattern))
    return tuple(out)


def _model_hits(doc: Doc) -> list[CarMention]:
    hits = []
    for model, needs_make, pattern in _model_patterns():
        for found in pattern.finditer(doc.text):
            if not needs_make or _made_by(doc.text, found.start(), found.end(), model.make):
                hits.append(CarMention(found.start(), found.end(), model.make, model.name))
    return _drop_overlaps(hits)


def find_cars(doc: Doc) -> Cars:
    """The customer's car and the other party's, each with make and (when named) model."""
    merged = [m for m in _merge(_make_hits(doc), _model_hits(doc)) if not doc.negated(m.start, m.end)]
    owned = [_with_owner(doc, m) for m in merged]
    mine = next((m for m in owned if not m.theirs), None)
    theirs = next((m for m in owned if m.theirs or (mine and m.make != mine.make)), None)
    if mine is not None:
        models = [m.model for m in owned if not m.theirs and m.make == mine.make and m.model]
        mine = CarMention(mine.start, mine.end, mine.make, mine.model or (models[0] if models else None))
    return Cars(mine, theirs if theirs is not mine else None)


def _make_hits(doc: Doc) -> list[CarMention]:
    makes = _en_makes()
    hits = [
        CarMention(m.start(), m.end(), makes[m.group(1).lower()])
        for m in _en_make_pattern().finditer(doc.text)
    ]
    for word, make in _zh_makes().items():
        for found in re.finditer(re.escape(word), doc.text):
            if word not in AMBIGUOUS_ZH or _plausible_make(doc.text, found.start(), found.end()):
                hits.append(CarMention(found.start(), found.end(), make))
    hits += _typo_hits(doc, hits)
    return _drop_overlaps(hits)


def _plausible_make(text: str, start: int, end: int) -> bool:
    """理想 / 现代 / 大众 are makes only next to a model, '汽车' or a verb of owning ('开理想')."""
    after = text[end : end + 4]
    return bool(_MAKE_CONTEXT_BEFORE.search(text[max(0, start - 2) : start])) or bool(
        re.match(r"(?:汽车|的车|[A-Za-z]+\d|one)", after, re.I)
    )


def _typo_hits(doc: Doc, found: list[CarMention]) -> list[CarMention]:
    taken = {(m.start, m.end) for m in found}
    out = []
    for word in re.finditer(r"[A-Za-z]{4,}", doc.text):
        lowered = word.group().lower()
        if (word.start(), word.end()) in taken or lowered in _NOT_TYPOS or lowered in _en_makes():
            continue
        make = next((n for n in _FUZZY_MAKES if one_edit_apart(lowered, n)), None)
        if make is not None:
            out.append(CarMention(word.start(), word.end(), _en_makes()[make]))
    return out


def _made_by(text: str, start: int, end: int, make: str) -> bool:
    before = text[max(0, start - 8) : start].lower()
    names = [make.lower(), next(m.zh for m in MAKES if m.name == make)]
    return any(n in before for n in names) or bool(_TRIM_AFTER.match(text[end:]))


def _drop_overlaps(hits: list[CarMention]) -> list[CarMention]:
    """Longest match wins where two overlap ('model 3' over '3')."""
    kept: list[CarMention] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _merge(makes: list[CarMention], models: list[CarMention]) -> list[CarMention]:
    """A make followed closely by one of its models is one mention ('Toyota Camry', '丰田凯美瑞')."""
    out, used = [], set()
    for make in makes:
        model = next((m for m in models if m.make == make.make and 0 <= m.start - make.end <= 12), None)
        if model is not None:
            used.add(model)
            out.append(CarMention(make.start, model.end, make.make, model.model))
        elif not any(m.start <= make.start < m.end for m in models):
            out.append(make)
    out += [m for m in models if m not in used and not any(o.start <= m.start < o.end for o in out)]
    return sorted(out, key=lambda m: m.start)


def _with_owner(doc: Doc, mention: CarMention) -> CarMention:
    start, _ = doc.clause_at(mention.start)
    before = doc.text[start : mention.start]
    theirs = _THEIRS_BEFORE.search(before)
    mine = _MINE_BEFORE.search(before)
    is_theirs = (theirs is not None and (mine is None or theirs.start() > mine.start())) or (
        mine is None and bool(_THEIRS_AFTER.search(doc.text[mention.end :]))
    )
    return CarMention(mention.start, mention.end, mention.make, mention.model, is_theirs)


def find_year(doc: Doc, today_year: int) -> int | None:
    """The model year ('2019 Camry', '19年的丰田', '23款'), if plausible."""
    for match in _YEAR_4.finditer(doc.text):
        if 1980 <= int(match.group(1)) <= today_year + 1:
            return int(match.group(1))
    for match in [*_YEAR_2.finditer(doc.text), *_year_before_car().finditer(doc.text)]:
        year = 2000 + int(next(g for g in match.groups() if g))
        if year <= today_year + 1:
            return year
    return None


@functools.cache
def _year_before_car() -> re.Pattern[str]:
    """'15年奥迪Q5': a two-digit year right before a Chinese make or model name."""
    names = sorted({*_zh_makes(), *(z for m in CAR_MODELS for z in m.zh)}, key=len, reverse=True)
    return re.compile(r"(?<![\d.])(\d{2})年(?:的)?(?=" + "|".join(re.escape(n) for n in names) + ")")


def find_powertrain(doc: Doc, make: str | None) -> str | None:
    """Stated powertrain ('hybrid', '纯电', 'petrol'), else 'ev' for makes that build only EVs."""
    for name, pattern in _POWERTRAIN:
        if any(not doc.negated(m.start(), m.end()) for m in pattern.finditer(doc.text)):
            return name
    return "ev" if make in EV_MAKES else None
