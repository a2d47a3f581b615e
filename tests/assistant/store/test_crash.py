"""An acknowledged write survives `kill -9`: a writer process prints each key after the store returned; it is
killed mid-stream, and a fresh store on the same database must hold every key it printed."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from assistant.store import SqlStore
from tests.assistant.store.crash_writer import decision_of, session_of
from tests.assistant.store.samples import outcome

ROOT = Path(__file__).resolve().parents[3]
ACKNOWLEDGED_BEFORE_KILL = 50  # outcomes, so about 150 writes in all


def acknowledged_until_killed(url: str) -> dict[str, list[int]]:
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.assistant.store.crash_writer", url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert writer.stdout is not None and writer.stderr is not None
    lines: list[bytes] = []
    buffered, deadline = b"", time.monotonic() + 120
    while sum(line.startswith(b"outcome") for line in lines) < ACKNOWLEDGED_BEFORE_KILL:
        assert time.monotonic() < deadline, "The writer acknowledged too few writes in 120 s."
        ready, _, _ = select.select([writer.stdout], [], [], 1.0)
        chunk = os.read(writer.stdout.fileno(), 65536) if ready else b""
        assert chunk or not ready, f"The writer stopped: {writer.stderr.read().decode()[-2000:]}"
        *complete, buffered = (buffered + chunk).split(b"\n")
        lines += complete
    writer.send_signal(signal.SIGKILL)  # mid-write: it never stops between writes
    rest, _ = writer.communicate(timeout=30)
    lines += (buffered + rest).split(b"\n")[:-1]  # what it printed before dying was acknowledged too
    assert writer.returncode == -signal.SIGKILL
    acknowledged: dict[str, list[int]] = {"session": [], "decision": [], "outcome": []}
    for line in lines:
        kind, i = line.decode().split()
        acknowledged[kind].append(int(i))
    return acknowledged


def test_every_acknowledged_write_survives_kill_9(sql_url: str) -> None:
    SqlStore.from_url(sql_url).close()  # tables exist before the writer starts
    acknowledged = acknowledged_until_killed(sql_url)
    assert len(acknowledged["outcome"]) >= ACKNOWLEDGED_BEFORE_KILL
    store = SqlStore.from_url(sql_url)
    try:
        for i in acknowledged["session"]:
            assert store.load(f"crash-{i}") == session_of(i)
        for i in acknowledged["decision"]:
            recorded = store.get(f"crash-{i}")
            assert replace(recorded, outcomes=[]) == decision_of(i)
            if i in acknowledged["outcome"]:
                assert recorded.outcomes == [outcome(f"crash-{i}", i % 3)]
        made, logged = store.counts()
        assert made >= len(acknowledged["decision"]) and logged >= len(acknowledged["outcome"])
    finally:
        store.close()
