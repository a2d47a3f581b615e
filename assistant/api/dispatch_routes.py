"""Integration routes (role `ops`): recommendations without a chat, and outcome feedback."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from assistant.api.deps import ContainerDep, require_role
from assistant.bootstrap import Container
from assistant.claim import Claim
from assistant.errors import MissingInformationError, UnknownDecisionError
from assistant.preferences import Preferences
from dispatch_core.errors import NoCandidatesError

router = APIRouter(tags=["dispatch"], dependencies=[require_role("ops")])


class RecommendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    preferences: Preferences
    claim: Claim | None = None
    k: int = Field(3, ge=1, le=10)
    exclude: list[str] = Field(default_factory=list, max_length=500)


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shop_id: str = Field(min_length=1, max_length=64)
    outcome: Literal["accepted", "rejected"]
    reason: str | None = Field(None, max_length=200)


@router.post("/v1/recommendations")
async def recommend(body: RecommendIn, request: Request) -> dict[str, Any]:
    # Runs on the event loop, not the thread pool: a few CPU-bound milliseconds that hold the dispatch
    # lock anyway, so a thread hop per request would only add GIL hand-offs between competing threads.
    # Under the server, `assistant.api.express` answers the well-formed, authorized requests of this
    # route before FastAPI's routing; this handler answers the others and documents the route.
    return await recommendations(request.app.state.container, body)


async def recommendations(container: Container, body: RecommendIn) -> dict[str, Any]:
    """The answer of `POST /v1/recommendations`; raises the domain error of a request nothing can meet."""
    language = body.preferences.language or "en"
    result = await container.dispatch.recommend_async(
        body.preferences, body.claim, k=body.k, exclude=tuple(body.exclude), language=language
    )
    if result.decision_id is None:
        if result.situation is not None and "location" in result.situation.missing:
            raise MissingInformationError(
                "Cannot recommend without a location: give preferences.city, preferences.location "
                "(lat, lon) or claim.location."
            )
        raise NoCandidatesError(
            f"No shop meets every constraint (candidates considered: {result.unmet.get('candidates', 0)}); "
            "relax max_distance_km, dealer_preference or the exclusions."
        )
    return {"decision_id": result.decision_id, "recommendations": result.recommendations}


@router.get("/v1/decisions/{decision_id}")
def read_decision(decision_id: str, container: ContainerDep) -> dict[str, Any]:
    """A logged decision: the request, every recommendation with its factors, propensity and context,
    the strategy and version that ranked it, and its outcomes (for audits and off-policy evaluation)."""
    if len(decision_id) > 64:
        raise UnknownDecisionError("No decision with that id.")
    return asdict(container.decisions.get(decision_id))


@router.post("/v1/decisions/{decision_id}/feedback")
def feedback(decision_id: str, body: FeedbackIn, container: ContainerDep) -> dict[str, bool]:
    if len(decision_id) > 64:
        raise UnknownDecisionError("No decision with that id.")
    container.dispatch.feedback(decision_id, body.shop_id, body.outcome, body.reason)
    return {"ok": True}
