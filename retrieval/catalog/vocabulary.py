"""Bilingual vocabularies shared by the catalog, retrieval and (later) extraction.

Canonical names follow `shared/contracts/preferences.schema.json`; the order of each tuple is stable
because bit positions in the catalog (make and capability bitmasks) are derived from it. Append only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Make:
    name: str
    zh: str
    market_share: float  # rough share of China's car parc, drives 4S dealer and parts-stock mix
    ev_only: bool = False
    luxury: bool = False
    aliases: tuple[str, ...] = ()


MAKES: tuple[Make, ...] = (
    Make("Volkswagen", "大众", 0.14, aliases=("vw", "帕萨特", "朗逸", "速腾", "迈腾")),
    Make("Toyota", "丰田", 0.08, aliases=("卡罗拉", "凯美瑞", "camry", "corolla")),
    Make("Honda", "本田", 0.06, aliases=("雅阁", "思域", "accord", "civic")),
    Make("Nissan", "日产", 0.05, aliases=("轩逸", "天籁", "sylphy")),
    Make("Buick", "别克", 0.05, aliases=("君威", "英朗")),
    Make("BYD", "比亚迪", 0.09, aliases=("秦", "汉", "唐", "宋", "海豹", "海豚")),
    Make("Geely", "吉利", 0.05, aliases=("帝豪", "博越", "星越")),
    Make("Changan", "长安", 0.04, aliases=("逸动", "cs75")),
    Make("Great Wall", "长城", 0.03, aliases=("哈弗", "haval", "坦克")),
    Make("Chery", "奇瑞", 0.03, aliases=("瑞虎", "艾瑞泽", "tiggo")),
    Make(
        "BMW", "宝马", 0.05, luxury=True, aliases=("bimmer", "x5", "x3", "3系", "5系", "3 series", "5 series")
    ),
    Make("Mercedes-Benz", "奔驰", 0.05, luxury=True, aliases=("mercedes", "benz", "梅赛德斯", "c级", "e级")),
    Make("Audi", "奥迪", 0.05, luxury=True, aliases=("a4l", "a6l", "q5")),
    Make("Tesla", "特斯拉", 0.04, ev_only=True, aliases=("model 3", "model y", "model s", "model x")),
    Make("NIO", "蔚来", 0.015, ev_only=True, aliases=("es6", "et5", "es8")),
    Make("Li Auto", "理想", 0.02, ev_only=True, aliases=("li one", "理想one", "l7", "l8", "l9")),
    Make("XPeng", "小鹏", 0.012, ev_only=True, aliases=("xpeng", "p7", "g9")),
    Make("Porsche", "保时捷", 0.008, luxury=True, aliases=("卡宴", "cayenne", "macan", "911")),
    Make("Volvo", "沃尔沃", 0.015, luxury=True, aliases=("xc60", "xc90", "s90")),
    Make("Ford", "福特", 0.025, aliases=("福克斯", "蒙迪欧", "focus", "mondeo")),
    Make("Hyundai", "现代", 0.025, aliases=("伊兰特", "索纳塔", "elantra", "sonata")),
    Make("Kia", "起亚", 0.015, aliases=("k5", "智跑", "sportage")),
    Make("Chevrolet", "雪佛兰", 0.02, aliases=("科鲁兹", "迈锐宝", "cruze", "malibu")),
    Make("Mazda", "马自达", 0.015, aliases=("阿特兹", "昂克赛拉", "atenza", "axela")),
    Make("Lexus", "雷克萨斯", 0.012, luxury=True, aliases=("凌志",)),
    Make("Land Rover", "路虎", 0.01, luxury=True, aliases=("揽胜", "range rover", "发现")),
    Make("Cadillac", "凯迪拉克", 0.01, luxury=True, aliases=("ct5", "xt5")),
)
MAKE_NAMES: tuple[str, ...] = tuple(m.name for m in MAKES)
MAKE_INDEX: dict[str, int] = {name: i for i, name in enumerate(MAKE_NAMES)}


@dataclass(frozen=True)
class Capability:
    name: str
    en: str
    zh: str
    synonyms_en: tuple[str, ...]
    synonyms_zh: tuple[str, ...]


# Capability names are the damage types of the preferences schema, so a damage type maps 1:1 to a capability.
CAPABILITIES: tuple[Capability, ...] = (
    Capability(
        "collision",
        "collision and body repair",
        "事故车钣金维修",
        (
            "collision",
            "crash",
            "dent",
            "body",
            "bodywork",
            "body work",
            "body repair",
            "bumper",
            "fender",
            "rear-ended",
            "accident repair",
            "panel",
        ),
        ("钣金", "碰撞", "撞", "事故", "凹陷", "保险杠", "翼子板", "追尾", "刮蹭", "剐蹭"),
    ),
    Capability(
        "paint",
        "paint and refinish",
        "喷漆",
        ("paint", "respray", "scratch", "refinish", "clear coat"),
        ("喷漆", "油漆", "烤漆", "划痕", "掉漆", "补漆"),
    ),
    Capability(
        "glass",
        "glass and windshield replacement",
        "汽车玻璃更换",
        ("glass", "windshield", "windscreen", "window", "sunroof"),
        ("玻璃", "挡风", "风挡", "车窗", "天窗"),
    ),
    Capability(
        "mechanical",
        "mechanical repair",
        "机修",
        ("mechanical", "engine", "gearbox", "transmission", "suspension", "brake", "steering"),
        ("机修", "发动机", "变速箱", "悬挂", "底盘", "刹车", "转向"),
    ),
    Capability(
        "electrical",
        "auto electrical repair",
        "汽车电路维修",
        ("electrical", "wiring", "headlight", "sensor", "electronics", "airbag"),
        ("电路", "电气", "大灯", "车灯", "传感器", "线束", "气囊"),
    ),
    Capability(
        "ev_battery",
        "EV high-voltage battery repair",
        "新能源动力电池维修",
        ("ev battery", "battery pack", "high-voltage", "high voltage", "traction battery", "battery"),
        ("动力电池", "电池包", "高压电", "三电", "电池"),
    ),
    Capability(
        "adas",
        "ADAS sensor calibration",
        "ADAS 辅助驾驶标定",
        ("adas", "calibration", "radar", "lane assist", "camera calibration", "autopilot"),
        ("标定", "雷达", "辅助驾驶", "摄像头", "自动驾驶"),
    ),
    Capability(
        "flood",
        "flood damage restoration",
        "泡水车修复",
        ("flood", "water damage", "submerged", "flooded", "waterlogged"),
        ("泡水", "水淹", "进水", "涉水", "浸水"),
    ),
    Capability(
        "tire",
        "tires and wheels",
        "轮胎轮毂",
        ("tire", "tyre", "wheel", "rim", "flat", "puncture"),
        ("轮胎", "轮毂", "爆胎", "扎胎", "钢圈"),
    ),
)
CAPABILITY_NAMES: tuple[str, ...] = tuple(c.name for c in CAPABILITIES)
CAPABILITY_INDEX: dict[str, int] = {name: i for i, name in enumerate(CAPABILITY_NAMES)}


@dataclass(frozen=True)
class ShopType:
    name: str
    en: str
    zh: str
    share: float  # share of the national network
    is_authorized: bool = False


SHOP_TYPES: tuple[ShopType, ...] = (
    ShopType("4s_dealer", "brand-authorized 4S dealer", "品牌授权4S店", 0.30, is_authorized=True),
    ShopType("independent", "independent repair shop", "综合修理厂", 0.40),
    ShopType("chain", "chain repair centre", "连锁快修店", 0.15),
    ShopType("body_paint", "body and paint specialist", "钣喷中心", 0.07),
    ShopType("glass_specialist", "glass specialist", "汽车玻璃专修店", 0.05),
    ShopType("ev_specialist", "new-energy vehicle specialist", "新能源汽车专修店", 0.03),
)
SHOP_TYPE_NAMES: tuple[str, ...] = tuple(t.name for t in SHOP_TYPES)
SHOP_TYPE_INDEX: dict[str, int] = {name: i for i, name in enumerate(SHOP_TYPE_NAMES)}
AUTHORIZED_WORDS_EN: tuple[str, ...] = ("4s", "authorized", "authorised", "dealer", "dealership", "official")
AUTHORIZED_WORDS_ZH: tuple[str, ...] = ("4s店", "4s", "4S", "授权", "原厂", "官方", "特约")

CERTIFICATIONS: tuple[str, ...] = (
    "ISO 9001",
    "I-CAR Gold Class",
    "EV high-voltage safety",
    "ADAS calibration",
    "waterborne paint (environmental)",
    "insurer gold partner",
    "aluminium body repair",
)
CERTIFICATION_INDEX: dict[str, int] = {name: i for i, name in enumerate(CERTIFICATIONS)}


def bits_to_names(mask: int, names: tuple[str, ...]) -> list[str]:
    """Decode a bitmask into the names whose bit is set, in vocabulary order."""
    return [name for i, name in enumerate(names) if mask >> i & 1]


def names_to_bits(selected: list[str] | tuple[str, ...], index: dict[str, int]) -> int:
    """Encode names into a bitmask; an unknown name is a KeyError naming it."""
    mask = 0
    for name in selected:
        mask |= 1 << index[name]
    return mask
