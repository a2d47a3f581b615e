"""`LoopCommitter`: group commit through the writer process, driven by the event loop itself.

`GroupCommitter` hands each decision to a thread, which sends batches to the writer process and wakes the
loop when they commit. Under load that thread's own work (queue wake-ups, pickling, pipe I/O, waking the
loop through its self-pipe) competes with ranking for the service's one interpreter lock: ~0.23 ms of CPU a
request at 300 requests/s. Here the loop sends a batch itself and a reader callback on the pipe settles its
requests when the child answers: no thread, no cross-thread wake-up, the same guarantee (a request is
answered only once its decision is committed).

One batch is in flight at a time; decisions that arrive meanwhile wait and leave together when it is
answered (up to `MAX_BATCH`), so a slow commit makes the next transaction larger, not the queue longer. A
batch whose transaction fails is written again decision by decision by the child, so only a bad decision
fails its request. If the child dies, it is restarted and the batch sent once more.

A draft the child cannot finish because its catalog file no longer holds the service's catalog (rebuilt
since the service started) is finished here, on the service's catalog, and its record then committed by
the child like any other: the request is answered as always, its explanations built on the loop.

`record` may be awaited from several event loops (a test client runs one per client); a batch is sent and
answered on the loop that sent it, and requests of other loops in it are settled through their own loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import pickle
import threading
from collections import deque
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from assistant.child_process import watch
from assistant.decision_draft import DecisionDraft, NoCatalogError
from assistant.store.group_commit import MAX_BATCH, Waiter, settle
from assistant.store.writer_process import WireOutcome, WriterProcess, WriterProcessError, failure_error

if TYPE_CHECKING:
    from assistant.decision_log import DecisionRecord
    from retrieval.catalog.table import ShopTable

_log = logging.getLogger("rih.store")
_DIED: WireOutcome = (("WriterProcessError", "the decision writer process died"), None)


class LoopCommitter:
    """`await committer.record(decision)` returns once the writer process has committed the decision, with
    the child's answer (a draft's payloads)."""

    def __init__(
        self, process: WriterProcess, max_batch: int = MAX_BATCH, catalog: ShopTable | None = None
    ) -> None:
        """`catalog`: the service's, to finish the drafts the child cannot (None: those fail)."""
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}.")
        self.process, self.max_batch, self.catalog = process, max_batch, catalog
        self._lock = threading.Lock()  # guards the queue and the in-flight batch across loops
        self._pending: deque[Waiter] = deque()
        self._in_flight: list[Waiter] | None = None
        self._sent_on: tuple[asyncio.AbstractEventLoop, Connection] | None = None
        self.batches = self.committed = 0  # for tests and benchmarks: how well the batching works

    async def record(self, decision: DecisionDraft | DecisionRecord) -> Any:
        try:
            return await self._record(decision)
        except NoCatalogError:
            if self.catalog is None or not isinstance(decision, DecisionDraft):
                raise
        payloads, record = decision.finish(self.catalog)
        await self._record(record)
        return payloads

    async def _record(self, decision: DecisionDraft | DecisionRecord) -> Any:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        with self._lock:
            self._pending.append((decision, loop, done))
            idle = self._in_flight is None
        if idle:
            self._send_next(loop)
        return await done

    def start(self) -> None:
        """Start the child now: it loads its copy of the catalog (~1.5 s at 110,000 shops) while the
        server starts, not while the first request waits."""
        self.process.connection()

    def close(self) -> None:
        """Commit what is in flight or queued (synchronously), then stop the child; a later `record`
        starts a new one."""
        with self._lock:
            batch, sent_on, self._in_flight, self._sent_on = self._in_flight, self._sent_on, None, None
            queued = list(self._pending)
            self._pending.clear()
        if batch is not None and sent_on is not None:
            loop, conn = sent_on
            with contextlib.suppress(Exception):  # a closed loop has no reader left to remove
                loop.remove_reader(conn.fileno())
            self._settle(batch, self._answer(conn, batch, attempt=1, resend=False))
        for start in range(0, len(queued), self.max_batch):
            chunk = queued[start : start + self.max_batch]
            self._settle(chunk, self._answer(None, chunk, attempt=1, resend=True))
        self.process.close()

    def _send_next(self, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            if self._in_flight is not None or not self._pending:
                return
            owner = self._pending[0][1]
            if owner is not loop and not owner.is_closed():
                # Sent from the loop of its first request, which stays alive awaiting the answer: a loop
                # whose own requests are all answered may be closed with a reader still registered.
                hand_over = True
            else:
                hand_over = False
                batch = [self._pending.popleft() for _ in range(min(len(self._pending), self.max_batch))]
                self._in_flight = batch
        if hand_over:
            try:
                owner.call_soon_threadsafe(self._send_next, owner)
            except RuntimeError:  # closed meanwhile (its waiters are gone): this loop sends instead
                self._send_next(loop)
            return
        self._transmit(loop, batch, attempt=1)

    def _transmit(self, loop: asyncio.AbstractEventLoop, batch: list[Waiter], attempt: int) -> None:
        try:
            conn = self.process.connection()
            conn.send_bytes(_encode(batch))
        except OSError:
            self._child_lost(loop, batch, attempt)
            return
        with self._lock:
            self._sent_on = (loop, conn)
        watch(loop, conn, self._on_answer, loop, conn, batch, attempt)

    def _on_answer(
        self, loop: asyncio.AbstractEventLoop, conn: Connection, batch: list[Waiter], attempt: int
    ) -> None:
        loop.remove_reader(conn.fileno())
        try:
            outcomes: list[WireOutcome] = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            self._child_lost(loop, batch, attempt)
            return
        self._finish(loop, batch, outcomes)

    def _child_lost(self, loop: asyncio.AbstractEventLoop, batch: list[Waiter], attempt: int) -> None:
        _log.warning("the decision writer process is gone; starting a new one")
        self.process.close()
        if attempt == 1:
            self._transmit(loop, batch, attempt=2)
        else:
            self._finish(loop, batch, [_DIED] * len(batch))

    def _finish(
        self, loop: asyncio.AbstractEventLoop, batch: list[Waiter], outcomes: list[WireOutcome]
    ) -> None:
        with self._lock:
            if self._in_flight is batch:
                self._in_flight, self._sent_on = None, None
        self._settle(batch, outcomes)
        self._send_next(loop)  # what arrived meanwhile leaves as the next batch

    def _answer(
        self, conn: Connection | None, batch: list[Waiter], attempt: int, resend: bool
    ) -> list[WireOutcome]:
        """The outcomes of `batch`, waited for on this thread (used by `close` only)."""
        try:
            if resend or conn is None:
                conn = self.process.connection()
                conn.send_bytes(_encode(batch))
            outcomes: list[WireOutcome] = conn.recv()
            return outcomes
        except (EOFError, OSError):
            self.process.close()
            if attempt == 1:
                return self._answer(None, batch, attempt=2, resend=True)
            return [_DIED] * len(batch)

    def _settle(self, batch: list[Waiter], outcomes: list[WireOutcome]) -> None:
        self.batches += 1
        self.committed += sum(failure is None for failure, _ in outcomes)
        settle(batch, [(None if f is None else failure_error(f), answer) for f, answer in outcomes])


def _encode(batch: list[Waiter]) -> bytes:
    """What `conn.send` would write, without multiprocessing's pickler subclass and buffer (measured at
    ~2.5 % of the event loop under load); the child's `conn.recv()` reads it the same."""
    return pickle.dumps([decision for decision, _, _ in batch], protocol=pickle.HIGHEST_PROTOCOL)


__all__ = ["LoopCommitter", "WriterProcessError"]
