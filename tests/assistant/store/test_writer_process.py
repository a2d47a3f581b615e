"""ProcessRecorder: decisions written by a child process, committed before the call returns."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.store import SqlStore
from assistant.store.group_commit import GroupCommitter
from assistant.store.writer_process import ProcessRecorder
from tests.assistant.store.samples import decision

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}")  # creates the tables
    yield store.url
    store.close()


def test_a_batch_written_by_the_child_is_committed_when_the_call_returns(url: str) -> None:
    recorder = ProcessRecorder(url)
    try:
        recorder.record_many([decision(f"d-{i}") for i in range(3)])
        recorder.record(decision("d-9"))
        reader = SqlStore.from_url(url)
        assert reader.counts() == (4, 0)
        assert reader.get("d-1") == decision("d-1")
        reader.close()
    finally:
        recorder.close()


def test_a_duplicate_is_reported_as_value_error_and_nothing_of_its_batch_is_kept(url: str) -> None:
    recorder = ProcessRecorder(url)
    try:
        recorder.record(decision("d-1"))
        with pytest.raises(ValueError, match="already recorded"):
            recorder.record_many([decision("d-2"), decision("d-1")])
        reader = SqlStore.from_url(url)
        assert reader.counts() == (1, 0)
        reader.close()
    finally:
        recorder.close()


def test_a_dead_child_is_replaced_on_the_next_batch(url: str) -> None:
    recorder = ProcessRecorder(url)
    try:
        recorder.record(decision("d-1"))
        first = recorder._process
        assert first is not None
        first.kill()
        first.wait()
        recorder.record(decision("d-2"))
        assert recorder._process is not None and recorder._process.pid != first.pid
        reader = SqlStore.from_url(url)
        assert reader.counts() == (2, 0)
        reader.close()
    finally:
        recorder.close()


def test_close_stops_the_child(url: str) -> None:
    recorder = ProcessRecorder(url)
    recorder.record(decision("d-1"))
    child = recorder._process
    assert child is not None and child.poll() is None
    recorder.close()
    assert child.poll() is not None


def test_the_child_exits_when_its_parent_is_killed(url: str, tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys, time
        from assistant.store.writer_process import ProcessRecorder
        from tests.assistant.store.samples import decision
        recorder = ProcessRecorder({url!r})
        recorder.record(decision("d-1"))
        print(recorder._process.pid, flush=True)
        time.sleep(60)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child_pid):
        time.sleep(0.05)
    assert not _alive(child_pid)


def test_group_commit_through_the_child_process(url: str) -> None:
    recorder = ProcessRecorder(url)
    writer = GroupCommitter(recorder, on_close=recorder.close)

    async def main() -> None:
        await asyncio.gather(*(writer.record(decision(f"d-{i}")) for i in range(100)))

    asyncio.run(main())
    writer.close()
    assert recorder._process is None  # on_close stopped it
    reader = SqlStore.from_url(url)
    assert reader.counts() == (100, 0)
    reader.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


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
