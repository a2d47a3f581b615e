"""RankProcess: search and ranking answered by a child process holding a replica of the live state, exactly
as the service's own dispatcher would answer them, and by the service itself whenever the child cannot."""

from __future__ import annotations

import asyncio
import copy
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.bootstrap import Container, bootstrap, build_catalog
from assistant.preferences import Preferences
from assistant.rank_process import (
    ANSWER_ROOM,
    MAX_IN_FLIGHT,
    Ranking,
    RankJob,
    RankProcess,
    rank_found,
    search_here,
)
from assistant.settings import Settings
from dispatch_core.errors import InvalidInputError
from dispatch_core.ranking import Dispatcher
from retrieval.catalog.store import SqliteCatalogStore
from retrieval.errors import InvalidQueryError
from tests.assistant.orphans import assert_child_exits_when_parent_is_killed
from tests.fakes import HashingEmbedder

ASKS = [
    {"city": "Shanghai"},
    {"city": "Shanghai", "vehicle": {"make": "BMW"}, "damage": {"types": ["paint"]}, "max_distance_km": 30},
    {"city": "Beijing", "vehicle": {"make": "Toyota"}, "dealer_preference": "authorized"},
    {"city": "Guangzhou", "vehicle": {"make": "BYD"}, "top_priority": "speed"},
    {"city": "Chengdu", "damage": {"types": ["ev_battery"]}, "needs_courtesy_car": True},
]


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")), catalog_shops=1_500, retrieval_mode="lexical"
    )
    return bootstrap(settings, embedder=HashingEmbedder(), chat_model=None)  # catalog from its file


@pytest.fixture
def ranker(container: Container) -> Iterator[RankProcess]:
    assert container.catalog_path is not None
    process = RankProcess(
        container.dispatcher,
        container.retriever,
        container.dispatch_lock,
        container.catalog_path,
        container.settings.index_dir,
    )
    yield process
    process.close()


def job(
    container: Container, ask: dict[str, object], seed: int, record: bool = True, **extra: object
) -> RankJob:
    prefs = Preferences.model_validate(ask)
    service = container.dispatch
    _, query = service._query(prefs, None)
    assert query is not None
    request = service._request(prefs, None, query.needs.make, query.needs, ())
    return RankJob(query, request, extra.pop("k", 3), extra.pop("strategy", None), record, seed)  # type: ignore[arg-type]


def here(dispatcher: Dispatcher, container: Container, j: RankJob) -> Ranking:
    return rank_found(dispatcher, j, search_here(container.retriever, j.query))


