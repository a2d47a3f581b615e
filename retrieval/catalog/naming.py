"""Bilingual shop names and free-text descriptions, generated from a shop's attributes.

Descriptions state only what the row's columns say (type, makes, capabilities, services), so a
description can never promise something the catalog does not support.
"""

from __future__ import annotations

import numpy as np

from retrieval.catalog.vocabulary import CAPABILITIES, MAKES, SHOP_TYPES, bits_to_names

# Fictional trade names (Chinese, pinyin): no real dealer group or chain is named.
TRADE_WORDS: tuple[tuple[str, str], ...] = (
    ("骏达", "Junda"),
    ("华通", "Huatong"),
    ("恒信", "Hengxin"),
    ("瑞通", "Ruitong"),
    ("安达", "Anda"),
    ("鑫源", "Xinyuan"),
    ("嘉和", "Jiahe"),
    ("顺驰", "Shunchi"),
    ("永昌", "Yongchang"),
    ("博远", "Boyuan"),
    ("诚信", "Chengxin"),
    ("明辉", "Minghui"),
    ("金盛", "Jinsheng"),
    ("宏达", "Hongda"),
    ("众力", "Zhongli"),
    ("利通", "Litong"),
    ("天和", "Tianhe"),
    ("新港", "Xingang"),
    ("东升", "Dongsheng"),
    ("远航", "Yuanhang"),
)
CHAINS: tuple[tuple[str, str], ...] = (
    ("车安达", "Che'anda Auto Care"),
    ("快修侠", "QuickFix Hero"),
    ("途驰养车", "Tuchi Car Care"),
    ("优驾汇", "Youjia Service Hub"),
    ("驰援汽修", "Chiyuan Repair"),
)
_SUFFIX = {
    "4s_dealer": ("4S店", "4S Centre"),
    "independent": ("汽车修理厂", "Auto Repair"),
    "body_paint": ("钣喷中心", "Body & Paint Centre"),
    "glass_specialist": ("汽车玻璃", "Auto Glass"),
    "ev_specialist": ("新能源汽车服务中心", "EV Service Centre"),
}


def shop_names(
    rng: np.random.Generator, shop_type: str, make_bits: int, city: tuple[str, str], district: tuple[str, str]
) -> tuple[str, str]:
    """(English name, Chinese name) for one shop."""
    place_en = district[0] if district[0] != city[0] else city[0]
    place_zh = district[1] if district[1] != city[1] else city[1]
    if shop_type == "chain":
        zh, en = CHAINS[int(rng.integers(len(CHAINS)))]
        return f"{en} ({city[0]} {place_en})".replace(f"{city[0]} {city[0]}", city[0]), f"{zh}({place_zh}店)"
    word_zh, word_en = TRADE_WORDS[int(rng.integers(len(TRADE_WORDS)))]
    suffix_zh, suffix_en = _SUFFIX[shop_type]
    if shop_type == "4s_dealer":
        make = next(m for i, m in enumerate(MAKES) if make_bits >> i & 1)
        return f"{place_en} {make.name} {word_en} {suffix_en}", f"{place_zh}{make.zh}{word_zh}{suffix_zh}"
    return f"{place_en} {word_en} {suffix_en}", f"{place_zh}{word_zh}{suffix_zh}"


def describe(
    shop_type_index: int,
    make_bits: int,
    capability_bits: int,
    courtesy_cars: int,
    pickup: bool,
    city: tuple[str, str],
    is_new: bool,
) -> tuple[str, str]:
    """(English, Chinese) description built only from the shop's own attributes."""
    stype = SHOP_TYPES[shop_type_index]
    caps = [
        c
        for c in CAPABILITIES
        if c.name in bits_to_names(capability_bits, tuple(x.name for x in CAPABILITIES))
    ]
    makes = [m for i, m in enumerate(MAKES) if make_bits >> i & 1]
    en = [f"{stype.en[0].upper()}{stype.en[1:]} in {city[0]}"]
    zh = [f"位于{city[1]}的{stype.zh}"]
    if makes:
        en.append("authorized for " + " and ".join(m.name for m in makes))
        zh.append("授权品牌：" + "、".join(m.zh for m in makes))
    en.append("services: " + ", ".join(c.en for c in caps))
    zh.append("服务：" + "、".join(c.zh for c in caps))
    if courtesy_cars:
        en.append(f"{courtesy_cars} courtesy cars")
        zh.append(f"提供{courtesy_cars}辆代步车")
    if pickup:
        en.append("free pick-up and delivery")
        zh.append("上门取送车")
    if is_new:
        en.append("a new partner shop")
        zh.append("新加入的合作修理厂")
    return "; ".join(en) + ".", "，".join(zh) + "。"
