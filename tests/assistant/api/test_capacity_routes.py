"""POST /v1/capacity/events: 202 and the live state moves; every bad input is a 4xx error object."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.capacity_routes import router
from assistant.api.errors import install_error_handlers
from assistant.capacity_feed import CapacityFeed
from assistant.settings import Settings
from tests.assistant.test_capacity_feed import T0, Clock, MemoryCapacityStore, iso, make_state

AGENT, OPS = "agent-test-key", "ops-test-key"
URL = "/v1/capacity/events"
GOOD = {"shop_id": "S1", "ts": "2026-09-21T14:00:00Z", "free_bays": 0}


@pytest.fixture
def feed() -> CapacityFeed:
    return CapacityFeed(make_state(), MemoryCapacityStore(), clock=Clock(T0 + 7200))


@pytest.fixture
def client(feed: CapacityFeed, tmp_path: Path) -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    settings = Settings(data_dir=tmp_path, agent_key=AGENT, ops_key=OPS)
    app.state.container = SimpleNamespace(settings=settings, capacity_feed=feed)
    return TestClient(app, raise_server_exceptions=False)


def _ops() -> dict[str, str]:
    return {"Authorization": f"Bearer {OPS}"}


def test_a_batch_is_accepted_and_changes_the_live_state(client: TestClient, feed: CapacityFeed) -> None:
    events = [
        GOOD,
        {"shop_id": "S2", "ts": iso(T0), "status": "closed", "parts_in_stock": {"BMW": 3, "Lada": 1}},
        {"shop_id": "NOPE", "ts": iso(T0), "free_bays": 2},
    ]
    response = client.post(URL, json={"events": events}, headers=_ops())
    assert response.status_code == 202, response.text
    assert response.json() == {
        "accepted": 2,
        "applied": 2,
        "stale_ignored": 0,
        "unknown_shop": 1,
        "invalid": 0,
    }
    state = feed.state
    assert state.free_bays_[1] == 0 and not state.is_open_[2] and state.parts_[2, state.make_col["BMW"]] == 3
    stored = feed.store.events  # type: ignore[attr-defined]
    assert len(stored) == 3 and "technicians_on_duty" not in stored[0]  # absent fields stay absent


def test_older_news_is_accepted_but_changes_nothing(client: TestClient, feed: CapacityFeed) -> None:
    client.post(URL, json={"events": [GOOD]}, headers=_ops())
    older = {"shop_id": "S1", "ts": "2026-09-21T13:00:00", "free_bays": 3}  # naive: UTC
    body = client.post(URL, json={"events": [older]}, headers=_ops()).json()
    assert body["accepted"] == 1 and body["stale_ignored"] == 1 and feed.state.free_bays_[1] == 0


def test_a_report_from_the_future_is_counted_invalid(client: TestClient) -> None:
    future = {"shop_id": "S1", "ts": iso(T0 + 7200 + 86_400), "free_bays": 1}
    body = client.post(URL, json={"events": [future]}, headers=_ops()).json()
    assert body["accepted"] == 0 and body["invalid"] == 1


def test_the_largest_batch_is_accepted(client: TestClient) -> None:
    events = [{"shop_id": f"S{i % 10}", "ts": iso(T0 + i), "free_bays": i % 3} for i in range(5_000)]
    response = client.post(URL, json={"events": events}, headers=_ops())
    assert response.status_code == 202 and response.json()["accepted"] == 5_000


def _event(**change: Any) -> dict[str, Any]:
    return {"events": [{**GOOD, **change}]}


BAD_BODIES: list[tuple[str, Any]] = [
    ("empty list", {"events": []}),
    ("missing events", {}),
    ("events not a list", {"events": GOOD}),
    ("body a list", [GOOD]),
    ("extra top-level field", {"events": [GOOD], "source": "x"}),
    ("unknown event field", _event(colour="red")),
    ("missing ts", {"events": [{"shop_id": "S1"}]}),
    ("missing shop_id", {"events": [{"ts": GOOD["ts"]}]}),
    ("bad ts", _event(ts="yesterday")),
    ("ts a number", _event(ts=1_790_000_000)),
    ("empty shop_id", _event(shop_id="")),
    ("long shop_id", _event(shop_id="S" * 65)),
    ("shop_id with a NUL", _event(shop_id="S\u00001")),
    ("shop_id a number", _event(shop_id=1)),
    ("negative free_bays", _event(free_bays=-1)),
    ("huge free_bays", _event(free_bays=10_001)),
    ("free_bays text", _event(free_bays="3")),
    ("free_bays fractional", _event(free_bays=2.5)),
    ("free_bays bool", _event(free_bays=True)),
    ("negative technicians", _event(technicians_on_duty=-2)),
    ("bad status", _event(status="maybe")),
    ("parts a list", _event(parts_in_stock=["BMW"])),
    ("negative parts", _event(parts_in_stock={"BMW": -1})),
    ("too many makes", _event(parts_in_stock={f"M{i}": 1 for i in range(201)})),
    ("too many events", {"events": [GOOD] * 5_001}),
]


@pytest.mark.parametrize(("case", "body"), BAD_BODIES, ids=[case for case, _ in BAD_BODIES])
def test_a_bad_body_is_refused_whole_and_nothing_is_stored(
    client: TestClient, feed: CapacityFeed, case: str, body: Any
) -> None:
    response = client.post(URL, json=body, headers=_ops())
    assert response.status_code == 422, (case, response.text)
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"]
    assert feed.store.events == []  # type: ignore[attr-defined]


def test_malformed_json_is_refused(client: TestClient) -> None:
    headers = {**_ops(), "content-type": "application/json"}
    response = client.post(URL, content=b'{"events": [', headers=headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "unauthorized"),
        ({"Authorization": "Bearer wrong-key"}, 403, "forbidden"),
        ({"Authorization": f"Bearer {AGENT}"}, 403, "forbidden"),
        ({"Authorization": OPS}, 401, "unauthorized"),  # no Bearer scheme
    ],
)
def test_only_an_ops_key_may_push_capacity(
    client: TestClient, feed: CapacityFeed, headers: dict[str, str], status: int, code: str
) -> None:
    response = client.post(URL, json={"events": [GOOD]}, headers=headers)
    assert response.status_code == status and response.json()["error"]["code"] == code
    assert feed.store.events == []  # type: ignore[attr-defined]


def test_a_store_failure_is_a_500_error_object_and_the_state_is_untouched(
    client: TestClient, feed: CapacityFeed
) -> None:
    feed.store.fail = True  # type: ignore[attr-defined]
    response = client.post(URL, json={"events": [GOOD]}, headers=_ops())
    assert response.status_code == 500 and response.json()["error"]["code"] == "internal_error"
    assert feed.state.free_bays_[1] == feed.state.bays[1]
