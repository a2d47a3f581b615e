"""Where the customer is: a bilingual gazetteer of Chinese cities and districts, and 'near my office'.

Cities come from `retrieval.catalog.cities` (GeoNames, each with its Chinese name); districts from
GeoNames plus `districts.DISTRICTS`. GeoNames gives some small places a Chinese name that is an everyday
word (民主, 合作, 东方), so a small place whose name is a common jieba word is left out unless it is well
known. English names of smaller places must be capitalised ('Bole' the city, not 'bole').
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from assistant.nlu.districts import DISTRICTS
from assistant.nlu.segment import word_frequency
from assistant.nlu.text import Doc

SMALL_CITY = 500_000  # below this, a Chinese name must not be an everyday word
MIN_POPULATION = 100_000
CASE_FREE = 1_000_000  # English names of cities at least this big match in any case ('shanghai')
WELL_KNOWN = frozenset(
    {"大理", "拉萨", "丽江", "敦煌", "恩施", "延安", "黄山", "北海", "三亚", "喀什", "桂林"}
)
ALIASES_EN = {"peking": "北京", "canton": "广州", "xian": "西安"}
_STRIP_ZH = ("新区", "市区", "市", "区", "县")
_ROAD_AFTER = re.compile(
    r"^\s?(?:路|街|大道|大街|道|站|[Rr]oad|[Rr]d\b|[Ss]treet|[Ss]t\b|[Aa]venue|[Aa]ve\b|[Ee]levated)"
)
_ORIGIN_BEFORE = re.compile(r"(?:i'm|i am|we're|we are|originally|comes?)\s+from\s+$", re.IGNORECASE)
# A place is negated only right after its negator ("not Shanghai", "不是上海"), not in "not too far from X".
_NEGATED_BEFORE = re.compile(
    r"(?:\b(?:not|instead of|rather than)\s+(?:in\s+|at\s+|from\s+)?|不是|不在|并非|而非|并不在)\s?$", re.I
)
_LOCATIVE_BEFORE = re.compile(
    r"(?:\b(?:in|at|near|around|outside|inside)\s+(?:the\s+)?|在|位于|到了?)$", re.IGNORECASE
)
_WORK = re.compile(
    r"\b(?:near|by|at|from|close to|around)\s+(?:my\s+|the\s+)?(?:office|work|workplace|company)\b|"
    r"\bmy\s+(?:office|workplace|work)\b|"
    r"我(?:们)?(?:的)?(?:公司|单位)|(?:公司|单位|办公室)(?:附近|楼下|旁边|这边|门口)|从(?:我)?(?:公司|单位)|"
    r"在(?:公司|单位)|上班的地方",
    re.IGNORECASE,
)
_HOME = re.compile(
    r"\b(?:near|by|from|around|close to|of)\s+(?:my\s+)?(?:home|house|apartment|flat|place)\b|"
    r"\bmy\s+(?:home|house|apartment|flat)\b|\bwhere i live\b|\bat home\b|"
    r"我家|家附近|离家|家门口|家楼下|家里|(?:我们?|咱)小区",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Place:
    city: str  # canonical English city name, as the schema wants it
    name: str
    zh: str
    lat: float
    lon: float
    weight: float  # population of the city it belongs to: the bigger wins a shared name
    is_district: bool = False


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    candidates: tuple[Place, ...]
    locative: bool


@dataclass(frozen=True)
class Found:
    city: str
    place: Place
    text: str


@functools.cache
def gazetteer() -> tuple[dict[str, tuple[Place, ...]], dict[str, tuple[Place, ...]]]:
    """(Chinese name -> places, folded English name -> places), biggest first."""
    from retrieval.catalog.cities import load_cities

    zh: dict[str, list[Place]] = defaultdict(list)
    en: dict[str, list[Place]] = defaultdict(list)
    by_zh: dict[str, Place] = {}
    for city in load_cities():
        place = Place(city.name, city.name, city.zh, city.lat, city.lon, city.population)
        by_zh.setdefault(city.zh, place)
        if city.population >= MIN_POPULATION or city.zh in WELL_KNOWN:
            _add(zh, en, place, keep_zh=_plain_name(city.zh, city.population))
        for name, name_zh, lat, lon in city.districts:
            district = Place(city.name, name, name_zh, lat, lon, city.population, is_district=True)
            _add(zh, en, district, keep_zh=_plain_name(name_zh, 0))
            if name_zh.startswith(city.zh) and len(name_zh) - len(city.zh) >= 2:
                zh[name_zh[len(city.zh) :]].append(district)
    for host, name, name_zh, lat, lon in DISTRICTS:
        owner = by_zh[host]
        _add(zh, en, Place(owner.city, name, name_zh, lat, lon, owner.weight, is_district=True), keep_zh=True)
    for alias, host in ALIASES_EN.items():
        en[alias].append(by_zh[host])
    return {k: _biggest_first(v) for k, v in zh.items()}, {k: _biggest_first(v) for k, v in en.items()}


def _biggest_first(places: list[Place]) -> tuple[Place, ...]:
    return tuple(sorted(places, key=lambda p: -p.weight))


def _add(zh: dict[str, list[Place]], en: dict[str, list[Place]], place: Place, keep_zh: bool) -> None:
    if keep_zh and len(place.zh) >= 2:
        zh[place.zh].append(place)
        for suffix in _STRIP_ZH:
            if place.zh.endswith(suffix) and len(place.zh) - len(suffix) >= 2:
                zh[place.zh[: -len(suffix)]].append(place)
    en[fold(place.name)].append(place)


def _plain_name(name: str, population: int) -> bool:
    """A place's Chinese name is usable when it is not also an everyday word (or the place is big)."""
    return population >= SMALL_CITY or name in WELL_KNOWN or word_frequency(name) < 100


