from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.bootstrap import bootstrap
from assistant.settings import Settings
from tests.fakes import HashingEmbedder, InMemoryCatalogStore


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")), catalog_shops=1_500, retrieval_mode="lexical"
    )
    container = bootstrap(settings, store=InMemoryCatalogStore(), embedder=HashingEmbedder())
    return TestClient(create_app(container), raise_server_exceptions=False)


def test_health_needs_no_key(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_shop_is_returned_with_its_factors(client: TestClient) -> None:
    body = client.get("/v1/shops/S000001").json()
    assert body["shop_id"] == "S000001"
    assert {"name_zh", "capabilities", "parts_stock", "rating", "monthly_target"} <= set(body)


def test_unknown_shop_is_a_404_error_object(client: TestClient) -> None:
    response = client.get("/v1/shops/NOPE")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_shop"


def test_candidates_search_by_city_in_chinese(client: TestClient) -> None:
    body = client.get("/v1/candidates", params={"city": "上海", "text": "挡风玻璃更换", "k": 5}).json()
    assert body["needs"]["capabilities"] == ["glass"]
    assert len(body["candidates"]) == 5
    distances = [c["distance_km"] for c in body["candidates"]]
    assert distances == sorted(distances)


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"city": "Atlantis", "text": "glass"}, 422, "invalid_query"),
        ({"lat": 31.2, "lon": 500, "text": "glass"}, 422, "invalid_query"),
        ({"lat": 31.2, "lon": 121.4, "text": "glass", "k": 0}, 422, "invalid_query"),
        ({"lat": "north", "lon": 121.4, "text": "glass"}, 422, "invalid_request"),
        ({"lat": 31.2, "lon": 121.4}, 422, "invalid_request"),
        ({"text": "glass"}, 422, "invalid_query"),
    ],
)
def test_bad_candidate_queries_get_4xx_error_objects(
    client: TestClient, params: dict, status: int, code: str
) -> None:
    response = client.get("/v1/candidates", params=params)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    assert "Traceback" not in response.text


def test_a_search_without_a_place_says_what_to_send(client: TestClient) -> None:
    response = client.get("/v1/candidates", params={"text": "glass", "lat": 31.2})
    assert response.status_code == 422
    assert "either `city` or both `lat` and `lon`" in response.json()["error"]["message"]


def test_unknown_route_is_an_error_object(client: TestClient) -> None:
    response = client.get("/v1/nowhere")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_a_client_mistake_logs_no_stack_trace(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("ERROR"):
        assert client.get("/v1/shops/NOPE").status_code == 404
    assert not [r for r in caplog.records if r.levelname == "ERROR"]
