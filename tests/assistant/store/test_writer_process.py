"""WriterProcess: decisions written by a child process, each batch committed before the child answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.store import SqlStore
from assistant.store.writer_process import WriterProcess, failure_error
from tests.assistant.orphans import assert_child_exits_when_parent_is_killed
from tests.assistant.store.samples import decision

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}")  # creates the tables
    yield store.url
    store.close()


def test_a_batch_is_committed_when_the_child_answers_one_outcome_per_decision(url: str) -> None:
    process = WriterProcess(url)
    try:
        conn = process.connection()
        conn.send([decision(f"d-{i}") for i in range(3)])
        assert conn.recv() == [(None, None)] * 3  # (no failure, no answer: a record is stored as it is)
        reader = SqlStore.from_url(url)
        assert reader.counts() == (3, 0)  # committed before the answer, read by another connection
        assert reader.get("d-1") == decision("d-1")
        reader.close()
    finally:
        process.close()


def test_a_failed_transaction_is_retried_decision_by_decision(url: str) -> None:
    process = WriterProcess(url)
    try:
        conn = process.connection()
        conn.send([decision("d-1")])
        assert conn.recv() == [(None, None)]
        conn.send([decision("d-2"), decision("d-1"), decision("d-3")])
        outcomes = conn.recv()
        assert outcomes[0] == (None, None) and outcomes[2] == (None, None)
        failure, answer = outcomes[1]
        assert answer is None
        error = failure_error(failure)
        assert isinstance(error, ValueError) and "already recorded" in str(error)
        reader = SqlStore.from_url(url)
        assert reader.counts() == (3, 0)
        reader.close()
    finally:
        process.close()


def test_a_dead_child_is_replaced_on_the_next_connection(url: str) -> None:
    process = WriterProcess(url)
    try:
        process.connection()
        first = process._process
        assert first is not None
        first.kill()
        first.wait()
        conn = process.connection()
        assert process._process is not None and process._process.pid != first.pid
        conn.send([decision("d-2")])
        assert conn.recv() == [(None, None)]
    finally:
        process.close()


def test_close_stops_the_child(url: str) -> None:
    process = WriterProcess(url)
    process.connection()
    child = process._process
    assert child is not None and child.poll() is None
    process.close()
    assert child.poll() is not None


def test_the_child_exits_when_its_parent_is_killed(url: str) -> None:
    assert_child_exits_when_parent_is_killed(
        f"""
        import asyncio, sys, time
        from assistant.store.loop_commit import LoopCommitter
        from assistant.store.writer_process import WriterProcess
        from tests.assistant.store.samples import decision
        writer = LoopCommitter(WriterProcess({url!r}))
        asyncio.run(writer.record(decision("d-1")))
        print(writer.process._process.pid, flush=True)
        time.sleep(60)
        """
    )


def test_the_wal_is_rewound_under_steady_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.store import writer_process

    monkeypatch.setattr(writer_process, "WAL_RESTART_FRAMES", 100)
    path = tmp_path / "rih.sqlite"
    store = SqlStore.from_url(f"sqlite:///{path}", sqlite_synchronous="NORMAL")
    checkpointer = writer_process._Checkpointer(store.engine, every_s=0.05)
    sizes = []
    try:
        for i in range(600):  # ~25 KB of WAL each: ~15 MB were it never rewound
            store.record_many([decision(f"d-{i}")])
            checkpointer.rewind_if_long()  # as the writer does between batches
            if i % 50 == 49:
                sizes.append(Path(f"{path}-wal").stat().st_size)
    finally:
        checkpointer.stop.set()
        store.close()
    assert max(sizes) < 6_000_000, sizes
    assert SqlStore.from_url(f"sqlite:///{path}").counts() == (600, 0)
