"""What the claim already knows (API contract: `Claim`, `CustomerProfile`), as request/response models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DamageType = Literal[
    "collision", "glass", "paint", "mechanical", "electrical", "ev_battery", "adas", "flood", "tire"
]


class Point(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PastShop(BaseModel):
    shop_id: str = Field(min_length=1, max_length=64)
    satisfaction: float = Field(ge=0.0, le=1.0)


class CustomerProfile(BaseModel):
    """From the policy and claims systems: home, work, language, and shops used before."""

    customer_id: str | None = Field(None, max_length=128)
    language: Literal["en", "zh"] | None = None
    home: Point | None = None
    work: Point | None = None
    past_shops: list[PastShop] = Field(default_factory=list, max_length=200)

    def disliked_shops(self, threshold: float = 0.4) -> frozenset[str]:
        """Shops this customer rated poorly before: never pushed to them again."""
        return frozenset(p.shop_id for p in self.past_shops if p.satisfaction < threshold)


class ClaimVehicle(BaseModel):
    make: str | None = Field(None, max_length=64)
    model: str | None = Field(None, max_length=64)
    year: int | None = Field(None, ge=1950, le=2100)
    powertrain: Literal["ice", "hybrid", "ev"] | None = None


class ClaimDamage(BaseModel):
    types: list[DamageType] = Field(default_factory=list, max_length=9)
    severity: Literal["minor", "moderate", "severe"] | None = None
    drivable: bool | None = None
    description: str | None = Field(None, max_length=2000)


class ThirdPartyVehicle(BaseModel):
    make: str | None = Field(None, max_length=64)
    model: str | None = Field(None, max_length=64)
    damage: ClaimDamage | None = None


class Claim(BaseModel):
    claim_id: str | None = Field(None, max_length=128)
    location: Point | None = None
    vehicle: ClaimVehicle | None = None
    damage: ClaimDamage | None = None
    third_party_vehicles: list[ThirdPartyVehicle] = Field(default_factory=list, max_length=5)
    customer: CustomerProfile | None = None
