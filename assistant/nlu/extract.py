"""The embedded extractor: a message (and what was said before) -> `Preferences`, no LLM, no network.

Each field has its own small reader (places, vehicles, damage, service, priorities, amounts, rejection,
shops); this module only assembles what they find and merges it into the prior preferences.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from assistant.nlu import amounts, damage, places, priorities, rejection, service, shops, vehicles
from assistant.nlu.intents import intents_of
from assistant.nlu.text import Doc
from assistant.preferences import Damage, Location, Preferences, ThirdParty, Vehicle, merge_preferences

# What a rejection reason says about the customer's wishes, when they did not say it themselves.
_REASON_PRIORITY = {
    "too_far": "distance",
    "low_quality": "quality",
    "too_slow": "speed",
    "too_expensive": "cost",
}
_CORRECTION = re.compile(
    r"\bactually\b|\bsorry\b|\bi meant\b|\bi mean\b|\bcorrection\b|\bmy mistake\b|\bscratch that\b|"
    r"其实|不对|说错了|搞错了|更正|纠正|不是.{1,12}是",
    re.I,
)


def extract_local(text: str, prior: Preferences | None = None, *, today: date | None = None) -> Preferences:
    """Preferences stated in `text`, merged into `prior` (later statements win; corrections replace)."""
    doc = Doc.of(text)
    update, replace = read(doc, today or date.today())
    return merge_preferences(prior, update, replace=replace) if prior is not None else update


def warm_up() -> None:
    """Load the segmenter and build every gazetteer and pattern now (about 1.5 s), not on a first message."""
    extract_local("Hi, my BMW X5 was hit in Pudong, Shanghai; no loaner needed, within 5 km by Friday.")
    extract_local("你好，我的宝马X5在上海浦东被撞了，不需要代步车，5公里以内，周五前修好")


def read(doc: Doc, today: date) -> tuple[Preferences, set[str]]:
    """(what this message states, the fields it corrects)."""
    fields: dict[str, Any] = {"language": _language(doc)}
    fields.update(_where(doc))
    cars = vehicles.find_cars(doc)
    vehicle = _vehicle(doc, cars, today)
    found = damage.find_damage(doc, vehicle.powertrain if vehicle else None)
    fields["vehicle"] = vehicle
    fields["damage"] = _damage(found)
    fields["third_party"] = _third_party(cars, found)
    fields["dealer_preference"] = service.dealer_preference(doc)
    fields["needs_courtesy_car"] = service.needs_courtesy_car(doc)
    fields["needs_pickup"] = service.needs_pickup(doc)
    fields["max_distance_km"] = amounts.max_distance_km(doc)
    fields["deadline_days"] = amounts.deadline_days(doc, today)
    fields["top_priority"], fields["priorities"] = priorities.find_priorities(doc)
    _conversation(doc, fields)
    replace = {"damage.types"} if _CORRECTION.search(doc.text) and found.types else set()
    return Preferences(**fields), replace


def _language(doc: Doc) -> str | None:
    has_words = re.search(r"[\u4e00-\u9fff]|[A-Za-z]{2,}", doc.text)
    return doc.language if has_words else None


def _where(doc: Doc) -> dict[str, Any]:
    out: dict[str, Any] = {"location_ref": places.location_ref(doc)}
    found = places.resolve(doc)
    if found is not None:
        out["city"] = found.city
        out["location"] = Location(text=found.text, lat=found.place.lat, lon=found.place.lon)
    return out


def _vehicle(doc: Doc, cars: vehicles.Cars, today: date) -> Vehicle | None:
    mine = cars.mine
    year = vehicles.find_year(doc, today.year) if mine is not None or cars.theirs is None else None
    powertrain = vehicles.find_powertrain(doc, mine.make if mine else None)
    if mine is None and year is None and powertrain is None:
        return None
    return Vehicle.model_validate(
        {"make": mine.make if mine else None, "model": mine.model if mine else None, "year": year,
         "powertrain": powertrain}
    )  # fmt: skip


def _damage(found: damage.DamageFound) -> Damage | None:
    if not (found.types or found.severity or found.drivable is not None):
        return None
    return Damage.model_validate(
        {"types": found.types, "severity": found.severity, "drivable": found.drivable,
         "description": found.description}
    )  # fmt: skip


def _third_party(cars: vehicles.Cars, found: damage.DamageFound) -> ThirdParty | None:
    theirs = cars.theirs
    if theirs is None and not found.their_types:
        return None
    return ThirdParty.model_validate(
        {"make": theirs.make if theirs else None, "model": theirs.model if theirs else None,
         "damage_types": found.their_types}
    )  # fmt: skip


def _conversation(doc: Doc, fields: dict[str, Any]) -> None:
    """Rejections, the shop the customer picks, and what a rejection reason implies about their wishes."""
    intents = intents_of(doc)
    ids = shops.shop_ids(doc)
    if "injection" in intents:
        return
    if "own_shop" in intents:
        fields["chosen_shop"] = shops.own_shop_name(doc) or (ids[-1] if ids else None)
    elif "accept" in intents and ids and "reject" not in intents:
        fields["chosen_shop"] = ids[-1]
    if "reject" not in intents:
        return
    reasons = rejection.reasons_in(doc) or ["other"]
    fields["rejection_reasons"] = reasons
    fields["rejected_shop_ids"] = [i for i in ids if i != fields.get("chosen_shop")]
    if "wants_authorized" in reasons:
        fields["dealer_preference"] = "authorized"
    implied = [_REASON_PRIORITY[r] for r in reasons if r in _REASON_PRIORITY]
    weights = dict(fields["priorities"])
    for name in implied:
        weights.setdefault(name, priorities.OTHER_WEIGHT)
    if implied and fields["top_priority"] is None:
        fields["top_priority"] = implied[0]
        weights[implied[0]] = priorities.TOP_WEIGHT
    fields["priorities"] = weights
