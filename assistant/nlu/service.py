"""What the customer wants beyond the repair: dealer or independent, a loaner, pickup or towing."""

from __future__ import annotations

import re

from assistant.nlu.text import Doc, any_of

_AUTHORIZED = re.compile(
    any_of(
        r"\b4s\b", "4s店", r"\bdealer(?:ship)?s?\b", r"\bauthori[sz]ed\b", r"\bofficial\b",
        r"\bbrand (?:service )?(?:cent(?:er|re)|shop)\b", r"\bmanufacturer\b", r"\boem\b", "授权", "原厂",
        "官方", "特约", "品牌店",
    ),
    re.I,
)  # fmt: skip
_INDEPENDENT = re.compile(
    any_of(
        r"\bindependent\b",
        r"\bnon-dealer\b",
        r"\bany (?:decent |qualified |good |reliable |local |normal |regular )?(?:repair )?"
        r"(?:shop|garage|workshop|mechanic)\b",
        r"\blocal garage\b",
        r"\bchain (?:shop|store)\b",
        "修理厂(?:就行|也行|都行|就好|就可以)",
        "综合修理厂",
        "快修店",
        "连锁店",
        "非4s",
        "普通修理厂",
    ),
    re.I,
)  # fmt: skip
# Said of a dealer, these mean the customer does not want one ("4S店太贵", "a horrible experience at one").
_DEALER_DOWNSIDE = re.compile(
    r"^.{0,30}?(?:"
    + any_of(
        "太贵", "贵死", "坑人", "体验.{0,3}差", "too expensive", "overpriced", r"rip[- ]?off",
        "charge a fortune", "horrible", "terrible", "awful", "bad experience",
    )
    + ")",
    re.I,
)  # fmt: skip
_COURTESY = re.compile(
    any_of(
        r"\bloaner(?: car)?\b", r"\bcourtesy car\b", r"\breplacement (?:car|vehicle)\b",
        r"\brental(?: car)?\b", r"\bhire car\b", r"\bsubstitute car\b", r"\btemporary car\b",
        r"\ba car to (?:use|drive|get around)\b", "代步车", "备用车", "替代车", "租车", "临时用车",
    ),
    re.I,
)  # fmt: skip
_HAS_OTHER_CAR = re.compile(
    any_of(
        r"\b(?:have|got) (?:another|a second|my (?:wife|husband|partner)'s) car\b",
        r"\blending me (?:his|hers|her|their)\b", "家里(?:还)?有(?:别的|另一辆|一辆)?车", "借我车",
        "有别的车",
    ),
    re.I,
)  # fmt: skip
_PICKUP = re.compile(
    any_of(
        r"\bpick(?:ed|ing)?[- ]?up\b", r"\bcollect(?:ed|ion)?\b", r"\btow(?:ed|ing)?\b", "tow truck",
        r"\bdeliver(?:ed)? (?:it )?back\b", r"\bbrought back\b", r"\bbring it back\b", "上门取车", "取送",
        "上门", "接送车", "把车接走", "接走", "拖车", "拖走", "拖到", "拖去", "送回来", "送车上门", "救援",
    ),
    re.I,
)  # fmt: skip
_SELF_DELIVERY = re.compile(
    any_of(
        r"\b(?:i'?ll|i will|i can|i'?d) (?:just )?drive it (?:over|there|in|myself|to)",
        r"\bdrive it over myself\b", "我自己开过去", "自己开过去", "自己送过去", "自己开去", "我自己送",
    ),
    re.I,
)  # fmt: skip


def dealer_preference(doc: Doc) -> str | None:
    """'authorized' (4S / dealer) or 'independent'; a negated dealer ('不一定要4S店') means independent."""
    choice = None
    for match in sorted(
        [*_AUTHORIZED.finditer(doc.text), *_INDEPENDENT.finditer(doc.text)], key=lambda m: m.start()
    ):
        is_dealer = bool(_AUTHORIZED.fullmatch(match.group()))
        negated = doc.negated(match.start(), match.end())
        if is_dealer and (negated or _DEALER_DOWNSIDE.search(doc.text[match.end() :])):
            choice = "independent"
        elif not negated:
            choice = "authorized" if is_dealer else "independent"
    return choice


def needs_courtesy_car(doc: Doc) -> bool | None:
    """True when a loaner is asked for, False when declined ('不需要代步车') or another car is at hand."""
    for match in _COURTESY.finditer(doc.text):
        return not doc.negated(match.start(), match.end())
    return False if _HAS_OTHER_CAR.search(doc.text) else None


def needs_pickup(doc: Doc) -> bool | None:
    """True for pickup / towing, False when declined or the customer will drive the car over."""
    if _SELF_DELIVERY.search(doc.text):
        return False
    for match in _PICKUP.finditer(doc.text):
        return not doc.negated(match.start(), match.end())
    return None
