from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.errors import install_error_handlers
from assistant.api.extract_route import MAX_TEXT_CHARS, router
from assistant.extraction import LocalExtractor
from assistant.preferences import Preferences


class RecordingExtractor:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Preferences | None]] = []

    def extract(self, text: str, prior: Preferences | None = None) -> Preferences:
        self.calls.append((text, prior))
        return LocalExtractor().extract(text, prior)


@pytest.fixture()
def extractor() -> RecordingExtractor:
    return RecordingExtractor()


@pytest.fixture()
def client(extractor: RecordingExtractor) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    app.state.extractor = extractor
    return TestClient(app, raise_server_exceptions=False)


def test_extract_returns_the_preferences(client: TestClient) -> None:
    response = client.post("/v1/extract", json={"text": "我在深圳，宝马X5被追尾了，需要代步车"})
    assert response.status_code == 200
    prefs = response.json()["preferences"]
    assert prefs["city"] == "Shenzhen" and prefs["vehicle"]["make"] == "BMW" and prefs["needs_courtesy_car"]


def test_the_prior_is_merged(client: TestClient, extractor: RecordingExtractor) -> None:
    body = {"text": "not Shanghai, Suzhou", "prior": {"city": "Shanghai", "dealer_preference": "authorized"}}
    prefs = client.post("/v1/extract", json=body).json()["preferences"]
    assert prefs["city"] == "Suzhou" and prefs["dealer_preference"] == "authorized"
    assert isinstance(extractor.calls[0][1], Preferences)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "x" * (MAX_TEXT_CHARS + 1)}, "text"),
        ({"text": "   "}, "text"),
        ({}, "text"),
        ({"text": 42}, "text"),
        ({"text": "hi", "prior": {"max_distance_km": -2}}, "prior.max_distance_km"),
        ({"text": "hi", "extra": 1}, "extra"),
    ],
)
def test_bad_requests_get_a_422_error_object(client: TestClient, body: dict, field: str) -> None:  # type: ignore[type-arg]
    response = client.post("/v1/extract", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and field in error["message"]


def test_without_a_configured_extractor_the_route_builds_the_default_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("RIH_LLM_BASE_URL", raising=False)
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    client = TestClient(app)
    assert (
        client.post("/v1/extract", json={"text": "I'm in Beijing"}).json()["preferences"]["city"] == "Beijing"
    )
    first = app.state.extractor
    client.post("/v1/extract", json={"text": "hi"})
    assert app.state.extractor is first and isinstance(first, LocalExtractor)
