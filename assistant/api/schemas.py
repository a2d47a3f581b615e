"""Request and response models of the HTTP API (kept apart from domain types)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = "ok"


class CandidateOut(BaseModel):
    shop_id: str
    name: str
    name_zh: str
    distance_km: float
    coverage: float = Field(description="Share of the needed capabilities the shop has (1.0 = all).")
    shop_type: str
    authorized_makes: list[str]
    rating: float


class NeedsOut(BaseModel):
    capabilities: list[str]
    make: str | None
    authorized_only: bool


class CandidatesOut(BaseModel):
    needs: NeedsOut
    candidates: list[CandidateOut]
