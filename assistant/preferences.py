"""What a policyholder wants from a repair: `Preferences` of `shared/contracts/preferences.schema.json`.

Every field is optional (None / empty = "not said"). `merge_preferences` folds a new statement into what was
said before: later statements win field by field, rejections accumulate, a correction replaces.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["en", "zh"]
Powertrain = Literal["ice", "hybrid", "ev"]
DamageType = Literal[
    "collision", "glass", "paint", "mechanical", "electrical", "ev_battery", "adas", "flood", "tire"
]
Severity = Literal["minor", "moderate", "severe"]
DealerPreference = Literal["authorized", "independent"]
Priority = Literal["distance", "quality", "speed", "cost"]
RejectionReason = Literal[
    "too_far", "wants_authorized", "low_quality", "too_slow", "too_expensive", "bad_experience", "other"
]
LocationRef = Literal["home", "work"]

DAMAGE_TYPES: tuple[DamageType, ...] = (
    "collision", "glass", "paint", "mechanical", "electrical", "ev_battery", "adas", "flood", "tire"
)  # fmt: skip
PRIORITIES: tuple[Priority, ...] = ("distance", "quality", "speed", "cost")
REJECTION_REASONS: tuple[RejectionReason, ...] = (
    "too_far", "wants_authorized", "low_quality", "too_slow", "too_expensive", "bad_experience", "other"
)  # fmt: skip
Weight = Annotated[float, Field(ge=0.0, le=1.0)]


class _Open(BaseModel):
    """Extra fields are allowed, as the schema allows them."""

    model_config = ConfigDict(extra="allow")


class Location(_Open):
    text: str | None = Field(None, description="The place as the customer said it.")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class Vehicle(_Open):
    make: str | None = Field(None, description="Canonical make, e.g. 'BMW' for 宝马.")
    model: str | None = None
    year: int | None = None
    powertrain: Powertrain | None = None


class Damage(_Open):
    types: list[DamageType] = Field(default_factory=list)
    severity: Severity | None = None
    drivable: bool | None = None
    description: str | None = None


class ThirdParty(_Open):
    """The other party's vehicle in an accident (an extra field: the schema allows it)."""

    make: str | None = None
    model: str | None = None
    damage_types: list[DamageType] = Field(default_factory=list)


class Preferences(_Open):
    """The contract's Preferences; `model_dump()` validates against preferences.schema.json."""

    language: Language | None = None
    city: str | None = Field(None, description="Canonical English city name, e.g. 'Shanghai' for 上海.")
    location: Location | None = None
    vehicle: Vehicle | None = None
    damage: Damage | None = None
    dealer_preference: DealerPreference | None = None
    max_distance_km: float | None = Field(None, gt=0)
    top_priority: Priority | None = None
    priorities: dict[Priority, Weight] = Field(default_factory=dict)
    needs_courtesy_car: bool | None = None
    needs_pickup: bool | None = None
    deadline_days: int | None = Field(None, ge=0)
    rejected_shop_ids: list[str] = Field(default_factory=list)
    rejection_reasons: list[RejectionReason] = Field(default_factory=list)
    # Extra fields the dialogue needs (allowed by the schema's open object).
    location_ref: LocationRef | None = Field(None, description="'near my office' = work, '家附近' = home.")
    third_party: ThirdParty | None = None
    chosen_shop: str | None = Field(None, description="A shop id or name the customer says they will use.")


# A new statement about where the customer is replaces the whole "where" (place, reference, city).
_WHERE = ("location", "location_ref")
_NESTED: dict[str, tuple[str, str]] = {  # field -> (identity key, list key that accumulates)
    "vehicle": ("make", ""),
    "third_party": ("make", "damage_types"),
    "damage": ("", "types"),
}
_ACCUMULATE = ("rejected_shop_ids", "rejection_reasons")


def merge_preferences(
    prior: Preferences | None, update: Preferences, *, replace: Iterable[str] = ()
) -> Preferences:
    """Fold `update` into `prior`: later statements win field by field (nested too).

    Rejected shops and reasons accumulate without duplicates; damage types accumulate too unless the update
    corrects them. `replace` names fields (dotted for nested ones, e.g. 'damage.types') that the update
    corrects: they take the update's value even when it is empty. A new place replaces the old place and
    place reference; a new make replaces the old vehicle's model, year and powertrain.
    """
    if prior is None:
        return update.model_copy(deep=True)
    replaced = frozenset(replace)
    merged = prior.model_dump()
    new = update.model_dump(exclude_none=True)
    if _moves(prior, update):
        for name in _WHERE:
            merged[name] = None
    for name, value in new.items():
        if name in _ACCUMULATE:
            merged[name] = _union(merged.get(name) or [], value)
        elif name in _NESTED and isinstance(value, dict):
            merged[name] = _merge_nested(name, merged.get(name), value, replaced)
        elif name == "priorities":
            merged[name] = value if name in replaced else {**merged.get(name, {}), **value}
        elif name in replaced or value not in ([], {}):
            merged[name] = value
    for name in replaced - set(new):
        if "." not in name and name in Preferences.model_fields:
            merged[name] = Preferences.model_fields[name].get_default(call_default_factory=True)
    return Preferences.model_validate(merged)


def _moves(prior: Preferences, update: Preferences) -> bool:
    """Whether the update says where the customer is anew (place, place reference or another city)."""
    said_place = update.location is not None or update.location_ref is not None
    return said_place or (update.city is not None and update.city != prior.city)


def _merge_nested(
    name: str, old: dict[str, Any] | None, new: dict[str, Any], replaced: frozenset[str]
) -> dict[str, Any]:
    identity, listed = _NESTED[name]
    if old is None or (identity and new.get(identity) and new[identity] != old.get(identity)):
        return new
    out = dict(old)
    for key, value in new.items():
        if key == listed and f"{name}.{key}" not in replaced:
            out[key] = _union(old.get(key) or [], value)
        elif value not in ([], {}) or f"{name}.{key}" in replaced:
            out[key] = value
    return out


def _union(old: list[Any], new: list[Any]) -> list[Any]:
    return list(dict.fromkeys([*old, *new]))
