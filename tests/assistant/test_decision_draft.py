"""DecisionDraft: a ranked decision travels as plain data and is finished (explained, recorded) the same way
wherever that happens: in the service, in a writer thread or in the writer process."""

from __future__ import annotations

import os
import pickle
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.bootstrap import Container, bootstrap, build_catalog
from assistant.decision_draft import (
    DecisionDraft,
    NoCatalogError,
    PackedDecision,
    finish_item,
    pack,
    payloads_of,
    unpack,
)
from assistant.dispatch_service import DispatchService
from assistant.explain import ExplainNeeds
from assistant.preferences import Preferences
from assistant.settings import Settings
from assistant.store import SqlStore
from assistant.store.writer_process import WriterProcess, failure_error
from retrieval.catalog.store import SqliteCatalogStore
from tests.assistant.store.samples import decision
from tests.fakes import HashingEmbedder, InMemoryCatalogStore

ASKS = [
    {"city": "Shanghai", "vehicle": {"make": "BMW"}, "damage": {"types": ["paint"]}},
    {"city": "北京", "vehicle": {"make": "Toyota"}, "needs_courtesy_car": True, "deadline_days": 3},
    {
        "city": "Guangzhou",
        "dealer_preference": "authorized",
        "vehicle": {"make": "BYD"},
        "needs_pickup": True,
    },
]


@pytest.fixture(scope="module")
def container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")), catalog_shops=1_500, retrieval_mode="lexical"
    )
    return bootstrap(settings, store=InMemoryCatalogStore(), embedder=HashingEmbedder(), chat_model=None)


def service(container: Container, seed: int = 5) -> DispatchService:
    return DispatchService(
        container.catalog,
        container.retriever,
        container.dispatcher,
        container.decisions,
        rng=np.random.default_rng(seed),
        lock=container.dispatch_lock,
    )


def decide(
    dispatch: DispatchService, ask: dict[str, Any], session_id: str | None, language: str
) -> tuple[Any, DecisionDraft | None]:
    prefs = Preferences.model_validate(ask)
    ranked = dispatch._rank(prefs, None, 3)
    return ranked, dispatch._draft(ranked, session_id, language)


def drafts(container: Container, language: str = "en") -> list[DecisionDraft]:
    out = []
    for i, ask in enumerate(ASKS):
        draft = decide(service(container, seed=i), ask, "s-1", language)[1]
        assert draft is not None
        out.append(draft)
    return out


def test_a_recommendation_survives_packing(container: Container) -> None:
    for language in ("en", "zh"):
        for i, ask in enumerate(ASKS):
            ranked, draft = decide(service(container, seed=i), ask, None, language)
            assert draft is not None and ranked.decision is not None
            assert draft.recommendations() == list(ranked.decision.recommendations)
            assert pickle.loads(pickle.dumps(draft)) == draft


def test_a_decision_survives_packing_as_plain_values(container: Container) -> None:
    for i, ask in enumerate(ASKS):
        ranked, _ = decide(service(container, seed=i), ask, None, "en")
        packed = PackedDecision.of(ranked.decision)
        assert packed.decision() == ranked.decision
        assert (
            PackedDecision(*pickle.loads(pickle.dumps(tuple(packed)))) == packed
        )  # as the rank process sends it
        assert packed.rows() == [r.row for r in ranked.decision.recommendations]


def test_a_factor_list_unlike_the_decision_s_is_refused(container: Container) -> None:
    draft = drafts(container)[0]
    rec = draft.recommendations()[0]
    with pytest.raises(ValueError, match="factors other than"):
        pack(rec, draft.factor_names[:-1])
    assert unpack(pack(rec, draft.factor_names), draft.factor_names) == rec


def test_finishing_gives_the_payloads_and_the_record_the_service_logs(container: Container) -> None:
    for language in ("en", "zh"):
        for draft in drafts(container, language):
            payloads, record = draft.finish(container.catalog)
            recs = draft.recommendations()
            assert payloads == payloads_of(recs, container.catalog, draft.language, draft.make, draft.needs)
            assert [p["shop_id"] for p in payloads] == [r.shop_id for r in recs]
            assert record.decision_id == draft.decision_id and record.session_id == "s-1"
            assert [r["propensity"] for r in record.recommendations] == [r.propensity for r in recs]
            assert [r["context"] for r in record.recommendations] == [list(r.context) for r in recs]
            assert [
                {k: v for k, v in r.items() if k not in ("propensity", "context")}
                for r in record.recommendations
            ] == payloads
            assert record.slate_propensity == pytest.approx(np.prod([r.propensity for r in recs]))


def test_the_customer_s_needs_reach_the_explanation(container: Container) -> None:
    draft = drafts(container)[1]
    assert draft.needs == ExplainNeeds(courtesy_car=True, pickup=False, deadline_days=3, authorized=None)
    zh = drafts(container, "zh")[1]
    assert zh.language == "zh"
    payloads, _ = zh.finish(container.catalog)
    assert all("。" in p["explanation"] for p in payloads)


def test_finish_item_stores_a_record_as_it_is_and_needs_a_catalog_for_a_draft(container: Container) -> None:
    record = decision("d-1")
    assert finish_item(record, None) == (record, None)
    with pytest.raises(ValueError, match="needs the catalog"):
        finish_item(drafts(container)[0], None)