async def until_ready(ranker: RankProcess, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not ranker._ready:
        assert time.monotonic() < deadline, "no rank process became ready"
        await asyncio.sleep(0.05)


async def _all(ranker: RankProcess, jobs: list[RankJob]) -> list[Ranking]:
    return await asyncio.gather(*(ranker.rank(j) for j in jobs))


def test_the_container_wires_one_when_the_catalog_comes_from_its_file(container: Container) -> None:
    assert isinstance(container.ranker, RankProcess)
    assert container.dispatch.ranker is container.ranker


def test_metrics_count_where_the_container_s_rank_jobs_ran(container: Container) -> None:
    ranker = container.ranker
    ranker.answered, ranker.in_process = 7, 2
    body = container.metrics.render()[0].decode()
    assert 'rih_rank_jobs_total{where="child"} 7.0' in body
    assert 'rih_rank_jobs_total{where="in_process"} 2.0' in body


def test_the_child_ranks_exactly_as_the_service_would(container: Container, ranker: RankProcess) -> None:
    jobs = [job(container, ask, seed) for seed, ask in enumerate(ASKS * 3)]
    ranker.start()
    reference = copy.deepcopy(container.dispatcher)  # the state the child received, ranking in its step
    answers = asyncio.run(_all(ranker, jobs))
    assert ranker.answered == len(jobs) and ranker.in_process == 0
    assert answers == [here(reference, container, j) for j in jobs]
    assert any(not isinstance(a, int) for a in answers)
    # The service counted the offers the child made, in the same order: the two exposures agree.
    assert (container.dispatcher.exposure.offers_raw_ == reference.exposure.offers_raw_).all()


def test_the_replica_follows_the_services_own_updates(container: Container, ranker: RankProcess) -> None:
    """Capacity batches, outcomes and the slates the service ranks itself reach the child, in order: its
    rankings afterwards are the service's."""
    service = container.dispatch
    ranker.start()
    service.ranker = ranker
    try:
        first = asyncio.run(_all(ranker, [job(container, ASKS[0], 1)]))[0]
        assert not isinstance(first, int)
        top = first.shown[0][0]
        container.capacity_feed.replica = ranker.capacity_merged
        closed = [{"shop_id": top, "ts": time.time(), "status": "closed"}]
        assert container.capacity_feed.ingest(closed, source="test").applied == 1
        result = service.recommend(Preferences.model_validate(ASKS[1]))  # ranked and offered here
        assert result.decision_id is not None
        chosen = result.recommendations[0]["shop_id"]
        service.feedback(result.decision_id, chosen, "accepted")
    finally:
        service.ranker = container.ranker
        container.capacity_feed.replica = container.ranker.capacity_merged
    jobs = [job(container, ask, 50 + seed, record=False) for seed, ask in enumerate(ASKS + [ASKS[0]] * 4)]
    answers = asyncio.run(_all(ranker, jobs))
    assert ranker.in_process == 0
    assert answers == [here(container.dispatcher, container, j) for j in jobs]
    shanghai = [a for j, a in zip(jobs, answers, strict=True) if j.query == jobs[0].query]
    assert len(shanghai) == 5 and all(top not in [s[0] for s in a.shown] for a in shanghai)  # type: ignore[union-attr]


def test_what_the_child_cannot_rank_raises_as_it_would_in_process(
    container: Container, ranker: RankProcess
) -> None:
    ranker.start()
    with pytest.raises(InvalidInputError, match="Unknown strategy"):
        asyncio.run(ranker.rank(job(container, ASKS[0], 1, strategy="nope@v9")))
    bad = job(container, ASKS[0], 1)
    bad = bad._replace(query=bad.query._replace(lat=95.0))
    with pytest.raises(InvalidQueryError):
        asyncio.run(ranker.rank(bad))
    assert ranker.in_process == 2  # the child failed them; the service ran them again and raised


def test_jobs_before_the_child_is_ready_run_in_process(container: Container, ranker: RankProcess) -> None:
    first = job(container, ASKS[0], 3, record=False)
    answers = asyncio.run(_all(ranker, [first]))  # starts the child
    assert ranker.in_process == 1
    assert answers[0] == here(container.dispatcher, container, first)


def test_a_dead_child_loses_no_job_and_is_replaced(container: Container, ranker: RankProcess) -> None:
    ranker.restart_backoff_s = 0.0
    ranker.start()
    jobs = [job(container, ASKS[i], i, record=False) for i in range(3)]

    async def run() -> list[Ranking]:
        zeroth = await ranker.rank(jobs[0])
        child = ranker.child._process
        assert child is not None
        child.kill()
        child.wait()
        first = await ranker.rank(jobs[1])  # here; a new child starts
        await until_ready(ranker)  # the new child loads the catalog, says ready and takes the state
        second = await ranker.rank(jobs[2])
        assert ranker.child._process is not None and ranker.child._process.pid != child.pid
        return [zeroth, first, second]

    answers = asyncio.run(run())
    assert answers == [here(container.dispatcher, container, j) for j in jobs]
    assert ranker.answered == 2 and ranker.in_process == 1


def test_a_child_that_missed_an_update_is_replaced_by_one_with_the_whole_state(
    container: Container, ranker: RankProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    ranker.restart_backoff_s = 0.0
    ranker.start()
    asyncio.run(ranker.rank(job(container, ASKS[0], 0, record=False)))
    first = ranker.child._process
    assert first is not None and ranker._conn is not None

    def broken(data: bytes) -> None:
        raise BrokenPipeError("the pipe broke")

    monkeypatch.setattr(container.dispatch, "ranker", ranker)
    monkeypatch.setattr(ranker._conn, "send_bytes", broken)
    result = container.dispatch.recommend(Preferences.model_validate(ASKS[1]))  # its offers fail to go out
    assert result.decision_id is not None
    monkeypatch.undo()
    jobs = [job(container, ask, 10 + i, record=False) for i, ask in enumerate(ASKS)]

    async def run() -> list[Ranking]:
        await ranker.rank(jobs[0])  # here: the child that missed the update is stopped, a new one starts
        await until_ready(ranker)
        return [await ranker.rank(j) for j in jobs]

    answers = asyncio.run(run())
    assert ranker.child._process is not None and ranker.child._process.pid != first.pid
    assert answers == [here(container.dispatcher, container, j) for j in jobs]


def test_a_child_that_cannot_start_leaves_the_service_ranking_and_is_not_retried_at_once(
    container: Container, tmp_path: Path
) -> None:
    d = container.dispatcher
    missing = tmp_path / "gone.sqlite"
    ranker = RankProcess(
        d, container.retriever, container.dispatch_lock, missing, container.settings.index_dir
    )
    jobs = [job(container, ask, i, record=False) for i, ask in enumerate(ASKS)]
    try:
        ranker.start()  # the child dies loading the catalog: the service starts all the same
        answers = asyncio.run(_all(ranker, jobs))
        assert ranker.child._process is None  # no new child within the back-off
    finally:
        ranker.close()
    assert ranker.in_process == len(jobs) and answers == [here(d, container, j) for j in jobs]


def test_another_event_loop_ranks_in_process(container: Container, ranker: RankProcess) -> None:
    ranker.start()
    owner_ready, other_done = threading.Event(), threading.Event()
    results: dict[str, Ranking] = {}
    mine, theirs = job(container, ASKS[0], 0, record=False), job(container, ASKS[3], 3, record=False)

    async def owner() -> None:
        results["owner"] = await ranker.rank(mine)
        owner_ready.set()
        await asyncio.get_running_loop().run_in_executor(None, other_done.wait, 30)

    def other() -> None:
        owner_ready.wait(30)
        results["other"] = asyncio.run(ranker.rank(theirs))
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    asyncio.run(owner())
    thread.join()
    assert ranker.answered == 1 and ranker.in_process == 1
    assert results["other"] == here(container.dispatcher, container, theirs)


def test_jobs_beyond_the_in_flight_bound_run_in_process(container: Container, ranker: RankProcess) -> None:
    ranker.start()
    jobs = [job(container, ASKS[i % len(ASKS)], i, record=False) for i in range(MAX_IN_FLIGHT + 20)]
    answers = asyncio.run(_all(ranker, jobs))
    assert ranker.in_process >= 20 and ranker.answered + ranker.in_process == len(jobs)
    assert answers == [here(container.dispatcher, container, j) for j in jobs]


def test_no_more_jobs_go_to_the_child_than_its_send_buffer_holds_answers_for(ranker: RankProcess) -> None:
    ranker.start()
    assert ranker.child.answer_room >= 64 * 1024  # at least what the kernel grants by default
    ranker.child.answer_room = 5 * ANSWER_ROOM  # a kernel that granted less
    assert ranker.max_in_flight() == 5
    ranker.child.answer_room = 1000 * ANSWER_ROOM
    assert ranker.max_in_flight() == MAX_IN_FLIGHT


def test_a_large_update_sent_under_the_lock_while_answers_are_due_completes(
    container: Container, ranker: RankProcess
) -> None:
    """A thread that holds the dispatch lock (which the loop needs to read answers) sends a capacity batch
    larger than the pipe holds, while the most jobs allowed are in flight with the largest answers: the
    child must go on reading, so both the send and the jobs complete."""
    ranker.start()
    ids = container.catalog["shop_id"].tolist()
    events = [{"shop_id": ids[i % len(ids)], "ts": time.time(), "free_bays": i % 7} for i in range(50_000)]
    jobs = [job(container, ASKS[i % len(ASKS)], i, record=False, k=10) for i in range(ranker.max_in_flight())]
    answers: list[Ranking] = []

    async def run() -> None:
        flights = [asyncio.ensure_future(ranker.rank(j)) for j in jobs]
        await asyncio.sleep(0)  # every job is sent; now the update, from a thread, under the lock
        await asyncio.get_running_loop().run_in_executor(None, forward)
        answers.extend(await asyncio.gather(*flights))

    def forward() -> None:
        with container.dispatch_lock:
            container.dispatcher.capacity.apply_events(events, now=time.time())
            ranker.capacity_merged(events, time.time())

    worker = threading.Thread(target=lambda: asyncio.run(run()), daemon=True)
    worker.start()
    worker.join(timeout=120)
    if worker.is_alive():  # break the wait (the send fails once the child is gone), then fail
        assert ranker.child._process is not None
        ranker.child._process.kill()
        worker.join(timeout=30)
        pytest.fail("the service and the rank process were waiting on each other")
    assert len(answers) == len(jobs) and ranker.answered == len(jobs)


def test_close_stops_the_child(ranker: RankProcess) -> None:
    ranker.start()
    child = ranker.child._process
    assert child is not None and child.poll() is None
    ranker.close()
    assert child.poll() is not None


def test_a_new_loop_takes_the_pipe_over_once_the_old_one_is_closed(
    container: Container, ranker: RankProcess
) -> None:
    ranker.start()
    for i, ask in enumerate(ASKS[:3]):
        asyncio.run(ranker.rank(job(container, ask, i, record=False)))  # each run is a new, then closed, loop
    assert ranker.answered == 3 and ranker.in_process == 0


def test_the_child_exits_when_its_parent_is_killed(container: Container) -> None:
    d = container.dispatcher
    hello = (
        str(container.catalog_path),
        container.catalog.fingerprint(),
        str(container.settings.index_dir),
        {},
        d.default_strategy,
        d.capacity.stale_after_s,
    )
    assert_child_exits_when_parent_is_killed(
        f"""
        import time
        from assistant.child_process import ChildProcess
        child = ChildProcess("assistant.rank_process", {hello!r})
        child.connection()
        print(child._process.pid, flush=True)
        time.sleep(60)
        """
    )


def test_under_uvloop_the_pipe_stays_blocking(container: Container, ranker: RankProcess) -> None:
    """uvloop makes a watched descriptor non-blocking; reading half an answer would then fail (EAGAIN) and
    the child be taken for dead."""
    import uvloop

    ranker.start()
    jobs = [job(container, ASKS[i % len(ASKS)], i, record=False) for i in range(40)]
    answers = uvloop.run(_all(ranker, jobs))
    assert ranker._conn is not None and os.get_blocking(ranker._conn.fileno())
    assert ranker.answered == len(answers) and ranker.in_process == 0


def test_a_child_whose_catalog_file_changed_leaves_every_job_to_the_service(
    container: Container, tmp_path: Path
) -> None:
    """Rows of another catalog would name other shops: the child answers nothing, the service ranks."""
    other = tmp_path / "catalog.sqlite"
    build_catalog(SqliteCatalogStore(other), 300, seed=99)
    d = container.dispatcher
    ranker = RankProcess(d, container.retriever, container.dispatch_lock, other, container.settings.index_dir)
    jobs = [job(container, ask, i, record=False) for i, ask in enumerate(ASKS)]
    try:
        ranker.start()
        answers = asyncio.run(_all(ranker, jobs))
    finally:
        ranker.close()
    assert ranker.answered == 0 and ranker.in_process == len(jobs)
    assert answers == [here(d, container, j) for j in jobs]
