"""Conversation, copilot, recommendation and feedback routes: happy paths and bad inputs."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.bootstrap import bootstrap
from assistant.settings import Settings
from tests.fakes import HashingEmbedder, InMemoryCatalogStore

AGENT, OPS = "agent-test-key", "ops-test-key"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")),
        catalog_shops=3_000,
        retrieval_mode="lexical",
        agent_key=AGENT,
        ops_key=OPS,
    )
    container = bootstrap(settings, store=InMemoryCatalogStore(), embedder=HashingEmbedder(), chat_model=None)
    return TestClient(create_app(container), raise_server_exceptions=False)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _session(client: TestClient) -> str:
    response = client.post("/v1/sessions", json={"role": "customer"})
    assert response.status_code == 201
    return str(response.json()["session_id"])


def test_a_chat_over_http_recommends_and_the_session_keeps_the_decision(client: TestClient) -> None:
    session = _session(client)
    assert len(session) >= 22  # >= 128 random bits
    body = client.post(
        f"/v1/sessions/{session}/messages", json={"text": "我的宝马在上海被追尾了，保险杠坏了"}
    ).json()
    assert len(body["recommendations"]) == 3 and body["decision_id"]
    assert body["preferences"]["city"] == "Shanghai"
    view = client.get(f"/v1/sessions/{session}").json()
    assert [d["decision_id"] for d in view["decisions"]] == [body["decision_id"]]
    assert [t["role"] for t in view["transcript"]] == ["user", "assistant"]


def test_the_copilot_needs_an_agent_key(client: TestClient) -> None:
    session = _session(client)
    client.post(f"/v1/sessions/{session}/messages", json={"text": "My Toyota windshield is cracked."})
    assert client.post("/v1/copilot/suggest", json={"session_id": session}).status_code == 401
    wrong = client.post("/v1/copilot/suggest", json={"session_id": session}, headers=_bearer("nope"))
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "forbidden"
    ok = client.post("/v1/copilot/suggest", json={"session_id": session}, headers=_bearer(AGENT))
    body = ok.json()
    assert ok.status_code == 200 and "Toyota" in body["summary"]
    assert body["next_actions"][0] == "ask for location" and "Where" in body["suggested_reply"]


def test_recommendations_and_feedback_for_integrations(client: TestClient) -> None:
    request = {"preferences": {"city": "Shenzhen", "vehicle": {"make": "BYD"}}, "k": 2}
    assert client.post("/v1/recommendations", json=request).status_code == 401
    body = client.post("/v1/recommendations", json=request, headers=_bearer(OPS)).json()
    assert len(body["recommendations"]) == 2
    shop = body["recommendations"][0]["shop_id"]
    fed = client.post(
        f"/v1/decisions/{body['decision_id']}/feedback",
        json={"shop_id": shop, "outcome": "accepted"},
        headers=_bearer(OPS),
    )
    assert fed.json() == {"ok": True}


@pytest.mark.parametrize(
    ("method", "path", "payload", "status", "code"),
    [
        ("post", "/v1/sessions/NOSUCHSESSION/messages", {"text": "hi"}, 404, "unknown_session"),
        ("get", "/v1/sessions/NOSUCHSESSION", None, 404, "unknown_session"),
        ("post", "/v1/sessions", {"role": "robot"}, 422, "invalid_request"),
        ("post", "/v1/sessions", {"claim": {"location": {"lat": 200, "lon": 0}}}, 422, "invalid_request"),
        ("post", "/v1/extract", {"text": 5}, 422, "invalid_request"),
        (
            "post",
            "/v1/decisions/nope/feedback",
            {"shop_id": "S1", "outcome": "accepted"},
            404,
            "unknown_decision",
        ),
        ("post", "/v1/decisions/x/feedback", {"shop_id": "S1", "outcome": "maybe"}, 422, "invalid_request"),
        ("post", "/v1/recommendations", {"preferences": {}}, 422, "missing_information"),
    ],
)
def test_bad_inputs_get_an_error_object(
    client: TestClient, method: str, path: str, payload: object, status: int, code: str
) -> None:
    response = (
        getattr(client, method)(path, json=payload, headers=_bearer(OPS))
        if payload is not None
        else (client.get(path))
    )
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_malformed_json_and_oversized_messages_are_refused(client: TestClient) -> None:
    session = _session(client)
    broken = client.post(
        f"/v1/sessions/{session}/messages", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422 and "error" in broken.json()
    long = client.post(f"/v1/sessions/{session}/messages", json={"text": "x" * 5000})
    assert long.status_code == 422 and long.json()["error"]["code"] == "invalid_request"
