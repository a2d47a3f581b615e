"""Shops the customer names: catalog ids ('S000123') and their own shop ('Lucky Star Auto', '福星汽修')."""

from __future__ import annotations

import re

from assistant.nlu.text import Doc

_SHOP_ID = re.compile(r"(?<![A-Za-z0-9])[Ss](\d{6})(?!\d)")
_EN_NAME = re.compile(
    r"((?:[A-Z][\w'&.-]*\s+){1,4}(?:Auto(?:motive|s)?|Motors?|Garage|Repairs?|Services?|Body Shop|Car Care|"
    r"Workshop|Mechanics?|Autocare|Collision)\b)"
)
_ZH_NAME = re.compile(
    r"(?:的|去|是|找|到|在)([\u4e00-\u9fffA-Za-z0-9]{2,8}?(?:汽修|汽车维修|修理厂|维修厂|修车行|车行|"
    r"汽车服务|快修|维修中心|钣喷中心))"
)
_GENERIC = re.compile(r"^(?:正规|普通|随便|综合|一般|熟悉|认识|自己|附近|小|大|好|靠谱|那个|这个|那家|这家)")
# "我表哥在佛山的修理厂" describes a shop, it does not name it.
_DESCRIPTION = re.compile(r"[的我你他她在是去了]")


def shop_ids(doc: Doc) -> list[str]:
    return list(dict.fromkeys(f"S{m.group(1)}" for m in _SHOP_ID.finditer(doc.text)))


def own_shop_name(doc: Doc) -> str | None:
    """The name of the shop the customer says they will use ('Lucky Star Auto', '福星汽修'), if named."""
    for match in _ZH_NAME.finditer(doc.text):
        if not _GENERIC.match(match.group(1)) and not _DESCRIPTION.search(match.group(1)):
            return match.group(1)
    english = _EN_NAME.search(doc.text)
    return english.group(1).strip() if english else None
