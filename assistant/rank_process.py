"""`RankProcess`: candidate search and ranking for the event loop, in a child process holding a replica of
dispatch_core's live state.

Search and ranking were ~60 % of the event loop's time under load (py-spy, 300 requests/s at 110,000
shops), and the loop is one core. The child has its own copy of the catalog, the geo index and a
`Dispatcher` built like the service's; the loop sends each request (`RankJob`) and one reader callback
resolves the answers, so the loop parses and answers other requests while the other core ranks.

The service's dispatcher stays the one that counts: dashboards, feedback, capacity and the in-process
paths (chat, copilot) read and update it. The child's is a replica, kept in step by messages on the same
pipe, in the order the service applied them (all under the dispatch lock):
- when the child is ready it receives the whole live state (`dispatch_core.live_state`);
- every outcome learned, capacity batch merged and slate offered by the service itself follows;
- a slate the child offers, it counts itself, and the service counts it when the answer arrives.
A replica that cannot apply an update exits, and the next one starts from the service's state again.

Whatever goes wrong on the way (no child ready yet, the child died or failed a job, another event loop
asks, too many jobs in flight) the job runs in process on the service's own dispatcher, so a request
never fails for it: an invalid query or strategy raises there as it always has. A dead child is replaced
on the next job, at most once every RESTART_BACKOFF_S.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import sys
import time
from contextlib import AbstractContextManager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from assistant.child_process import ChildProcess, catalog_copy, watch
from assistant.decision_draft import PackedDecision
from dispatch_core.domain import Candidates, ClaimRequest
from dispatch_core.errors import NoCandidatesError
from dispatch_core.live_state import export_live_state, import_live_state
from dispatch_core.ranking import Dispatcher
from retrieval.needs import Needs
from retrieval.retriever import Retriever

_log = logging.getLogger("rih.rank")
# Jobs awaiting the child at most; more run in process. The answers the child owes must fit in its send
# buffer: then it never blocks writing them, so it always goes on reading what the service sends, and a
# send into the pipe always completes, even one made while a thread holds the dispatch lock that the loop
# needs to read answers. An answer is at most ~5 KB (k = 10, measured); ANSWER_ROOM allows for the
# kernel's accounting of each message on top. The child's buffer is asked for at ANSWER_BUFFER; where the
# kernel grants less (`net.core.wmem_max`), fewer jobs are sent to the child at once.
MAX_IN_FLIGHT = 64
# A child is started at most this often: one that dies as it starts (a catalog file gone, say) must not cost
# an interpreter start per request.
RESTART_BACKOFF_S = 10.0
ANSWER_ROOM = 16 * 1024
ANSWER_BUFFER = MAX_IN_FLIGHT * ANSWER_ROOM
PICKLE = pickle.HIGHEST_PROTOCOL
# Messages to the child: (kind, ...). Only RANK is answered, with (number, answer); READY comes first.
RANK, STATE, OUTCOME, CAPACITY, OFFERS = "rank", "state", "outcome", "capacity", "offers"
READY = "ready"


class Found(NamedTuple):
    """What ranking reads of a search: rows, distances and need coverage, nearest capable first."""

    rows: NDArray[np.int64]
    distance_km: NDArray[np.float64]
    coverage: NDArray[np.float64]


class Query(NamedTuple):
    lat: float
    lon: float
    k: int
    needs: Needs
    max_km: float | None


class RankJob(NamedTuple):
    """One ranking: search `query`, rank for `request` with an exploration generator seeded by `seed`;
    `record`: count the slate as offered."""

    query: Query
    request: ClaimRequest
    k: int
    strategy: str | None
    record: bool
    seed: int


Ranking = PackedDecision | int  # the decision, or how many candidates were found when none qualifies


def search_here(retriever: Retriever, query: Query) -> Found:
    found = retriever.search(query.lat, query.lon, k=query.k, needs=query.needs, max_km=query.max_km)
    return Found(found.rows, found.distance_km, found.coverage)


def rank_found(
    dispatcher: Dispatcher, job: RankJob, found: Found, rng: np.random.Generator | None = None
) -> Ranking:
    """Rank what was `found` for `job` (the caller holds whatever lock guards `dispatcher`); the exploration
    draws come from `rng`, by default a generator seeded with `job.seed`."""
    candidates = Candidates(found.rows, found.distance_km, found.coverage)
    rng = rng if rng is not None else np.random.default_rng(job.seed)
    try:
        decision = dispatcher.rank(
            job.request, candidates, k=job.k, strategy=job.strategy, rng=rng, record=job.record
        )
    except NoCandidatesError:
        return len(found.rows)
    return PackedDecision.of(decision)


class RankProcess:
    """Ranks `RankJob`s for one event loop in a child that loads `retriever`'s catalog from `catalog_path`
    and its index from `index_dir`; `dispatcher` (guarded by `lock`) ranks whatever the child cannot."""

    def __init__(
        self,
        dispatcher: Dispatcher,
        retriever: Retriever,
        lock: AbstractContextManager[Any],
        catalog_path: Path,
        index_dir: Path,
    ) -> None:
        self.dispatcher, self.retriever, self.lock = dispatcher, retriever, lock
        hello = (
            str(catalog_path),
            retriever.table.fingerprint(),
            str(index_dir),
            dispatcher.strategies,
            dispatcher.default_strategy,
            dispatcher.capacity.stale_after_s,
        )
        self.child = ChildProcess("assistant.rank_process", hello, answer_buffer=ANSWER_BUFFER)
        self._conn: Connection | None = None  # the current child's pipe
        self._ready = False  # it holds the live state: jobs may go to it
        self._missed = False  # it missed an update: replace it (on the loop, which reads its pipe)
        self._loop: asyncio.AbstractEventLoop | None = None  # the loop that reads the pipe
        self._waiting: dict[int, tuple[RankJob, asyncio.Future[Ranking]]] = {}
        self._numbers = itertools.count()
        self.restart_backoff_s = RESTART_BACKOFF_S
        self._next_start = 0.0  # time.monotonic() before which no child is started
        self.answered = self.in_process = 0  # for tests and benchmarks: where jobs ran

    def start(self) -> None:
        """Start the child now and wait until it holds the live state (it loads the catalog and index
        first, ~2 s at 110,000 shops); before any event loop ranks."""
        with self.lock:
            if self._conn is not None:
                return
            try:
                conn = self._conn = self._start_child()
            except OSError:
                _log.warning("cannot start the rank process; ranking in process for now", exc_info=True)
                return
        try:
            ready = pickle.loads(conn.recv_bytes()) == READY
        except (EOFError, OSError, pickle.UnpicklingError):
            ready = False
        with self.lock:
            if ready:
                self._send_state(conn)
            else:  # the service starts all the same: it ranks in process, and tries a child again later
                _log.warning("the rank process did not start; ranking in process for now")
                self._lost(log=False)

    async def rank(self, job: RankJob) -> Ranking:
        loop = asyncio.get_running_loop()
        with self.lock:
            conn = self._connection_for(loop)
            if conn is not None:
                number = next(self._numbers)
                done: asyncio.Future[Ranking] = loop.create_future()
                self._waiting[number] = (job, done)
                try:
                    wire = (tuple(job.query), *job[1:])
                    conn.send_bytes(pickle.dumps((RANK, number, wire), protocol=PICKLE))
                except OSError:
                    self._lost()
                    conn = None
        if conn is None:
            return self.rank_here(job)
        return await done

    def rank_here(self, job: RankJob) -> Ranking:
        """`job` ranked in process, by the service's dispatcher."""
        self.in_process += 1
        found = search_here(self.retriever, job.query)
        with self.lock:
            ranking = rank_found(self.dispatcher, job, found)
            if job.record and isinstance(ranking, PackedDecision):
                self.offered(ranking.rows())
        return ranking

    # The service's own updates of the live state, for the replica; called under the dispatch lock right
    # after the service applied them. Without a child that holds the state, there is nothing to do: the
    # next one receives the state with the update in it.
    def offered(self, rows: list[int]) -> None:
        self._forward((OFFERS, rows))

    def learned(self, strategy: str, shop_id: str, reward: float, context: tuple[float, ...] | None) -> None:
        self._forward((OUTCOME, strategy, shop_id, reward, context))

    def capacity_merged(self, events: list[dict[str, Any]], now: float) -> None:
        self._forward((CAPACITY, events, now))

    def close(self) -> None:
        with self.lock:
            self._lost(log=False)

    def _forward(self, message: tuple[Any, ...]) -> None:
        with self.lock:
            if self._conn is None or not self._ready:
                return
            try:
                self._conn.send_bytes(pickle.dumps(message, protocol=PICKLE))
            except OSError:  # its replica would go on without the update: replaced on the next job
                _log.warning("the rank process did not take an update; a new one will start", exc_info=True)
                self._ready, self._missed = False, True

    def _start_child(self) -> Connection:
        self._next_start = time.monotonic() + self.restart_backoff_s
        return self.child.connection()

    def max_in_flight(self) -> int:
        """Jobs the child may owe answers for at once: MAX_IN_FLIGHT, fewer if its send buffer is small."""
        return max(1, min(MAX_IN_FLIGHT, self.child.answer_room // ANSWER_ROOM))

    def _send_state(self, conn: Connection) -> None:
        """The live state to a child that is ready for it (under the lock, so no update slips between)."""
        conn.send_bytes(pickle.dumps((STATE, export_live_state(self.dispatcher)), protocol=PICKLE))
        self._ready = True

    def _connection_for(self, loop: asyncio.AbstractEventLoop) -> Connection | None:
        """The pipe, read by `loop` (the first loop to rank owns it); None: rank in process."""
        if self._loop is not None and self._loop is not loop:
            if not self._loop.is_closed():
                return None
            self._stop_reading()  # its loop is gone (a test client's, say): this one reads the pipe now
        if len(self._waiting) >= self.max_in_flight():
            return None
        if self._conn is not None and (self._missed or not self.child.alive()):
            self._lost()
        if self._conn is None:
            if time.monotonic() < self._next_start:
                return None
            try:
                self._conn = self._start_child()  # ready once it has loaded the catalog: see _on_message
            except OSError:
                _log.warning("cannot start the rank process; ranking in process", exc_info=True)
                return None
        if self._loop is None:
            watch(loop, self._conn, self._on_message, self._conn)
            self._loop = loop
        return self._conn if self._ready else None

    def _on_message(self, conn: Connection) -> None:
        answered: list[tuple[asyncio.Future[Ranking], Ranking | None, RankJob]] = []
        with self.lock:
            try:
                while conn.poll(0):
                    message = pickle.loads(conn.recv_bytes())
                    if message == READY:
                        self._send_state(conn)
                        continue
                    number, answer = message
                    job, done = self._waiting.pop(number)  # jobs are answered in order, each once
                    ranking = answer if answer is None or isinstance(answer, int) else PackedDecision(*answer)
                    if job.record and isinstance(ranking, PackedDecision):
                        # The child counted these offers in its replica; the service counts them too,
                        # answered or not (a cancelled request was offered all the same).
                        self.dispatcher.exposure.record_offers(np.asarray(ranking.rows(), dtype=np.int64))
                    answered.append((done, ranking, job))
            except Exception:  # EOF, a broken pipe, a garbled answer: the child is of no more use
                self._lost()
        for done, ranking, job in answered:
            if done.done() or done.get_loop().is_closed():  # cancelled, or its loop is gone
                continue
            if ranking is None:  # the child failed this job: the same job, here (where it raises, if it must)
                _resolve_here(self, job, done)
            else:
                done.set_result(ranking)
                self.answered += 1

    def _lost(self, log: bool = True) -> None:
        """Stop the child; what it still owes is ranked here."""
        if log:
            _log.warning("the rank process is gone; a new one starts on the next ranking")
        self._stop_reading()
        self.child.close()
        self._conn, self._ready, self._missed = None, False, False
        for job, done in self._waiting.values():
            if not done.done():
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there any more
                    done.get_loop().call_soon_threadsafe(_resolve_here, self, job, done)
        self._waiting.clear()

    def _stop_reading(self) -> None:
        if self._loop is not None and self._conn is not None:
            with contextlib.suppress(ValueError, RuntimeError, OSError):  # a closed loop or descriptor
                self._loop.remove_reader(self._conn.fileno())
        self._loop = None


def _resolve_here(process: RankProcess, job: RankJob, done: asyncio.Future[Ranking]) -> None:
    if done.done():
        return
    try:
        done.set_result(process.rank_here(job))
    except Exception as error:
        done.set_exception(error)


def serve(conn: Connection) -> None:
    """The child: build a dispatcher like the service's on its own copy of the catalog, say READY, take
    the live state, then apply updates and answer each RANK with (number, ranking as a plain tuple), or
    (number, None) when the job fails, or always when the catalog file no longer holds the service's
    catalog (its rows would name other shops). Plain tuples: here this module is `__main__`, whose
    classes the parent could not unpickle."""
    import faiss

    from assistant.dispatch_wiring import build_dispatcher
    from retrieval.index import GeoIndex

    try:
        catalog_path, fingerprint, index_dir, strategies, default_strategy, stale_after_s = conn.recv()
    except (EOFError, OSError):
        return
    faiss.omp_set_num_threads(1)  # one point per search: see assistant.bootstrap
    table = catalog_copy(catalog_path, fingerprint)
    retriever = dispatcher = None
    if table is not None:
        retriever = Retriever(table, GeoIndex.load(Path(index_dir), fingerprint))
        dispatcher = build_dispatcher(table, strategies, stale_after_s)
        dispatcher.default_strategy = default_strategy
    conn.send_bytes(pickle.dumps(READY, protocol=PICKLE))
    while True:
        try:
            message = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return  # the parent is gone
        if message[0] == RANK:
            _, number, (query, *rest) = message
            job = RankJob(Query(*query), *rest)
            answer: Any = None
            if retriever is not None and dispatcher is not None:
                try:
                    ranking = rank_found(dispatcher, job, search_here(retriever, job.query))
                    answer = ranking if isinstance(ranking, int) else tuple(ranking)
                except Exception:
                    answer = None  # the parent runs it again and raises the error there
            conn.send_bytes(pickle.dumps((number, answer), protocol=PICKLE))
        elif message[0] == STATE and dispatcher is not None:
            try:
                import_live_state(dispatcher, message[1])
            except Exception:  # built unlike the service's: it must not rank, nor start again and again
                _log.exception("the rank process cannot take the service's live state; ranking in process")
                retriever = dispatcher = None
        elif dispatcher is not None:
            _apply(dispatcher, message)  # raises if it cannot: the child exits, the parent starts anew


def _apply(dispatcher: Dispatcher, message: tuple[Any, ...]) -> None:
    kind = message[0]
    if kind == OUTCOME:
        dispatcher.record_outcome(*message[1:])
    elif kind == CAPACITY:
        dispatcher.capacity.apply_events(message[1], now=message[2])
    elif kind == OFFERS:
        dispatcher.exposure.record_offers(np.asarray(message[1], dtype=np.int64))
    else:
        raise ValueError(f"unknown message {kind!r}")


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
