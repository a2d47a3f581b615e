"""LoopCommitter: the loop drives the writer process; a request returns once its decision is committed."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.store import SqlStore
from assistant.store.loop_commit import LoopCommitter
from assistant.store.writer_process import WriterProcess
from tests.assistant.store.samples import decision


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}")  # creates the tables
    yield store.url
    store.close()


@pytest.fixture
def writer(url: str) -> Iterator[LoopCommitter]:
    committer = LoopCommitter(WriterProcess(url))
    yield committer
    committer.close()


def stored(url: str) -> tuple[int, int]:
    reader = SqlStore.from_url(url)
    try:
        return reader.counts()
    finally:
        reader.close()


def test_concurrent_requests_are_committed_in_fewer_transactions(url: str, writer: LoopCommitter) -> None:
    async def main() -> None:
        await asyncio.gather(*(writer.record(decision(f"d-{i}")) for i in range(200)))

    asyncio.run(main())
    assert stored(url) == (200, 0)  # committed before `record` returned, read by another connection
    assert writer.committed == 200 and writer.batches < 200


def test_a_duplicate_fails_only_its_own_request(url: str, writer: LoopCommitter) -> None:
    async def main() -> list[BaseException | None]:
        await writer.record(decision("d-1"))
        return await asyncio.gather(
            *(writer.record(decision(i)) for i in ("d-2", "d-1", "d-3")), return_exceptions=True
        )

    results = asyncio.run(main())
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], ValueError) and "already recorded" in str(results[1])
    assert stored(url) == (3, 0)


def test_a_dead_child_is_replaced_and_the_batch_sent_again(url: str, writer: LoopCommitter) -> None:
    asyncio.run(writer.record(decision("d-1")))
    first = writer.process._process
    assert first is not None
    first.kill()
    first.wait()
    asyncio.run(writer.record(decision("d-2")))
    second = writer.process._process
    assert second is not None and second.pid != first.pid
    assert stored(url) == (2, 0)


def test_a_cancelled_request_still_has_its_decision_committed(url: str, writer: LoopCommitter) -> None:
    async def main() -> None:
        task = asyncio.create_task(writer.record(decision("d-1")))
        await asyncio.sleep(0)  # sent
        task.cancel()  # the client went away
        with pytest.raises(asyncio.CancelledError):
            await task
        await writer.record(decision("d-2"))  # queued behind the first batch: that one is answered first

    asyncio.run(main())
    assert stored(url) == (2, 0)


def test_close_commits_what_is_in_flight_and_a_later_record_starts_again(url: str) -> None:
    writer = LoopCommitter(WriterProcess(url))

    async def main() -> None:
        tasks = [asyncio.create_task(writer.record(decision(f"d-{i}"))) for i in range(5)]
        await asyncio.sleep(0)  # one batch in flight, the others queued behind it
        writer.close()  # as at shutdown: commits both, synchronously
        await asyncio.gather(*tasks)

    asyncio.run(main())
    assert writer.process._process is None  # the child is stopped
    assert stored(url) == (5, 0)
    asyncio.run(writer.record(decision("d-9")))
    writer.close()
    assert stored(url) == (6, 0)


def test_requests_from_two_event_loops_at_once(url: str, writer: LoopCommitter) -> None:
    errors: list[BaseException] = []

    def in_thread(prefix: str) -> None:
        async def main() -> None:
            await asyncio.gather(*(writer.record(decision(f"{prefix}-{i}")) for i in range(50)))

        try:
            asyncio.run(main())
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=in_thread, args=(p,)) for p in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors and not any(t.is_alive() for t in threads)
    assert stored(url) == (100, 0)


def test_max_batch_must_be_positive(url: str) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        LoopCommitter(WriterProcess(url), max_batch=0)


def test_start_starts_the_child_before_any_decision(url: str) -> None:
    committer = LoopCommitter(WriterProcess(url))
    try:
        committer.start()
        child = committer.process._process
        assert child is not None and child.poll() is None
        asyncio.run(committer.record(decision("d-1")))
        assert committer.process._process is child  # the same child took the first decision
    finally:
        committer.close()
