"""GroupCommitter: decisions awaited on the event loop are committed in groups by one writer thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.decision_log import DecisionRecord
from assistant.store import InMemoryStore, SqlStore
from assistant.store.group_commit import GroupCommitter
from tests.assistant.store.samples import decision


class GatedStore(InMemoryStore):
    """An in-memory store whose batch writes wait for a gate and can be told to fail."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Event()
        self.gate.set()
        self.batch_sizes: list[int] = []
        self.poison: set[str] = set()

    def record_many(self, batch: Sequence[DecisionRecord]) -> None:
        self.gate.wait(timeout=10)
        self.batch_sizes.append(len(batch))
        if any(d.decision_id in self.poison for d in batch):
            raise RuntimeError("disk full")
        super().record_many(batch)


def test_decisions_queued_while_the_writer_commits_share_one_transaction() -> None:
    store = GatedStore()
    writer = GroupCommitter(store)

    async def main() -> None:
        store.gate.clear()  # the first commit blocks, so the next nine queue up behind it
        first = asyncio.create_task(writer.record(decision("d-0")))
        await asyncio.sleep(0.05)
        rest = [asyncio.create_task(writer.record(decision(f"d-{i}"))) for i in range(1, 10)]
        await asyncio.sleep(0.05)
        assert not first.done() and not any(t.done() for t in rest)  # nothing answered before its commit
        store.gate.set()
        await asyncio.gather(first, *rest)

    asyncio.run(main())
    writer.close()
    assert store.counts() == (10, 0)
    assert store.batch_sizes == [1, 9]
    assert (writer.batches, writer.committed) == (2, 10)


def test_a_failing_decision_fails_only_its_own_request() -> None:
    store = GatedStore()
    store.poison = {"d-3"}
    writer = GroupCommitter(store)

    original_record = store.record

    def record(one: DecisionRecord) -> None:
        if one.decision_id in store.poison:
            raise RuntimeError("disk full")
        original_record(one)

    store.record = record  # type: ignore[method-assign]

    async def main() -> list[BaseException | None]:
        store.gate.clear()
        tasks = [asyncio.create_task(writer.record(decision(f"d-{i}"))) for i in range(6)]
        await asyncio.sleep(0.05)
        store.gate.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(main())
    writer.close()
    assert [type(r).__name__ if r else None for r in results] == [
        None,
        None,
        None,
        "RuntimeError",
        None,
        None,
    ]
    assert store.counts() == (5, 0)


def test_close_commits_what_is_queued_and_a_later_record_starts_again() -> None:
    store = GatedStore()
    writer = GroupCommitter(store)

    async def main() -> None:
        await asyncio.gather(*(writer.record(decision(f"d-{i}")) for i in range(3)))

    asyncio.run(main())
    writer.close()
    writer.close()  # idempotent
    asyncio.run(writer.record(decision("d-9")))
    writer.close()
    assert store.counts() == (4, 0)


def test_a_cancelled_request_still_has_its_decision_committed() -> None:
    store = GatedStore()
    writer = GroupCommitter(store)

    async def main() -> None:
        store.gate.clear()
        task = asyncio.create_task(writer.record(decision("d-1")))
        await asyncio.sleep(0.05)
        task.cancel()  # the client went away
        store.gate.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        await asyncio.sleep(0.05)

    asyncio.run(main())
    writer.close()
    assert store.get("d-1").decision_id == "d-1"


def test_many_concurrent_requests_reach_sqlite_in_fewer_transactions(tmp_path: Path) -> None:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}")
    writer = GroupCommitter(store)

    async def main() -> None:
        await asyncio.gather(*(writer.record(decision(f"d-{i}")) for i in range(200)))

    asyncio.run(main())
    writer.close()
    store.close()
    reopened = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}")
    assert reopened.counts() == (200, 0)
    assert writer.committed == 200 and writer.batches < 200
    reopened.close()


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommitter(InMemoryStore(), max_batch=0)


def test_start_starts_the_thread_before_any_decision() -> None:
    writer = GroupCommitter(InMemoryStore())
    writer.start()
    thread = writer._thread
    assert thread is not None and thread.is_alive()
    asyncio.run(writer.record(decision("d-1")))
    assert writer._thread is thread
    writer.close()
    assert not thread.is_alive()
