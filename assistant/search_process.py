"""`SearchProcess`: candidate retrieval in a child process, awaited by the event loop.

Retrieval reads only the catalog and its geo index, which never change while the server runs, so it need
not run on the event loop, where it was ~15 % of the loop's time under load (py-spy, 300 requests/s at
110,000 shops). A child process with its own copy of both answers the searches on the other core while
the loop parses, ranks and answers other requests.

The loop sends each search (a pickled tuple) as it comes; the child answers them in order; one reader
callback on the pipe resolves the waiting requests. Whatever goes wrong on the way (the child died, it
failed a search, the caller runs on another event loop than the one that reads the pipe) the search is
run in process instead, by the same `Retriever` code on the same catalog, so a request never fails for
it: an invalid query raises there as it always has. A dead child is replaced on the next search.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import pickle
import sys
import threading
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from assistant.child_process import ChildProcess, catalog_copy, watch
from retrieval.needs import Needs
from retrieval.retriever import Retriever

_log = logging.getLogger("rih.search")
# Searches awaiting the child at most; more run in process. It bounds what sits in the pipe, so the loop's
# blocking send can never wait on a child that is itself waiting for the loop to read its answers.
MAX_IN_FLIGHT = 64


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


def search_here(retriever: Retriever, query: Query) -> Found:
    found = retriever.search(query.lat, query.lon, k=query.k, needs=query.needs, max_km=query.max_km)
    return Found(found.rows, found.distance_km, found.coverage)


class SearchProcess:
    """Searches `retriever`'s catalog in a child that loads its own copy from `catalog_path` and
    `index_dir`; `retriever` itself answers whatever the child cannot."""

    def __init__(self, retriever: Retriever, catalog_path: Path, index_dir: Path) -> None:
        self.retriever = retriever
        hello = (str(catalog_path), retriever.table.fingerprint(), str(index_dir))
        self.child = ChildProcess("assistant.search_process", hello)
        self._lock = threading.Lock()
        self._conn: Connection | None = None  # the child's pipe that `_loop` reads
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: dict[int, tuple[Query, asyncio.Future[Found]]] = {}
        self._numbers = itertools.count()
        self.answered = self.in_process = 0  # for tests and benchmarks: where searches ran

    def start(self) -> None:
        """Start the child now (it loads the catalog and index, ~2 s at 110,000 shops)."""
        self.child.connection()

    async def search(self, query: Query) -> Found:
        loop = asyncio.get_running_loop()
        with self._lock:
            conn = self._connection_for(loop)
            if conn is not None:
                number = next(self._numbers)
                done: asyncio.Future[Found] = loop.create_future()
                self._waiting[number] = (query, done)
                try:
                    conn.send_bytes(pickle.dumps((number, tuple(query)), protocol=pickle.HIGHEST_PROTOCOL))
                except OSError:
                    self._lost()
                    conn = None
        if conn is None:
            self.in_process += 1
            return search_here(self.retriever, query)
        return await done

    def close(self) -> None:
        with self._lock:
            self._lost(log=False)

    def _connection_for(self, loop: asyncio.AbstractEventLoop) -> Connection | None:
        """The pipe, read by `loop` (the first loop to search owns it); None: search in process."""
        if self._loop is not None and self._loop is not loop:
            if not self._loop.is_closed():
                return None
            self._loop = None  # its loop is gone (a test client's, say): this one reads the pipe now
        if len(self._waiting) >= MAX_IN_FLIGHT:
            return None
        if self._conn is not None and not self.child.alive():
            self._forget()  # before `connection()` closes the dead child's pipe, whose reader this removes
        try:
            conn = self.child.connection()
        except OSError:
            _log.warning("cannot start the search process; searching in process", exc_info=True)
            return None
        if conn is not self._conn or self._loop is None:  # a new child, or a new loop to read it
            self._forget()
            watch(loop, conn, self._on_answers, conn)
            self._conn, self._loop = conn, loop
        return conn

    def _on_answers(self, conn: Connection) -> None:
        answered: list[tuple[asyncio.Future[Found], Found | None, Query]] = []
        with self._lock:
            try:
                while conn.poll(0):
                    number, arrays = pickle.loads(conn.recv_bytes())
                    waiting = self._waiting.pop(number, None)
                    if waiting is not None:  # else already searched here, when a new loop took over
                        answered.append((waiting[1], None if arrays is None else Found(*arrays), waiting[0]))
            except Exception:  # EOF, a broken pipe, a garbled answer: the child is of no more use
                answered += [(done, None, query) for query, done in self._waiting.values()]
                self._waiting.clear()
                self._lost()
        for done, found, query in answered:
            if done.done() or done.get_loop().is_closed():  # cancelled, or its loop is gone
                continue
            if found is None:  # the child failed this search (or died): the same search, here
                _resolve_here(self.retriever, query, done)
                self.in_process += 1
            else:
                done.set_result(found)
                self.answered += 1

    def _lost(self, log: bool = True) -> None:
        if log:
            _log.warning("the search process is gone; a new one starts on the next search")
        self._forget()
        self.child.close()

    def _forget(self) -> None:
        """Stop reading the current pipe; what it still owes is searched here."""
        if self._loop is not None and self._conn is not None:
            with contextlib.suppress(ValueError, RuntimeError, OSError):  # a closed loop or descriptor
                self._loop.remove_reader(self._conn.fileno())
        self._conn = self._loop = None
        for query, done in self._waiting.values():
            if not done.done():
                with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits there any more
                    done.get_loop().call_soon_threadsafe(_resolve_here, self.retriever, query, done)
        self._waiting.clear()


def _resolve_here(retriever: Retriever, query: Query, done: asyncio.Future[Found]) -> None:
    if done.done():
        return
    try:
        done.set_result(search_here(retriever, query))
    except Exception as error:
        done.set_exception(error)


def serve(conn: Connection) -> None:
    """The child: answer each (number, query fields) with (number, (rows, distance_km, coverage)), or
    (number, None) when the search fails, or always when the catalog file no longer holds the service's
    catalog (its rows would name other shops). Plain tuples both ways: here this module is `__main__`,
    whose classes the parent could not unpickle."""
    import faiss

    from retrieval.index import GeoIndex

    try:
        catalog_path, fingerprint, index_dir = conn.recv()
    except (EOFError, OSError):
        return
    faiss.omp_set_num_threads(1)  # one point per search: see assistant.bootstrap
    table = catalog_copy(catalog_path, fingerprint)
    retriever = None if table is None else Retriever(table, GeoIndex.load(Path(index_dir), fingerprint))
    while True:
        try:
            number, fields = pickle.loads(conn.recv_bytes())
        except (EOFError, OSError):
            return  # the parent is gone
        answer: Any
        try:
            answer = None if retriever is None else tuple(search_here(retriever, Query(*fields)))
        except Exception:
            answer = None  # the parent runs it again and raises the error there
        conn.send_bytes(pickle.dumps((number, answer), protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
