"""`ChildProcess`: a helper interpreter the service talks to over a socket pair, started on demand.

A fresh interpreter (`python -m MODULE FD`), not multiprocessing's spawn: that re-imports the parent's
`__main__`, which a server's entry point or a test runner does not expect. Its first message (`hello`) goes
over the socket, not the command line, where `ps` would show a database password. The child exits when it
reads EOF: when `close` closes the parent's end, or when the parent exits or is killed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from retrieval.catalog.table import ShopTable

_log = logging.getLogger("rih.children")


class ChildProcess:
    """`python -m module FD`, sent `hello` first: `connection()` starts it if need be (again, if it
    died), `close()` stops it."""

    def __init__(self, module: str, hello: Any, answer_buffer: int | None = None) -> None:
        """`answer_buffer`: bytes to ask for the child's sending end of the pipe (what it may write
        before the parent reads; the kernel caps it at `net.core.wmem_max`)."""
        self.module, self.hello, self.answer_buffer = module, hello, answer_buffer
        self.answer_room = 0  # the child's send buffer, as the kernel granted it (set on start)
        self._lock = threading.Lock()  # start and stop from any thread
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None

    def connection(self) -> Connection:
        """The pipe to a running child; a new one (a new connection) when the last one died."""
        with self._lock:
            if self._conn is None or self._process is None or self._process.poll() is not None:
                self._stop()
                parent, child = socket.socketpair()
                if self.answer_buffer is not None:
                    child.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.answer_buffer)
                self.answer_room = child.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
                process = subprocess.Popen(
                    [sys.executable, "-m", self.module, str(child.fileno())], pass_fds=[child.fileno()]
                )
                child.close()
                conn = Connection(parent.detach())
                conn.send(self.hello)
                self._process, self._conn = process, conn
            return self._conn

    def alive(self) -> bool:
        """Started and not exited (a dead child is replaced by the next `connection()`)."""
        with self._lock:
            return self._process is not None and self._process.poll() is None

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _stop(self) -> None:
        conn, process, self._conn, self._process = self._conn, self._process, None, None
        if conn is not None:
            conn.close()  # the child reads EOF and exits
        if process is not None:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def watch(
    loop: asyncio.AbstractEventLoop, conn: Connection, callback: Callable[..., None], *args: Any
) -> None:
    """`loop.add_reader` for a child's pipe, which then stays blocking.

    uvloop (libuv) switches a watched descriptor to non-blocking mode, and leaves it so after
    `remove_reader`. A `Connection` reads and writes whole messages with plain read/write calls: on a
    non-blocking pipe, the rest of a message not yet written by the child (a batch's payloads run to
    megabytes), or a full pipe on a send, raises BlockingIOError half-way, and the child would be taken
    for dead. The readiness callback only tells that a message has begun; reading the rest blocks until
    the child has written it, which it is doing.
    """
    loop.add_reader(conn.fileno(), callback, *args)
    os.set_blocking(conn.fileno(), True)


def catalog_copy(path: str, fingerprint: str) -> ShopTable | None:
    """A helper process's own copy of the service's catalog, loaded from its file: None (and an error in the
    log) when the file no longer holds the catalog the service runs on (rebuilt since the service started),
    whose rows and shops would not match the service's."""
    from retrieval.catalog.store import SqliteCatalogStore

    table = SqliteCatalogStore(Path(path)).load()
    if table.fingerprint() != fingerprint:
        _log.error("the catalog at %s changed since the service started; restart the service to use it", path)
        return None
    return table
