"""The one place where ports meet adapters. Entrypoints (CLI, API, tests) call `bootstrap()`.

Tests pass fakes for any port; everything else comes from `Settings`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from assistant.settings import Settings
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
    settings: Settings | None = None, *, store: CatalogStore | None = None, embedder: Embedder | None = None
) -> Container:
    """Wire the product on the given (or environment) settings."""
    settings = settings or Settings()
    catalog = ensure_catalog(settings, store)
    embedder = embedder or make_embedder(settings.embedder)
    index = GeoIndex.load_or_build(settings.index_dir, catalog)
    retriever = Retriever(catalog, index, NeedParser(embedder, mode=settings.retrieval_mode))
    return Container(settings=settings, catalog=catalog, retriever=retriever, embedder=embedder)
