"""SearchProcess: candidate retrieval answered by a child process, exactly as the loop would answer it, and
by the loop itself whenever the child cannot."""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from assistant.bootstrap import Container, bootstrap, build_catalog
from assistant.search_process import MAX_IN_FLIGHT, Found, Query, SearchProcess, search_here
from assistant.settings import Settings
from retrieval.catalog.store import SqliteCatalogStore
from retrieval.errors import InvalidQueryError
from retrieval.needs import Needs
from tests.assistant.orphans import assert_child_exits_when_parent_is_killed
from tests.fakes import HashingEmbedder

QUERIES = [
    Query(31.23, 121.47, 200, Needs(), None),
    Query(31.23, 121.47, 200, Needs(("paint",), "BMW", False), 30.0),
    Query(39.90, 116.40, 50, Needs(("glass", "collision"), "Toyota", True), None),
    Query(23.13, 113.26, 200, Needs((), "BYD", False), 5.0),
    Query(30.57, 104.07, 10, Needs(("ev_battery",), None, False), None),
]


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")), catalog_shops=1_500, retrieval_mode="lexical"
    )
    return bootstrap(settings, embedder=HashingEmbedder(), chat_model=None)  # catalog from its file


@pytest.fixture
def searcher(container: Container) -> Iterator[SearchProcess]:
    assert container.catalog_path is not None
    process = SearchProcess(container.retriever, container.catalog_path, container.settings.index_dir)
    yield process
    process.close()


def same(a: Found, b: Found) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_the_container_wires_one_when_the_catalog_comes_from_its_file(container: Container) -> None:
    assert isinstance(container.searcher, SearchProcess)
    assert container.dispatch.searcher is container.searcher


def test_the_child_answers_exactly_as_the_loop_would(container: Container, searcher: SearchProcess) -> None:
    async def run() -> list[Found]:
        return await asyncio.gather(*(searcher.search(q) for q in QUERIES))

    answers = asyncio.run(run())
    assert searcher.answered == len(QUERIES) and searcher.in_process == 0
    for query, found in zip(QUERIES, answers, strict=True):
        assert same(found, search_here(container.retriever, query))
    assert any(len(found.rows) for found in answers)


def test_an_invalid_query_raises_as_it_would_in_process(searcher: SearchProcess) -> None:
    with pytest.raises(InvalidQueryError):
        asyncio.run(searcher.search(Query(95.0, 121.47, 200, Needs(), None)))
    assert searcher.in_process == 1  # the child failed it; the loop ran it again and raised


def test_a_dead_child_loses_no_search_and_is_replaced(container: Container, searcher: SearchProcess) -> None:
    async def run() -> tuple[Found, Found, Found]:
        zeroth = await searcher.search(QUERIES[0])  # the loop reads the first child's pipe from here on
        child = searcher.child._process
        assert child is not None
        child.kill()
        child.wait()
        first = await searcher.search(QUERIES[1])  # a new child, on a new pipe
        second = await searcher.search(QUERIES[2])
        assert searcher.child._process is not None and searcher.child._process.pid != child.pid
        return zeroth, first, second

    answers = asyncio.run(run())
    for query, found in zip(QUERIES, answers, strict=False):
        assert same(found, search_here(container.retriever, query))
    assert searcher.answered == 3 and searcher.in_process == 0


def test_another_event_loop_searches_in_process(container: Container, searcher: SearchProcess) -> None:
    owner_ready, other_done = threading.Event(), threading.Event()
    results: dict[str, Found] = {}

    async def owner() -> None:
        results["owner"] = await searcher.search(QUERIES[0])
        owner_ready.set()
        await asyncio.get_running_loop().run_in_executor(None, other_done.wait, 30)

    def other() -> None:
        owner_ready.wait(30)
        results["other"] = asyncio.run(searcher.search(QUERIES[3]))
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    asyncio.run(owner())
    thread.join()
    assert searcher.answered == 1 and searcher.in_process == 1
    assert same(results["other"], search_here(container.retriever, QUERIES[3]))


def test_searches_beyond_the_in_flight_bound_run_in_process(
    container: Container, searcher: SearchProcess
) -> None:
    many = [QUERIES[i % len(QUERIES)] for i in range(MAX_IN_FLIGHT + 20)]

    async def run() -> list[Found]:
        return await asyncio.gather(*(searcher.search(q) for q in many))

    answers = asyncio.run(run())
    assert searcher.in_process >= 20 and searcher.answered + searcher.in_process == len(many)
    for query, found in zip(many, answers, strict=True):
        assert same(found, search_here(container.retriever, query))


def test_close_stops_the_child(searcher: SearchProcess) -> None:
    searcher.start()
    child = searcher.child._process
    assert child is not None and child.poll() is None
    searcher.close()
    assert child.poll() is not None


def test_a_new_loop_takes_the_pipe_over_once_the_old_one_is_closed(searcher: SearchProcess) -> None:
    for query in QUERIES[:3]:
        asyncio.run(searcher.search(query))  # each run is a new loop; the one before is closed
    assert searcher.answered == 3 and searcher.in_process == 0


def test_the_child_exits_when_its_parent_is_killed(container: Container) -> None:
    hello = (str(container.catalog_path), container.catalog.fingerprint(), str(container.settings.index_dir))
    assert_child_exits_when_parent_is_killed(
        f"""
        import time
        from assistant.child_process import ChildProcess
        child = ChildProcess("assistant.search_process", {hello!r})
        child.connection()
        print(child._process.pid, flush=True)
        time.sleep(60)
        """
    )


def test_under_uvloop_the_pipe_stays_blocking(container: Container, searcher: SearchProcess) -> None:
    """uvloop makes a watched descriptor non-blocking; reading half an answer would then fail (EAGAIN) and
    the child be taken for dead."""
    import uvloop

    async def run() -> list[Found]:
        return await asyncio.gather(*(searcher.search(q) for q in QUERIES * 8))

    answers = uvloop.run(run())
    assert searcher._conn is not None and os.get_blocking(searcher._conn.fileno())
    assert searcher.answered == len(answers) and searcher.in_process == 0


def test_a_child_whose_catalog_file_changed_leaves_every_search_to_the_loop(
    container: Container, tmp_path: Path
) -> None:
    """Rows of another catalog would name other shops: the child answers nothing, the loop searches."""
    other = tmp_path / "catalog.sqlite"
    build_catalog(SqliteCatalogStore(other), 300, seed=99)
    searcher = SearchProcess(container.retriever, other, container.settings.index_dir)
    try:
        answers = asyncio.run(_all(searcher, QUERIES))
    finally:
        searcher.close()
    assert searcher.answered == 0 and searcher.in_process == len(QUERIES)
    for query, found in zip(QUERIES, answers, strict=True):
        assert same(found, search_here(container.retriever, query))


async def _all(searcher: SearchProcess, queries: list[Query]) -> list[Found]:
    return await asyncio.gather(*(searcher.search(q) for q in queries))
