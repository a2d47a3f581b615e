"""Acknowledged writes survive `kill -9` of the server: sessions, transcripts, decisions, feedback, capacity.

A real `rih serve` process on loopback, killed with SIGKILL right after its last acknowledgement and
started again on the same data (SQLite by default; PostgreSQL too when the test database is configured).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.assistant.orphans import alive

OPS, AGENT = "ops-restart-key-0123456789", "agent-restart-key-0123456789"
ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.port = env, _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        # Its output (and its helper processes') goes to a file: a pipe nobody reads would block the server
        # once its buffer is full of access-log lines.
        self.log = Path(env["RIH_DATA_DIR"]).parent / "server.log"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "assistant.cli", "serve", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise AssertionError("server did not start in 120 s")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        assert self.proc.returncode == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "postgresql"])
def server_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = _sqlite_env(tmp_path)
    if request.param == "postgresql":
        url = os.environ.get("RIH_TEST_DATABASE_URL")
        if not url:
            if os.environ.get("CI"):
                pytest.fail("CI must run the restart test on PostgreSQL: set RIH_TEST_DATABASE_URL")
            pytest.skip("RIH_TEST_DATABASE_URL not set")
        env["RIH_DATABASE_URL"] = _fresh_database(url)
    yield env


def _sqlite_env(tmp_path: Path) -> dict[str, str]:
    """The server's environment: embedded defaults (SQLite) in `tmp_path`, a small catalog, known keys."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIH_")}
    env.update(
        RIH_DATA_DIR=str(tmp_path / "data"),
        RIH_CATALOG_SHOPS="2000",
        RIH_RETRIEVAL_MODE="lexical",
        RIH_OPS_KEY=OPS,
        RIH_AGENT_KEY=AGENT,
        HF_HUB_OFFLINE="1",
    )
    return env


def _fresh_database(url: str) -> str:
    """A database of its own on the test server, so earlier runs leave nothing behind."""
    import sqlalchemy as sa

    name = f"rih_restart_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def _ops() -> dict[str, str]:
    return {"Authorization": f"Bearer {OPS}"}


def test_acknowledged_writes_survive_kill_9_and_restart(server_env: dict[str, str]) -> None:
    server = Server(server_env)
    server.start()
    try:
        with httpx.Client(base_url=server.base, timeout=30) as http:
            session = http.post("/v1/sessions", json={"role": "customer"}).json()["session_id"]
            turn = http.post(
                f"/v1/sessions/{session}/messages",
                json={"text": "My BMW X3 has a scratched rear bumper, I'm in Shanghai Pudong"},
            )
            assert turn.status_code == 200, turn.text
            chat_decision = turn.json()["decision_id"]
            assert chat_decision
            booked = http.post(f"/v1/sessions/{session}/messages", json={"text": "I'll take the first one"})
            assert booked.status_code == 200

            body = {"preferences": {"city": "Beijing", "vehicle": {"make": "Toyota"}}, "k": 3}
            api = http.post("/v1/recommendations", json=body, headers=_ops())
            assert api.status_code == 200, api.text
            api_decision, shops = api.json()["decision_id"], api.json()["recommendations"]
            feedback = http.post(
                f"/v1/decisions/{api_decision}/feedback",
                json={"shop_id": shops[0]["shop_id"], "outcome": "rejected", "reason": "too far"},
                headers=_ops(),
            )
            assert feedback.json() == {"ok": True}
            shop_id = shops[1]["shop_id"]
            now = datetime.now(UTC).isoformat()
            event = {"shop_id": shop_id, "ts": now, "free_bays": 0, "status": "open"}
            sent = http.post("/v1/capacity/events", json={"events": [event]}, headers=_ops())
            assert sent.status_code == 202 and sent.json()["accepted"] == 1
            before = http.get(f"/v1/sessions/{session}").json()
        server.kill9()  # no shutdown hook runs: only what was committed before each answer may remain

        server.start()
        with httpx.Client(base_url=server.base, timeout=30) as http:
            after = http.get(f"/v1/sessions/{session}").json()
            assert after["transcript"] == before["transcript"] and len(after["transcript"]) == 4
            assert after["preferences"] == before["preferences"]
            assert after["booked_shop_id"] == before["booked_shop_id"] is not None
            assert [d["decision_id"] for d in after["decisions"]] == [chat_decision]
            assert after["decisions"][0]["outcomes"] == before["decisions"][0]["outcomes"] != []

            summary = http.get("/v1/ops/summary", headers=_ops()).json()
            assert summary["totals"]["decisions"] >= 2 and summary["totals"]["outcomes"] >= 2
            assert summary["capacity"]["events"] == 1
            shop = http.get(f"/v1/shops/{shop_id}").json()
            assert shop["capacity"]["free_bays"] == 0  # live capacity was rebuilt from the stored event
            logged = http.get(f"/v1/decisions/{api_decision}", headers=_ops()).json()
            assert [(o["shop_id"], o["outcome"], o["reason"]) for o in logged["outcomes"]] == [
                (shops[0]["shop_id"], "rejected", "too far")
            ]
            assert all("propensity" in r and r["factors"] for r in logged["recommendations"])
            missing = http.post(
                "/v1/decisions/0000/feedback", json={"shop_id": "x", "outcome": "accepted"}, headers=_ops()
            )
            assert missing.status_code == 404
            session_view = http.get(f"/v1/sessions/{session}").json()
            assert session_view["stage"] == "booked"
    finally:
        server.stop()


def test_a_graceful_stop_under_load_exits_and_keeps_every_acknowledged_decision(tmp_path: Path) -> None:
    """SIGTERM while requests are in flight: the server finishes them (their decisions committed by the
    writer process the event loop drives), stops its writer process and exits on its own."""
    import asyncio

    server = Server(_sqlite_env(tmp_path))
    server.start()
    assert server.proc is not None
    body = {"preferences": {"city": "Beijing", "vehicle": {"make": "Toyota"}}, "k": 3}
    acknowledged: list[str] = []

    async def load() -> None:
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as http:

            async def one() -> None:
                try:
                    answer = await http.post("/v1/recommendations", json=body, headers=_ops())
                except httpx.HTTPError:
                    return  # refused once the server stopped accepting: never acknowledged
                if answer.status_code == 200:
                    acknowledged.append(answer.json()["decision_id"])

            first = [asyncio.create_task(one()) for _ in range(40)]
            await asyncio.sleep(0.05)
            server.proc.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            await asyncio.gather(*first, *(one() for _ in range(10)))

    try:
        warm = httpx.post(f"{server.base}/v1/recommendations", json=body, headers=_ops(), timeout=30)
        acknowledged.append(warm.json()["decision_id"])  # the writer process runs from here on
        pgrep = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True)
        children = [int(pid) for pid in pgrep.stdout.split()]
        assert len(children) == 2  # the decision writer and the rank process
        asyncio.run(load())
        # uvicorn shuts down, then raises the captured signal again: exit status -SIGTERM, in time.
        try:
            assert server.proc.wait(timeout=30) in (0, -signal.SIGTERM)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"no exit 30 s after SIGTERM: {server.log.read_text()[-3000:]}") from None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.05)
        assert not any(alive(pid) for pid in children)  # its helper processes are gone too
        assert len(acknowledged) > 1
        server.start()
        with httpx.Client(base_url=server.base, timeout=30) as http:
            for decision_id in acknowledged:
                assert http.get(f"/v1/decisions/{decision_id}", headers=_ops()).status_code == 200
    finally:
        server.stop()
