"""`WriterProcess`: a child process that finishes and writes decisions to the SQL store, off the service's
interpreter.

Recording a decision costs the SQL store ~0.5 ms of Python (SQLAlchemy, JSON encoding) per request, and
explaining it (its API payloads, which its record holds) about as much again. In a thread that CPU still
competes for the service's GIL with ranking; in a child process it runs on the other core. The service's
event loop drives the child (`assistant.store.loop_commit.LoopCommitter`): it sends a batch of decisions (a
pickled list of `DecisionDraft`s, or of finished `DecisionRecord`s), the child finishes each draft against
its own copy of the catalog (`assistant.decision_draft.finish_item`), writes the batch in one transaction
and answers after the commit with one outcome per decision (the draft's payloads), so a decision is
acknowledged only once it is on disk.

The child exits when the parent's end of the pipe closes (the parent exited or was killed); if the child
dies, the next batch starts a new one. A child that committed a batch and died before answering makes the
retry report those decisions as already recorded: their requests fail although the decisions are stored
(the safe side: nothing acknowledged is lost).
"""

from __future__ import annotations

import logging
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.child_process import ChildProcess, catalog_copy
from assistant.decision_draft import NoCatalogError, finish_item
from assistant.decision_log import DecisionRecord

if TYPE_CHECKING:
    from retrieval.catalog.table import ShopTable

_log = logging.getLogger("rih.store")
# The child's answer for one decision: (failure, answer), failure None when committed, else (type, message).
WireOutcome = tuple[tuple[str, str] | None, Any]
WAL_RESTART_FRAMES = 4_096  # 16 MiB of 4 KiB pages: past this, the writer rewinds the WAL after a checkpoint


class WriterProcessError(RuntimeError):
    """The writer process failed to write a decision, or died (the reason is in the message)."""


class WriterProcess(ChildProcess):
    """The child writing to the `SqlStore` at `url`: started on demand, stopped by `close`.

    `connection()` is the pipe to it: send a list of decisions (drafts or records), receive one outcome per
    decision: (None, answer) when it is committed, where a draft's answer is its payloads, or
    ((error type, message), None) for `failure_error`."""

    def __init__(
        self,
        url: str,
        sqlite_synchronous: str = "FULL",
        catalog_path: Path | None = None,
        catalog_fingerprint: str = "",
    ) -> None:
        """`catalog_path`: the SQLite catalog the child loads to finish drafts, if it still holds the catalog
        of `catalog_fingerprint` (else drafts fail with `NoCatalogError`, which `LoopCommitter` answers by
        finishing them itself); without it the child takes finished records only."""
        catalog = None if catalog_path is None else (str(catalog_path), catalog_fingerprint)
        super().__init__("assistant.store.writer_process", (url, sqlite_synchronous, catalog))


def serve(conn: Connection) -> None:
    """The child: finish each batch received, write it in one transaction and answer, after the commit, one
    outcome per decision. When the transaction fails, each decision is written again on its own, so only a
    bad one fails."""
    from assistant.store.sql import SqlStore

    try:
        url, sqlite_synchronous, catalog_path = conn.recv()
    except (EOFError, OSError):
        return
    catalog = None if catalog_path is None else catalog_copy(*catalog_path)
    store = SqlStore.from_url(url, sqlite_synchronous=sqlite_synchronous)
    checkpointer = _Checkpointer(store.engine) if store.engine.dialect.name == "sqlite" else None
    try:
        while True:
            try:
                batch = conn.recv()
            except (EOFError, OSError):
                return  # the parent is gone
            conn.send(_record_each(store, batch, catalog))
            if checkpointer is not None:
                checkpointer.rewind_if_long()  # between batches: no commit is waiting on this thread
    finally:
        if checkpointer is not None:
            checkpointer.stop.set()
        store.close()


def _record_each(store: Any, batch: list[Any], catalog: ShopTable | None) -> list[WireOutcome]:
    outcomes: list[WireOutcome] = []
    finished: list[tuple[int, DecisionRecord]] = []  # (position in the batch, record) of those finished
    for i, item in enumerate(batch):
        try:
            record, answer = finish_item(item, catalog)
        except Exception as error:
            outcomes.append((_failure(error), None))
        else:
            outcomes.append((None, answer))
            finished.append((i, record))
    if not finished:
        return outcomes
    try:
        store.record_many([record for _, record in finished])
        return outcomes
    except Exception:
        _log.warning("a batch of %d decisions failed; writing them one by one", len(finished))
    for i, record in finished:
        try:
            store.record(record)
        except Exception as error:
            outcomes[i] = (_failure(error), None)
    return outcomes


def _failure(error: Exception) -> tuple[str, str]:
    return type(error).__name__, str(error)


def failure_error(failure: tuple[str, str]) -> Exception:
    """The exception a `(error type, message)` answer stands for in the parent."""
    kind, message = failure
    known: dict[str, type[Exception]] = {"ValueError": ValueError, "NoCatalogError": NoCatalogError}
    return known.get(kind, WriterProcessError)(message)


class _Checkpointer:
    """Moves SQLite's WAL checkpoints off the commits, and keeps the WAL short.

    By default the commit that fills the WAL past 1,000 pages also checkpoints it (copies the pages into the
    database and syncs it): stalls of up to ~0.8 s measured here under load, while every request waited for
    its decision's commit. Here the committing connections never checkpoint. A thread runs a PASSIVE
    checkpoint every second (no write lock: commits go on meanwhile). Under steady writes a passive
    checkpoint never finds the WAL wholly copied (frames arrive while it copies), so the WAL is never
    rewound and would grow without end. So once a passive checkpoint has seen more than
    `WAL_RESTART_FRAMES`, the writer itself, between two batches, runs a RESTART checkpoint: it only has
    the frames written since the passive one to copy (~2-3 ms measured) and it rewinds the WAL: at 300
    decisions/s, about every two seconds. Measured at 300 requests/s for 40 s with a 1,000-frame threshold:
    the WAL stayed ~13 MB and p99 was 35.5 ms; rewinding only past 256 MiB, the WAL reached 271 MB and p99
    was 87 ms (same machine, same hour). One lock keeps the two checkpoints apart, so neither waits on the
    other's busy timeout.
    """

    def __init__(self, engine: Any, every_s: float = 1.0) -> None:
        import sqlalchemy as sa

        self.engine, self.every_s = engine, every_s
        self.stop, self.lock, self.wal_frames = threading.Event(), threading.Lock(), 0
        engine.dispose()  # connections opened from here on get the pragma below

        @sa.event.listens_for(engine, "connect")
        def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")

        threading.Thread(target=self._run, name="rih-wal-checkpoint", daemon=True).start()

    def rewind_if_long(self) -> None:
        if self.wal_frames > WAL_RESTART_FRAMES:
            self._checkpoint("RESTART")

    def _run(self) -> None:
        while not self.stop.wait(self.every_s):
            self._checkpoint("PASSIVE")

    def _checkpoint(self, mode: str) -> None:
        try:
            with self.lock, self.engine.connect() as conn:
                _, frames, _ = conn.exec_driver_sql(f"PRAGMA wal_checkpoint({mode})").one()
                self.wal_frames = 0 if mode == "RESTART" else frames
        except Exception:  # a busy or failed checkpoint is tried again later
            _log.warning("WAL checkpoint (%s) failed; trying again later", mode, exc_info=True)


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
