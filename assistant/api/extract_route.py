"""`POST /v1/extract`: the preferences in a customer message, merged into the prior ones (no key needed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.extraction import PreferenceExtractor, make_extractor
from assistant.preferences import Preferences
from assistant.settings import Settings

MAX_TEXT_CHARS = 2_000  # a chat message, not a document


class ExtractRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=MAX_TEXT_CHARS, description="The customer's message, English or Chinese.")
    prior: Preferences | None = Field(None, description="Preferences so far; the message's statements win.")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text must not be empty")
        return text


class ExtractResponse(BaseModel):
    preferences: Preferences


def get_extractor(request: Request) -> PreferenceExtractor:
    """`app.state.extractor` when set (tests, bootstrap), else one built once from the app's settings."""
    state = request.app.state
    extractor: PreferenceExtractor | None = getattr(state, "extractor", None)
    if extractor is None:
        container = getattr(state, "container", None)
        settings = getattr(container, "settings", None) or Settings.model_validate({})
        extractor = make_extractor(settings, getattr(container, "chat_model", None))
        state.extractor = extractor
    return extractor


ExtractorDep = Annotated[PreferenceExtractor, Depends(get_extractor)]
router = APIRouter(tags=["extraction"])


@router.post("/v1/extract", response_model=ExtractResponse)
def extract(body: ExtractRequest, extractor: ExtractorDep) -> ExtractResponse:
    """Preferences in `text` (location, vehicle, damage, dealer, distance, deadline, priorities ...)."""
    return ExtractResponse(preferences=extractor.extract(body.text, body.prior))
