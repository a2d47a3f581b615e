"""The one place where ports meet adapters. Entrypoints (CLI, API, tests) call `bootstrap()`.

Tests pass fakes for any port; everything else comes from `Settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from assistant.decision_log import DecisionLog, InMemoryDecisionLog
from assistant.dispatch_wiring import build_dispatcher
from assistant.settings import Settings
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
    decisions: DecisionLog
    chat_model: Any | None = None  # a LangChain chat model when RIH_LLM_BASE_URL is set
    _dispatch: Any = field(default=None, repr=False)
    _conversation: Any = field(default=None, repr=False)

    @property
    def dispatch(self) -> Any:
        """The dispatch tool service (built on first use)."""
        from assistant.dispatch_service import DispatchService

        if self._dispatch is None:
            self._dispatch = DispatchService(self.catalog, self.retriever, self.dispatcher, self.decisions)
        return self._dispatch

    @property
    def conversation(self) -> Any:
        """Chat sessions over the dialogue graph (LLM-driven when a chat model is configured)."""
        if self._conversation is None:
            from assistant.conversation import Conversation, InMemorySessionStore
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
            self._conversation = Conversation(build_graph(deps), InMemorySessionStore(), deps)
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
    decisions: DecisionLog | None = None,
    chat_model: Any | None = None,
) -> Container:
    """Wire the product on the given (or environment) settings; tests pass fakes for any port."""
    settings = settings or Settings()
    catalog = ensure_catalog(settings, store)
    embedder = embedder or make_embedder(settings.embedder)
    index = GeoIndex.load_or_build(settings.index_dir, catalog)
    retriever = Retriever(catalog, index, NeedParser(embedder, mode=settings.retrieval_mode))
    dispatcher = build_dispatcher(catalog, load_strategies(settings.strategies_dir))
    return Container(
        settings=settings,
        catalog=catalog,
        retriever=retriever,
        embedder=embedder,
        dispatcher=dispatcher,
        decisions=decisions or InMemoryDecisionLog(),
        chat_model=chat_model if chat_model is not None else make_chat_model(settings),
    )


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
