"""The one place where ports meet adapters. Entrypoints (CLI, API, tests) call `bootstrap()`.

Tests pass fakes for any port; everything else comes from `Settings`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import faiss

from assistant.dispatch_wiring import build_dispatcher
from assistant.recovery import restore_live_state
from assistant.settings import Settings
from assistant.store import make_store
from assistant.store.ports import Persistence
from dispatch_core.ranking import Dispatcher
from dispatch_core.strategy import load_strategies
from retrieval.catalog.generator import generate_catalog
from retrieval.catalog.store import CatalogStore, SqliteCatalogStore
from retrieval.catalog.table import ShopTable
from retrieval.embedder import Embedder, make_embedder
from retrieval.index import GeoIndex
from retrieval.needs import NeedParser
from retrieval.retriever import Retriever


@dataclass
class Container:
    """Everything a request handler or command needs, wired once."""

    settings: Settings
    catalog: ShopTable
    retriever: Retriever
    embedder: Embedder
    dispatcher: Dispatcher
    persistence: Persistence  # sessions, decisions, outcomes, capacity events
    # The catalog's SQLite file when it was loaded from one: the decision writer process loads its own copy
    # from it to explain decisions off the event loop (without one, they are explained in process).
    catalog_path: Path | None = None
    chat_model: Any | None = None  # a LangChain chat model when RIH_LLM_BASE_URL is set
    metrics: Any | None = None  # ServiceMetrics: counters the services feed, /metrics renders
    # dispatch_core's live state (exposure, learners, capacity) is plain numpy: one writer at a time.
    dispatch_lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _dispatch: Any = field(default=None, repr=False)
    _writer: Any = field(default=None, repr=False)
    _ranker: Any = field(default=None, repr=False)
    _conversation: Any = field(default=None, repr=False)
    _capacity_feed: Any = field(default=None, repr=False)

    @property
    def decisions(self) -> Persistence:
        """The decision log (the persistence store implements it)."""
        return self.persistence

    @property
    def dispatch(self) -> Any:
        """The dispatch tool service (built on first use)."""
        from assistant.dispatch_service import DispatchService

        if self._dispatch is None:
            self._dispatch = DispatchService(
                self.catalog,
                self.retriever,
                self.dispatcher,
                self.persistence,
                lock=self.dispatch_lock,
                metrics=self.metrics,
                writer=self.decision_writer,
                ranker=self.ranker,
            )
        return self._dispatch

    @property
    def ranker(self) -> Any:
        """Search and ranking in a child process for the event loop (`assistant.rank_process`), when
        `rank_process` is on and the catalog came from its file; None: the loop ranks itself."""
        from assistant.rank_process import RankProcess

        if self._ranker is None and self.settings.rank_process and self.catalog_path is not None:
            self._ranker = RankProcess(
                self.dispatcher,
                self.retriever,
                self.dispatch_lock,
                self.catalog_path,
                self.settings.index_dir,
            )
            ranker = self._ranker
            if self.metrics is not None:
                self.metrics.rank_jobs(lambda: {"child": ranker.answered, "in_process": ranker.in_process})
        return self._ranker

    @property
    def decision_writer(self) -> Any:
        """Group commit of decisions for the event loop: the SQL writes run in a child process that the loop
        drives itself, unless `decision_writer` says thread (or the store is in memory), whose thread
        starts on first use."""
        from assistant.store import SqlStore
        from assistant.store.group_commit import GroupCommitter
        from assistant.store.loop_commit import LoopCommitter
        from assistant.store.writer_process import WriterProcess

        if self._writer is None:
            process_mode = self.settings.decision_writer == "process" and self.catalog_path is not None
            if process_mode and isinstance(self.persistence, SqlStore):
                process = WriterProcess(
                    self.persistence.url,
                    self.settings.sqlite_synchronous,
                    self.catalog_path,
                    self.catalog.fingerprint(),
                )
                self._writer = LoopCommitter(process, catalog=self.catalog)
            else:
                self._writer = GroupCommitter(self.persistence, catalog=self.catalog)
        return self._writer

    @property
    def capacity_feed(self) -> Any:
        """Capacity events into the live state, persisted first (built on first use)."""
        from assistant.capacity_feed import CapacityFeed

        if self._capacity_feed is None:
            ranker = self.ranker
            self._capacity_feed = CapacityFeed(
                self.dispatcher.capacity,
                self.persistence,
                metrics=self.metrics,
                lock=self.dispatch_lock,
                replica=ranker.capacity_merged if ranker is not None else None,
            )
        return self._capacity_feed

    @property
    def conversation(self) -> Any:
        """Chat sessions over the dialogue graph (LLM-driven when a chat model is configured)."""
        if self._conversation is None:
            from assistant.conversation import Conversation
            from assistant.dialogue.graph import build_graph
            from assistant.dialogue.ports import DialogueDeps, LocalUnderstanding
            from assistant.extraction import make_extractor
            from assistant.prompts import load_templates

            deps = DialogueDeps(
                dispatch=self.dispatch,
                extractor=make_extractor(self.settings),
                understanding=LocalUnderstanding(),
                templates=load_templates("local_replies"),
                chat_model=self.chat_model,
            )
            self._conversation = Conversation(build_graph(deps), self.persistence, deps, metrics=self.metrics)
        return self._conversation


def build_catalog(
    store: CatalogStore, n_shops: int, seed: int, progress: Callable[[int], None] | None = None
) -> ShopTable:
    """Generate a catalog and save it through the store port."""
    table = generate_catalog(n_shops, seed=seed, progress=progress)
    store.save(table, {"seed": seed, "generator": "retrieval.catalog.generator"})
    return table


def ensure_catalog(
    settings: Settings, store: CatalogStore | None = None, progress: Callable[[int], None] | None = None
) -> ShopTable:
    """Load the catalog, building the default one first if none exists yet."""
    store = store or SqliteCatalogStore(settings.catalog_path)
    if not store.exists():
        return build_catalog(store, settings.catalog_shops, settings.catalog_seed, progress)
    return store.load()


def bootstrap(
    settings: Settings | None = None,
    *,
    store: CatalogStore | None = None,
    embedder: Embedder | None = None,
    persistence: Persistence | None = None,
    chat_model: Any | None = None,
    metrics: Any | None = None,
) -> Container:
    """Wire the product on the given (or environment) settings; tests pass fakes for any port.

    `persistence` defaults to SQLite in the data dir (PostgreSQL with `RIH_DATABASE_URL`); what it holds is
    replayed at start so a restart keeps the learners, this month's targets and live capacity.
    """
    settings = settings or Settings()
    store = store or SqliteCatalogStore(settings.catalog_path)
    catalog = ensure_catalog(settings, store)
    embedder = embedder or make_embedder(settings.embedder)
    index = GeoIndex.load_or_build(settings.index_dir, catalog)
    # A request searches one point: FAISS's OpenMP team only spins on the other core for it (measured: the
    # same search takes 1.3x the wall time and 2.7x the CPU with 2 threads as with 1). Torch keeps its own.
    faiss.omp_set_num_threads(1)
    retriever = Retriever(catalog, index, NeedParser(embedder, mode=settings.retrieval_mode))
    dispatcher = build_dispatcher(catalog, load_strategies(settings.strategies_dir))
    if persistence is None:
        persistence = make_store(settings.database_url, settings.data_dir, settings.sqlite_synchronous)
    if metrics is None:
        from assistant.observability.metrics import ServiceMetrics

        metrics = ServiceMetrics()
    container = Container(
        settings=settings,
        catalog=catalog,
        retriever=retriever,
        embedder=embedder,
        dispatcher=dispatcher,
        persistence=persistence,
        catalog_path=store.path if isinstance(store, SqliteCatalogStore) else None,
        chat_model=chat_model if chat_model is not None else make_chat_model(settings),
        metrics=metrics,
    )
    restore_live_state(container, now=time.time())
    return container


def make_chat_model(settings: Settings) -> Any | None:
    """An OpenAI-compatible chat model when `RIH_LLM_BASE_URL` is set; None means the local backend."""
    if not settings.llm_base_url:
        return None
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
    return ChatOpenAI(
        base_url=settings.llm_base_url,
        api_key=key,  # type: ignore[arg-type]
        model=settings.llm_model,
        timeout=settings.llm_timeout_s,
        max_retries=1,
        temperature=0,
    )