def test_the_writer_process_finishes_drafts_as_the_service_would(
    container: Container, tmp_path: Path
) -> None:
    catalog_path = tmp_path / "catalog.sqlite"
    SqliteCatalogStore(catalog_path).save(container.catalog, {"seed": 0})
    url = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}").url
    batch = drafts(container, "zh")
    process = WriterProcess(
        url, catalog_path=catalog_path, catalog_fingerprint=container.catalog.fingerprint()
    )
    try:
        conn = process.connection()
        conn.send([*batch, decision("d-plain")])
        outcomes = conn.recv()
    finally:
        process.close()
    assert [failure for failure, _ in outcomes] == [None] * 4
    reader = SqlStore.from_url(url)
    for draft, (_, answer) in zip(batch, outcomes, strict=False):
        payloads, record = draft.finish(container.catalog)
        assert answer == payloads
        assert reader.get(draft.decision_id) == record
    assert outcomes[-1] == (None, None) and reader.get("d-plain") == decision("d-plain")
    reader.close()


def test_a_draft_the_writer_cannot_finish_fails_alone(container: Container, tmp_path: Path) -> None:
    url = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}").url
    process = WriterProcess(url)  # no catalog: it can store records, not finish drafts
    try:
        conn = process.connection()
        conn.send([decision("d-1"), drafts(container)[0], decision("d-2")])
        outcomes = conn.recv()
    finally:
        process.close()
    assert outcomes[0] == (None, None) and outcomes[2] == (None, None)
    failure, answer = outcomes[1]
    assert answer is None and "needs the catalog" in str(failure_error(failure))
    assert SqlStore.from_url(url).counts() == (2, 0)


def test_under_uvloop_a_large_batch_of_drafts_is_answered_whole(container: Container, tmp_path: Path) -> None:
    """uvloop makes a watched pipe non-blocking; the committer must still read a multi-megabyte answer
    (payloads of a few hundred drafts) and send a large batch whole, without taking the child for dead."""
    import asyncio

    import uvloop

    from assistant.store.loop_commit import LoopCommitter

    catalog_path = tmp_path / "catalog.sqlite"
    SqliteCatalogStore(catalog_path).save(container.catalog, {"seed": 0})
    url = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}").url
    base = drafts(container, "zh")
    many = [d._replace(record=replace(d.record, decision_id=f"d-{i}")) for i in range(200) for d in base[:1]]
    fingerprint = container.catalog.fingerprint()
    committer = LoopCommitter(WriterProcess(url, catalog_path=catalog_path, catalog_fingerprint=fingerprint))

    async def run() -> list[Any]:
        first = await committer.record(many[0])  # one alone first: the next ones queue into big batches
        return [first, *await asyncio.gather(*(committer.record(d) for d in many[1:]))]

    try:
        answers = uvloop.run(run())
        child, conn = committer.process._process, committer.process._conn
        assert conn is not None and os.get_blocking(conn.fileno())  # whole messages, not EAGAIN mid-way
    finally:
        committer.close()
    assert child is not None and committer.committed == len(many)
    assert all(answer == base[0].finish(container.catalog)[0] for answer in answers)


def test_a_writer_whose_catalog_file_changed_explains_nothing(container: Container, tmp_path: Path) -> None:
    """Its file no longer holds the service's catalog (rebuilt since): the child fails a draft rather than
    explain it with other shops' names, and still stores records."""
    process = _writer_on_another_catalog(container, tmp_path)
    try:
        conn = process.connection()
        conn.send([drafts(container)[0], decision("d-1")])
        (failure, _), stored = conn.recv()
    finally:
        process.close()
    assert failure is not None and isinstance(failure_error(failure), NoCatalogError)
    assert stored == (None, None)


def test_the_service_finishes_what_such_a_writer_cannot_and_the_writer_commits_it(
    container: Container, tmp_path: Path
) -> None:
    import asyncio

    from assistant.store.loop_commit import LoopCommitter

    process = _writer_on_another_catalog(container, tmp_path)
    base = drafts(container)
    with_catalog, without = LoopCommitter(process, catalog=container.catalog), LoopCommitter(process)

    async def run() -> list[Any]:
        return await asyncio.gather(*(with_catalog.record(d) for d in base))

    try:
        answers = asyncio.run(run())
        with pytest.raises(NoCatalogError):  # without the service's catalog, nobody can finish it
            asyncio.run(without.record(base[0]._replace(record=replace(base[0].record, decision_id="x-1"))))
    finally:
        with_catalog.close()
    assert answers == [d.finish(container.catalog)[0] for d in base]
    store = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}")
    for d in base:
        assert store.get(d.decision_id) == d.finish(container.catalog)[1]


def _writer_on_another_catalog(container: Container, tmp_path: Path) -> WriterProcess:
    catalog_path = tmp_path / "catalog.sqlite"
    build_catalog(SqliteCatalogStore(catalog_path), 300, seed=99)
    url = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}").url
    return WriterProcess(url, catalog_path=catalog_path, catalog_fingerprint=container.catalog.fingerprint())
