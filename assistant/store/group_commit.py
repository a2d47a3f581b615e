"""Group commit of decisions: one writer thread, one transaction (one fsync) for every decision waiting.

The recommendations route runs on the event loop. Committing its decision there would stall the loop for
the length of an fsync (SQLite `synchronous=FULL`, a PostgreSQL round trip) on every request. Instead the
route hands the decision to this writer and awaits it: the loop ranks the next requests meanwhile, the
writer commits all decisions queued since its last commit in one transaction, and each request is
answered only after the transaction holding its decision has committed, so an acknowledged decision is
still on disk when the server is killed.

One thread, not a pool: SQLite has one writer at a time (more threads would only queue on its lock), and
batching is what saves the fsyncs. A batch that fails is retried decision by decision, so one bad decision
fails only its own request.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from assistant.decision_draft import finish_item
from assistant.decision_log import DecisionRecord

if TYPE_CHECKING:
    from assistant.decision_draft import DecisionDraft
    from retrieval.catalog.table import ShopTable

MAX_BATCH = 256  # decisions per transaction: bounds the work one commit holds the others for
_log = logging.getLogger("rih.store")


class BatchRecorder(Protocol):
    def record(self, decision: DecisionRecord) -> None: ...

    def record_many(self, decisions: Sequence[DecisionRecord]) -> None: ...


class DecisionWriter(Protocol):
    """What `DispatchService.recommend_async` awaits: `GroupCommitter` (a thread) or `LoopCommitter`
    (`assistant.store.loop_commit`, the writer process driven by the event loop). `record` takes a
    `DecisionDraft` (answer: its payloads, once its record is committed) or a finished `DecisionRecord`
    (answer: None); see `assistant.decision_draft.finish_item`."""

    async def record(self, decision: DecisionDraft | DecisionRecord) -> Any: ...

    def start(self) -> None:
        """Start the writer now rather than on the first decision (a server does, before it serves)."""

    def close(self) -> None: ...


Item = Any  # a DecisionDraft or DecisionRecord on its way to a writer
Waiter = tuple[Item, asyncio.AbstractEventLoop, "asyncio.Future[Any]"]
Outcome = tuple[BaseException | None, Any]  # (error, answer): error None when committed


class GroupCommitter:
    """`await committer.record(decision)` returns once the decision is committed (or raises its error).

    A draft is finished (explained) on the calling thread, against `catalog`, before it is queued."""

    def __init__(
        self, store: BatchRecorder, max_batch: int = MAX_BATCH, catalog: ShopTable | None = None
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}.")
        self.store, self.max_batch, self.catalog = store, max_batch, catalog
        self._queue: queue.SimpleQueue[Waiter | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self.batches = self.committed = 0  # for tests and benchmarks: how well the batching works

    async def record(self, decision: DecisionDraft | DecisionRecord) -> Any:
        record, answer = finish_item(decision, self.catalog)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        self._started().put((record, loop, done))
        await done
        return answer

    def start(self) -> None:
        self._started()

    def close(self) -> None:
        """Commit what is queued, then stop the thread (a later `record` starts a new one)."""
        with self._start_lock:
            thread, pending, self._thread = self._thread, self._queue, None
            self._queue = queue.SimpleQueue()
        if thread is not None:
            pending.put(None)
            thread.join()

    def _started(self) -> queue.SimpleQueue[Waiter | None]:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, args=(self._queue,), name="rih-decision-writer", daemon=True
                )
                self._thread.start()
            return self._queue

    def _run(self, pending: queue.SimpleQueue[Waiter | None]) -> None:
        stop = False
        while not stop:
            first = pending.get()
            batch = [] if first is None else [first]
            stop = first is None
            while len(batch) < self.max_batch:  # everything queued meanwhile joins this transaction
                try:
                    item = pending.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                else:
                    batch.append(item)
            if batch:
                self._commit(batch)

    def _commit(self, batch: list[Waiter]) -> None:
        errors: list[BaseException | None] = [None] * len(batch)
        try:
            self.store.record_many([decision for decision, _, _ in batch])
        except Exception:
            # Nothing of the batch was written: retry one by one, so only a bad decision fails.
            _log.warning("group commit of %d decisions failed; retrying one by one", len(batch))
            for i, (decision, _, _) in enumerate(batch):
                try:
                    self.store.record(decision)
                except Exception as failure:  # handed to the request that made the decision
                    errors[i] = failure
        self.batches += 1
        self.committed += errors.count(None)
        settle(batch, [(error, None) for error in errors])


def settle(batch: Sequence[Waiter], outcomes: Sequence[Outcome]) -> None:
    """Answer each waiting request of `batch` with its outcome (its error, or None and its answer once
    committed), on its own event loop: directly on the loop running here, through one thread-safe wake-up
    per other loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], Outcome]]] = {}
    for (_, loop, done), outcome in zip(batch, outcomes, strict=True):
        by_loop.setdefault(loop, []).append((done, outcome))
    for loop, waiters in by_loop.items():  # one wake-up of each loop per batch, not one per decision
        if _running_here(loop):
            _settle(waiters)
        else:
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there any more
                loop.call_soon_threadsafe(_settle, waiters)


def _running_here(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _settle(waiters: list[tuple[asyncio.Future[Any], Outcome]]) -> None:
    for done, (error, answer) in waiters:
        if done.done():  # the request was cancelled (client gone); its decision is stored all the same
            continue
        if error is None:
            done.set_result(answer)
        else:
            done.set_exception(error)