def fold(name: str) -> str:
    """'Xi'an' -> 'xian', 'Ürümqi' -> 'urumqi', 'Bao'an' -> 'baoan'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"['\-]", "", ascii_name).replace("  ", " ").lower().strip()


def place_words() -> list[str]:
    """Chinese place names for the segmenter's dictionary."""
    return list(gazetteer()[0])


@functools.cache
def _english_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(any-case pattern for big cities and districts, capitalised-only pattern for smaller places)."""
    _, en = gazetteer()
    big = [k for k, places in en.items() if places[0].weight >= CASE_FREE or places[0].is_district]
    small = [k for k in en if k not in set(big)]
    return _name_pattern(big, re.IGNORECASE), _name_pattern([k.title() for k in small], 0)


def _name_pattern(names: list[str], flags: int) -> re.Pattern[str]:
    alternatives = "|".join(
        re.escape(n).replace(r"\ ", r"[\s-]?") for n in sorted(names, key=len, reverse=True)
    )
    # Apostrophes and hyphens are optional inside a name ("Xi'an", "Xian"); matched on folded text.
    return re.compile(r"(?<![A-Za-z])(" + alternatives + r")(?![A-Za-z])", flags)


def mentions(doc: Doc) -> list[Mention]:
    """Every place named in the message that is not negated, an origin ('I'm from X') or a road name."""
    found = _zh_mentions(doc) + _en_mentions(doc)
    kept = [m for m in found if not _NEGATED_BEFORE.search(doc.text[max(0, m.start - 16) : m.start])]
    return sorted(kept, key=lambda m: m.start)


def _zh_mentions(doc: Doc) -> list[Mention]:
    toks = doc.tokens
    if not toks:
        return []
    zh, _ = gazetteer()
    out = []
    for i, tok in enumerate(toks):
        places = _lookup_zh(zh, tok.word)
        after = toks[i + 1].word if i + 1 < len(toks) else ""
        if not places or _ROAD_AFTER.match(after) or after == "人" or _is_brand_after(after):
            continue
        out.append(Mention(tok.start, tok.end, places, bool(_LOCATIVE_BEFORE.search(doc.text[: tok.start]))))
    return out


def _lookup_zh(zh: dict[str, tuple[Place, ...]], word: str) -> tuple[Place, ...]:
    if word in zh:
        return zh[word]
    for suffix in _STRIP_ZH:
        if word.endswith(suffix) and word[: -len(suffix)] in zh:
            return zh[word[: -len(suffix)]]
    return ()


def _is_brand_after(word: str) -> bool:
    """'上海大众', '北京现代': a joint-venture brand, not a place."""
    from assistant.nlu.vehicles import is_make_word

    return is_make_word(word)


def _en_mentions(doc: Doc) -> list[Mention]:
    if not re.search(r"[A-Za-z]{3}", doc.text):
        return []
    folded, origin = _fold_with_offsets(doc.text)
    _, en = gazetteer()
    out = []
    for pattern in _english_patterns():
        for match in pattern.finditer(folded):
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            key = match.group(1).lower().replace("-", " ")
            places = en.get(key) or en.get(key.replace(" ", ""))
            before, after = doc.text[:start], doc.text[end:]
            if not places or _ROAD_AFTER.match(after) or _ORIGIN_BEFORE.search(before[-30:]):
                continue
            out.append(Mention(start, end, places, bool(_LOCATIVE_BEFORE.search(before))))
    return out


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """`fold` for running text: accents folded, apostrophes dropped; offsets map back into `text`."""
    chars, origin = [], []
    for i, char in enumerate(text):
        if char == "'":
            continue
        base = (
            char
            if ord(char) < 128
            else unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        )
        chars.append(base[:1] or char)
        origin.append(i)
    return "".join(chars), origin


def resolve(doc: Doc) -> Found | None:
    """The city the customer is in and the most specific place they named there."""
    found = mentions(doc)
    if not found:
        return None
    named = {p.city for m in found for p in m.candidates if not p.is_district and p is m.candidates[0]}
    chosen = [(m, _interpret(m, named)) for m in found]
    anchor_mention, anchor = max(chosen, key=lambda mc: (mc[0].locative, mc[0].start))
    specific = [(m, p) for m, p in chosen if p.city == anchor.city and p.is_district]
    mention, place = specific[-1] if specific else (anchor_mention, anchor)
    text = doc.text[mention.start : mention.end]
    for suffix in ("市区", "新区", "市", "区", "县"):  # '武汉市区' -> '武汉', but '苏州工业园区' is a name
        if text not in gazetteer()[0] and len(text) >= len(suffix) + 2:
            text = text.removesuffix(suffix)
    return Found(city=anchor.city, place=place, text=text)


def _interpret(mention: Mention, named: set[str]) -> Place:
    """A district of a city named in the same message beats a same-named place elsewhere."""
    return next((p for p in mention.candidates if p.city in named), mention.candidates[0])


def location_ref(doc: Doc) -> str | None:
    """'home' or 'work' when the customer places themselves by their home or office; the later one wins."""
    hits = [(m.start(), "work") for m in _WORK.finditer(doc.text)]
    hits += [(m.start(), "home") for m in _HOME.finditer(doc.text)]
    return max(hits)[1] if hits else None
