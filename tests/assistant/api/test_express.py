"""The express lane of POST /v1/recommendations answers exactly as the FastAPI route would, or leaves the
request to it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.api import express
from assistant.api.app import create_app
from assistant.bootstrap import Container, bootstrap
from assistant.dispatch_service import DispatchResult
from assistant.settings import Settings
from tests.fakes import HashingEmbedder

OPS = "ops-express-key"
BODY = {"preferences": {"city": "Shanghai", "vehicle": {"make": "BMW"}, "damage": {"types": ["paint"]}}}
FIXED = DispatchResult(
    "d-fixed",
    [{"shop_id": "S000001", "name": "上海 A", "rank": 1, "distance_km": 1.25, "score": 0.1 + 0.2}],
)


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")),
        catalog_shops=1_500,
        retrieval_mode="lexical",
        ops_key=SecretStr(OPS),
        agent_key=SecretStr("agent-express-key"),
    )
    # The catalog from its SQLite file (built on first use): decisions are then explained and written by the
    # writer process, as in `rih serve`.
    return bootstrap(settings, embedder=HashingEmbedder())


@pytest.fixture(scope="module")
def client(container: Container) -> Iterator[TestClient]:
    with TestClient(create_app(container), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def lane_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many requests the lane answered itself (it calls `recommendations` from its own module)."""
    calls: list[int] = []
    original = express.recommendations

    async def counted(container: Container, body: Any) -> dict[str, Any]:
        calls.append(1)
        return await original(container, body)

    monkeypatch.setattr(express, "recommendations", counted)
    return calls


def headers(key: str = OPS, content_type: str = "application/json") -> dict[str, str]:
    return {"Authorization": f"Bearer {key}", "Content-Type": content_type}


def test_a_well_formed_request_is_answered_by_the_lane(client: TestClient, lane_calls: list[int]) -> None:
    response = client.post("/v1/recommendations", json=BODY, headers=headers())
    assert response.status_code == 200, response.text
    body = response.json()
    assert lane_calls == [1]
    assert body["decision_id"] and 1 <= len(body["recommendations"]) <= 3
    assert {"shop_id", "explanation", "factors", "score"} <= set(body["recommendations"][0])
    assert response.headers["content-type"] == "application/json" and response.headers["x-request-id"]
    logged = client.get(f"/v1/decisions/{body['decision_id']}", headers=headers()).json()
    assert [r["shop_id"] for r in logged["recommendations"]] == [
        r["shop_id"] for r in body["recommendations"]
    ]


def test_the_lane_and_the_route_give_the_same_bytes(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch, lane_calls: list[int]
) -> None:
    async def fixed(*_: Any, **__: Any) -> DispatchResult:
        return FIXED

    monkeypatch.setattr(container.dispatch, "recommend_async", fixed)
    by_lane = client.post("/v1/recommendations", json=BODY, headers=headers())
    # A charset parameter is a content type the lane leaves to the app.
    by_route = client.post(
        "/v1/recommendations", json=BODY, headers=headers(content_type="application/json; charset=utf-8")
    )
    assert lane_calls == [1]
    assert by_lane.status_code == by_route.status_code == 200
    assert by_lane.content == by_route.content
    assert by_lane.headers["content-type"] == by_route.headers["content-type"]
    assert by_lane.headers["content-length"] == by_route.headers["content-length"]


@pytest.mark.parametrize(
    ("request_headers", "body", "status", "code"),
    [
        ({"Content-Type": "application/json"}, BODY, 401, "unauthorized"),
        (headers("wrong-key"), BODY, 403, "forbidden"),
        ({**headers(), "Authorization": "Bearer clé".encode("latin-1")}, BODY, 403, "forbidden"),
        (headers(), {"preferences": {"city": "Shanghai"}, "k": 0}, 422, "invalid_request"),
        (headers(), {"preferences": {"city": "Shanghai"}, "surprise": 1}, 422, "invalid_request"),
        (headers(content_type="text/plain"), BODY, 422, "invalid_request"),
    ],
)
def test_requests_off_the_happy_path_get_the_apps_own_answer(
    client: TestClient,
    lane_calls: list[int],
    request_headers: dict[str, Any],
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    import json

    response = client.post("/v1/recommendations", content=json.dumps(body).encode(), headers=request_headers)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert lane_calls == []


def test_malformed_json_is_left_to_the_app(client: TestClient, lane_calls: list[int]) -> None:
    response = client.post("/v1/recommendations", content=b'{"preferences": ', headers=headers())
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert lane_calls == []


def test_domain_errors_get_the_body_every_route_gives_them(client: TestClient, lane_calls: list[int]) -> None:
    nowhere = client.post("/v1/recommendations", json={"preferences": {}}, headers=headers())
    assert nowhere.status_code == 422 and nowhere.json()["error"]["code"] == "missing_information"
    impossible = {
        "preferences": {"city": "Shanghai", "max_distance_km": 0.001, "dealer_preference": "authorized"}
    }
    none_left = client.post("/v1/recommendations", json=impossible, headers=headers())
    assert none_left.status_code == 422 and none_left.json()["error"]["code"] == "no_candidates"
    assert lane_calls == [1, 1]


def test_an_unexpected_error_is_a_500_error_object_without_a_trace(
    client: TestClient, container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_: Any, **__: Any) -> DispatchResult:
        raise RuntimeError("boom at /secret/path")

    monkeypatch.setattr(container.dispatch, "recommend_async", broken)
    response = client.post("/v1/recommendations", json=BODY, headers=headers())
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "An unexpected error occurred."}
    }


def test_an_oversize_body_is_still_a_413(client: TestClient, container: Container) -> None:
    big = b'{"preferences": {"city": "' + b"x" * (container.settings.max_body_bytes + 10) + b'"}}'
    response = client.post(
        "/v1/recommendations", content=big, headers={**headers(), "Transfer-Encoding": "chunked"}
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_lane_answers_are_counted_under_the_route(client: TestClient) -> None:
    client.post("/v1/recommendations", json=BODY, headers=headers())
    metrics = client.get("/metrics").text
    assert 'route="/v1/recommendations"' in metrics


def test_a_client_gone_before_its_body_gets_no_answer(container: Container) -> None:
    sent: list[dict[str, Any]] = []
    reached_app: list[bool] = []

    async def app(*_: Any) -> None:
        reached_app.append(True)

    lane = express.RecommendExpress(app, container, route=None)
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/v1/recommendations",
        "headers": [(b"authorization", f"Bearer {OPS}".encode()), (b"content-type", b"application/json")],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(lane(scope, receive, send))
    assert sent == [] and reached_app == []


def test_the_writer_process_explains_the_decisions(container: Container, client: TestClient) -> None:
    from assistant.store.loop_commit import LoopCommitter

    assert isinstance(container.decision_writer, LoopCommitter)
    answer = client.post("/v1/recommendations", json=BODY, headers=headers()).json()
    stored = container.decisions.get(answer["decision_id"])
    assert [
        {k: v for k, v in r.items() if k not in ("propensity", "context")} for r in stored.recommendations
    ] == (answer["recommendations"])
