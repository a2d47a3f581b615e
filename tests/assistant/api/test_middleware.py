"""ServiceMiddleware on a tiny app: body limits, request ids, latency by route template, the access log."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from assistant.api.errors import install_error_handlers
from assistant.api.middleware import ServiceMiddleware, install_observability
from assistant.observability.logs import configure_logging
from assistant.observability.metrics import ServiceMetrics
from assistant.settings import Settings

LIMIT = 1024


@pytest.fixture
def metrics() -> ServiceMetrics:
    return ServiceMetrics()


@pytest.fixture
def calls() -> list[str]:
    return []


@pytest.fixture
def client(metrics: ServiceMetrics, calls: list[str]) -> Iterator[TestClient]:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/v1/items/{item_id}")
    def item(item_id: str) -> dict[str, str]:
        return {"item_id": item_id}

    @app.post("/v1/sessions/{session_id}/messages")
    def message(session_id: str, payload: dict[str, object]) -> dict[str, int]:
        calls.append(session_id)
        return {"keys": len(payload)}

    @app.post("/v1/raw")
    async def raw(request: Request) -> dict[str, int]:
        calls.append("raw")
        return {"bytes": sum([len(chunk) async for chunk in request.stream()])}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaput")

    @app.get("/v1/noisy")
    def noisy() -> dict[str, bool]:
        logging.getLogger("rih.test").warning("inside the route, customer 13812345678")
        return {"ok": True}

    install_observability(app, Settings(max_body_bytes=LIMIT), metrics)
    with TestClient(app, raise_server_exceptions=False) as test_client:  # `with`: lifespan passes through too
        yield test_client


@pytest.fixture
def access_log() -> Iterator[io.StringIO]:
    root, rih = logging.getLogger(), logging.getLogger("rih")
    saved = (list(root.handlers), root.level, rih.level)
    out = io.StringIO()
    configure_logging("INFO", out)
    yield out
    for handler in [h for h in root.handlers if h not in saved[0]]:
        root.removeHandler(handler)
    root.setLevel(saved[1])
    rih.setLevel(saved[2])


def latency_counts(metrics: ServiceMetrics) -> dict[tuple[str, str, str], float]:
    body, _ = metrics.render()
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"]): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
        if s.name == "http_request_duration_seconds_count"
    }


def chunks(n: int, size: int = 300) -> Iterator[bytes]:
    for _ in range(n):
        yield b"x" * size


def test_it_is_a_pure_asgi_middleware(client: TestClient) -> None:
    assert [m.cls for m in client.app.user_middleware] == [ServiceMiddleware]  # type: ignore[attr-defined]


def test_latency_is_recorded_under_the_route_template_not_the_raw_path(
    client: TestClient, metrics: ServiceMetrics
) -> None:
    client.get("/v1/items/abc123")
    client.get("/v1/items/13812345678")
    assert latency_counts(metrics)[("GET", "/v1/items/{item_id}", "200")] == 2
    exposition = metrics.render()[0].decode()
    assert "abc123" not in exposition and "13812345678" not in exposition


def test_unmatched_paths_share_one_label(client: TestClient, metrics: ServiceMetrics) -> None:
    for path in ("/nope", "/nope/13812345678", "/wp-admin.php"):
        assert client.get(path).status_code == 404
    assert latency_counts(metrics)[("GET", "unmatched", "404")] == 3


def test_an_error_in_a_route_is_counted_as_a_500(client: TestClient, metrics: ServiceMetrics) -> None:
    response = client.get("/boom")
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
    assert latency_counts(metrics)[("GET", "/boom", "500")] == 1


def test_in_flight_returns_to_zero(client: TestClient, metrics: ServiceMetrics) -> None:
    client.get("/v1/items/a")
    client.get("/boom")
    assert metrics.in_flight._value.get() == 0


def test_a_body_under_the_limit_reaches_the_route(client: TestClient, calls: list[str]) -> None:
    response = client.post("/v1/sessions/s1/messages", json={"text": "x" * 500})
    assert response.status_code == 200 and calls == ["s1"]


def test_a_declared_oversize_body_is_refused_before_it_is_read(
    client: TestClient, calls: list[str], metrics: ServiceMetrics
) -> None:
    response = client.post("/v1/sessions/s1/messages", content=b"{}" + b" " * LIMIT)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"
    assert str(LIMIT) in response.json()["error"]["message"]
    assert calls == [] and response.headers["x-request-id"]
    assert latency_counts(metrics)[("POST", "unmatched", "413")] == 1


@pytest.mark.parametrize("path", ["/v1/sessions/s1/messages", "/v1/raw"])
def test_a_streamed_body_that_grows_past_the_limit_ends_in_a_clean_413(
    client: TestClient, metrics: ServiceMetrics, path: str
) -> None:
    response = client.post(path, content=chunks(10), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {
        "error": {
            "code": "payload_too_large",
            "message": f"The request body is larger than the limit of {LIMIT} bytes.",
        }
    }
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-request-id"]
    assert latency_counts(metrics)[("POST", path.replace("s1", "{session_id}"), "413")] == 1


def test_a_streamed_body_within_the_limit_is_read_whole(client: TestClient) -> None:
    response = client.post("/v1/raw", content=chunks(3))
    assert response.status_code == 200 and response.json() == {"bytes": 900}


def test_a_body_lying_about_its_length_is_still_cut(client: TestClient) -> None:
    def lying() -> Iterator[bytes]:
        yield from chunks(10)

    response = client.post("/v1/raw", content=lying(), headers={"content-length": "10"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", " 12", "12.0", "0x10", "9" * 30])
def test_an_unusable_content_length_is_a_400_error_object(client: TestClient, value: str) -> None:
    response = client.get("/v1/items/a", headers={"content-length": value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_content_length"


def test_conflicting_content_lengths_are_a_400(client: TestClient) -> None:
    response = client.get("/v1/items/a", headers=[("content-length", "0"), ("content-length", "5")])
    assert response.status_code == 400


def test_a_request_id_is_generated_and_returned(client: TestClient) -> None:
    first, second = client.get("/v1/items/a"), client.get("/nope")
    ids = first.headers["x-request-id"], second.headers["x-request-id"]
    assert all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids) and ids[0] != ids[1]


@pytest.mark.parametrize("incoming", ["abc-123", "gw.7f3a_9", "550e8400-e29b-41d4-a716-446655440000"])
def test_a_sane_incoming_request_id_is_honoured(client: TestClient, incoming: str) -> None:
    assert client.get("/v1/items/a", headers={"x-request-id": incoming}).headers["x-request-id"] == incoming


@pytest.mark.parametrize(
    "incoming", ["a" * 65, "has space", "<script>", "13812345678", "key=abc", "京A12345"]
)
def test_an_odd_incoming_request_id_is_replaced(client: TestClient, incoming: str) -> None:
    headers = {b"x-request-id": incoming.encode()}
    returned = client.get("/v1/items/a", headers=headers).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", returned)


def test_metrics_route_serves_the_exposition_and_stays_out_of_the_schema(client: TestClient) -> None:
    client.get("/v1/items/a")
    response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    names = {f.name for f in text_string_to_metric_families(response.text)}
    assert "http_request_duration_seconds" in names
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]


def test_one_access_line_per_request_without_query_headers_or_body(
    client: TestClient, access_log: io.StringIO
) -> None:
    client.post(
        "/v1/sessions/13812345678/messages?phone=13912345678&api_key=abc123",
        json={"plate": "京A12345"},
        headers={"authorization": "Bearer s3cr3t-token-value", "x-request-id": "trace-1"},
    )
    client.get("/nope?email=a@b.cn")
    lines = [json.loads(line) for line in access_log.getvalue().splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [("rih.access", "request")] * 2
    first = lines[0]
    assert first["method"] == "POST" and first["route"] == "/v1/sessions/{session_id}/messages"
    assert first["status"] == 200 and first["request_id"] == "trace-1"
    assert isinstance(first["duration_ms"], float) and first["duration_ms"] >= 0
    assert lines[1]["route"] == "unmatched" and lines[1]["status"] == 404
    text = access_log.getvalue()
    for leaked in ("1381234", "1391234", "api_key", "abc123", "京A", "s3cr3t", "Bearer", "a@b.cn", "phone"):
        assert leaked not in text


def test_an_exact_path_can_have_a_limit_of_its_own(metrics: ServiceMetrics) -> None:
    app = FastAPI()

    @app.post("/v1/batch")
    async def batch(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.post("/v1/other")
    async def other(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    install_observability(app, Settings(max_body_bytes=LIMIT), metrics, body_limits={"/v1/batch": 8 * LIMIT})
    client = TestClient(app)
    body = b"x" * (4 * LIMIT)
    assert client.post("/v1/batch", content=body).json() == {"bytes": 4 * LIMIT}
    assert client.post("/v1/batch", content=chunks(4, LIMIT)).json() == {"bytes": 4 * LIMIT}
    assert client.post("/v1/other", content=body).status_code == 413
    too_big = client.post("/v1/batch", content=chunks(9, LIMIT))
    assert too_big.status_code == 413 and str(8 * LIMIT) in too_big.json()["error"]["message"]


def test_logs_written_inside_a_route_carry_the_request_id(
    client: TestClient, access_log: io.StringIO
) -> None:
    response = client.get("/v1/noisy")
    inside, access = [json.loads(line) for line in access_log.getvalue().splitlines()]
    assert inside["message"] == "inside the route, customer [phone]"
    assert inside["request_id"] == access["request_id"] == response.headers["x-request-id"]
