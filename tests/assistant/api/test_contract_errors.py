"""Every contract route (API.md) answers bad input with a 4xx and the error object, never a 500.

One table of routes drives the checks: malformed JSON, wrong types, unknown ids, oversize bodies, missing
or wrong keys; a property test throws arbitrary JSON at every body-taking route.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.api.app import create_app
from assistant.bootstrap import bootstrap
from assistant.settings import Settings
from assistant.store import InMemoryStore
from tests.fakes import HashingEmbedder, InMemoryCatalogStore

AGENT, OPS = "agent-contract-key", "ops-contract-key"
FEEDBACK = {"shop_id": "S1", "outcome": "accepted"}
MAX_BODY = 16 * 1024


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    s = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")),
        catalog_shops=3_000,
        retrieval_mode="lexical",
        agent_key=AGENT,
        ops_key=OPS,
        max_body_bytes=MAX_BODY,
    )
    container = bootstrap(
        s,
        store=InMemoryCatalogStore(),
        embedder=HashingEmbedder(),
        chat_model=None,
        persistence=InMemoryStore(),
    )
    return TestClient(create_app(container), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def session_id(client: TestClient) -> str:
    sid = client.post("/v1/sessions", json={"role": "customer"}).json()["session_id"]
    client.post(f"/v1/sessions/{sid}/messages", json={"text": "My Toyota bumper is cracked, I'm in Beijing"})
    return str(sid)


@pytest.fixture(scope="module")
def decision(client: TestClient) -> dict[str, object]:
    body = {"preferences": {"city": "Beijing", "vehicle": {"make": "Toyota"}}}
    answer = client.post("/v1/recommendations", json=body, headers=_key(OPS))
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _key(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def _error(response: object, status: int | tuple[int, ...]) -> dict[str, str]:
    code = response.status_code  # type: ignore[attr-defined]
    assert code in ((status,) if isinstance(status, int) else status), (code, response.text)  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert "Traceback" not in body["error"]["message"]
    return dict(body["error"])


# (method, path, role or None, a valid body or None). "{sid}" / "{did}" are filled in per test.
ROUTES = [
    ("POST", "/v1/extract", None, {"text": "My BMW in Shanghai"}),
    ("POST", "/v1/sessions", None, {"role": "customer"}),
    ("POST", "/v1/sessions/{sid}/messages", None, {"text": "hello"}),
    ("POST", "/v1/recommendations", "ops", {"preferences": {"city": "Beijing"}}),
    ("POST", "/v1/decisions/{did}/feedback", "ops", {"shop_id": "S1", "outcome": "accepted"}),
    ("POST", "/v1/capacity/events", "ops", {"events": [{"shop_id": "S1", "ts": "2026-11-21T08:00:00Z"}]}),
    ("POST", "/v1/copilot/suggest", "agent", {"session_id": "{sid}"}),
]
BODY_ROUTES = ROUTES
KEYED_ROUTES = [
    *[(m, path, role) for m, path, role, _ in ROUTES if role],
    ("GET", "/v1/agent/queue", "agent"),
    ("GET", "/v1/ops/summary", "ops"),
    ("GET", "/v1/decisions/{did}", "ops"),
]


@pytest.fixture(scope="module")
def fill(session_id: str, decision: dict[str, object]) -> Callable[[str], str]:
    """A route path with its "{sid}" / "{did}" placeholders filled with a live session and decision."""
    did = str(decision["decision_id"])
    return lambda path: path.replace("{sid}", session_id).replace("{did}", did)


def _headers(role: str | None) -> dict[str, str]:
    return _key({"ops": OPS, "agent": AGENT}[role]) if role else {}


def test_health(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(("method", "path", "role", "body"), BODY_ROUTES)
def test_malformed_json_is_a_422_error_object(
    client: TestClient,
    fill: Callable[[str], str],
    method: str,
    path: str,
    role: str | None,
    body: object,
) -> None:
    url = fill(path)
    headers = {**_headers(role), "Content-Type": "application/json"}
    error = _error(client.request(method, url, content=b'{"text": "unterminated', headers=headers), 422)
    assert error["code"] == "invalid_request" and "JSON" in error["message"]


@pytest.mark.parametrize(("method", "path", "role", "body"), BODY_ROUTES)
def test_wrong_types_are_422_naming_the_field(
    client: TestClient,
    fill: Callable[[str], str],
    method: str,
    path: str,
    role: str | None,
    body: object,
) -> None:
    url = fill(path)
    field = next(iter(body))  # type: ignore[call-overload]
    wrong = {field: {"unexpected": [1, 2]}} if not isinstance(body[field], dict) else {field: 12}  # type: ignore[index]
    error = _error(client.request(method, url, json=wrong, headers=_headers(role)), 422)
    assert field in error["message"]


@pytest.mark.parametrize(("method", "path", "role", "body"), BODY_ROUTES)
def test_oversize_bodies_are_413(
    client: TestClient,
    fill: Callable[[str], str],
    method: str,
    path: str,
    role: str | None,
    body: object,
) -> None:
    url = fill(path)
    huge = json.dumps({"text": "x" * (4 * 1024 * 1024)}).encode()  # past every route's limit
    headers = {**_headers(role), "Content-Type": "application/json"}
    assert (
        _error(client.request(method, url, content=huge, headers=headers), 413)["code"] == "payload_too_large"
    )


@pytest.mark.parametrize(("method", "path", "role"), KEYED_ROUTES)
def test_keyed_routes_need_the_right_key(
    client: TestClient, fill: Callable[[str], str], method: str, path: str, role: str
) -> None:
    url = fill(path)
    assert _error(client.request(method, url, json={}), 401)["code"] == "unauthorized"
    wrong = client.request(method, url, json={}, headers=_key("not-a-key"))
    assert _error(wrong, 403)["code"] == "forbidden"
    basic = client.request(method, url, json={}, headers={"Authorization": f"Basic {OPS}"})
    assert _error(basic, 401)["code"] == "unauthorized"
    if role == "ops":  # an agent key does not open operations routes
        assert _error(client.request(method, url, json={}, headers=_key(AGENT)), 403)["code"] == "forbidden"


@pytest.mark.parametrize(
    ("method", "path", "role", "body", "status", "code"),
    [
        ("POST", "/v1/sessions/nope-nope-nope/messages", None, {"text": "hi"}, 404, "unknown_session"),
        ("GET", "/v1/sessions/nope-nope-nope", None, None, 404, "unknown_session"),
        ("GET", "/v1/sessions/x", None, None, 404, "unknown_session"),
        ("GET", "/v1/shops/NO-SUCH-SHOP", None, None, 404, "unknown_shop"),
        ("POST", "/v1/decisions/0123456789abcdef/feedback", "ops", FEEDBACK, 404, "unknown_decision"),
        ("GET", "/v1/decisions/0123456789abcdef", "ops", None, 404, "unknown_decision"),
        ("POST", "/v1/copilot/suggest", "agent", {"session_id": "nope-nope-nope"}, 404, "unknown_session"),
        ("GET", "/v1/no-such-route", None, None, 404, "not_found"),
        ("DELETE", "/v1/sessions", None, None, 405, "method_not_allowed"),
    ],
)  # fmt: skip
def test_unknown_ids_are_404(
    client: TestClient, method: str, path: str, role: str | None, body: object, status: int, code: str
) -> None:
    assert _error(client.request(method, path, json=body, headers=_headers(role)), status)["code"] == code


def test_feedback_for_a_shop_the_decision_did_not_show_is_422(
    client: TestClient, decision: dict[str, object]
) -> None:
    url = f"/v1/decisions/{decision['decision_id']}/feedback"
    wrong_shop = client.post(url, json={"shop_id": "S-not-shown", "outcome": "accepted"}, headers=_key(OPS))
    assert _error(wrong_shop, 422)["code"] == "invalid_feedback"
    bad_outcome = client.post(url, json={"shop_id": "S1", "outcome": "maybe"}, headers=_key(OPS))
    assert "outcome" in _error(bad_outcome, 422)["message"]


def test_recommendations_validate_k_and_explain_a_missing_location(client: TestClient) -> None:
    for body in ({"preferences": {"city": "Beijing"}, "k": 0}, {"preferences": {}, "k": "three"}):
        assert "k" in _error(client.post("/v1/recommendations", json=body, headers=_key(OPS)), 422)["message"]
    nowhere = client.post("/v1/recommendations", json={"preferences": {}}, headers=_key(OPS))
    assert _error(nowhere, 422)["code"] == "missing_information"


def test_the_happy_paths_of_every_route(
    client: TestClient, session_id: str, decision: dict[str, object]
) -> None:
    recs = decision["recommendations"]
    assert isinstance(recs, list) and recs
    shop_id = recs[0]["shop_id"]
    assert (
        client.post("/v1/extract", json={"text": "BMW in Shanghai"}).json()["preferences"]["city"]
        == "Shanghai"
    )
    view = client.get(f"/v1/sessions/{session_id}").json()
    assert view["transcript"] and view["decisions"]
    ok = client.post(
        f"/v1/decisions/{decision['decision_id']}/feedback",
        json={"shop_id": shop_id, "outcome": "accepted"},
        headers=_key(OPS),
    )
    assert ok.json() == {"ok": True}
    shop = client.get(f"/v1/shops/{shop_id}").json()
    assert shop["shop_id"] == shop_id and "free_bays" in shop["capacity"]
    suggestion = client.post(
        "/v1/copilot/suggest", json={"session_id": session_id}, headers=_key(AGENT)
    ).json()
    assert {"summary", "suggested_reply", "next_actions", "recommendations"} <= set(suggestion)
    queue = client.get("/v1/agent/queue", headers=_key(AGENT)).json()["sessions"]
    assert session_id in {s["session_id"] for s in queue}
    summary = client.get("/v1/ops/summary", headers=_key(OPS)).json()
    assert summary["totals"]["decisions"] >= 2 and summary["totals"]["acceptance_rate"] is not None
    metrics = client.get("/metrics")
    assert metrics.status_code == 200 and "http_request_duration_seconds" in metrics.text
    assert "/openapi.json" in client.get("/docs").text


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize(("method", "path", "role", "body"), BODY_ROUTES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=JSON)
def test_arbitrary_json_never_causes_a_500(
    client: TestClient,
    fill: Callable[[str], str],
    method: str,
    path: str,
    role: str | None,
    body: object,
    payload: object,
) -> None:
    url = fill(path)
    response = client.request(method, url, json=payload, headers=_headers(role))
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        _error(response, response.status_code)
