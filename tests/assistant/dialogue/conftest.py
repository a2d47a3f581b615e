"""A wired product on a small in-memory catalog, local backend, seeded exploration."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.bootstrap import Container, bootstrap
from assistant.dispatch_service import DispatchService
from assistant.settings import Settings
from tests.fakes import HashingEmbedder, InMemoryCatalogStore


@pytest.fixture(scope="package")
def container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("data")), catalog_shops=3_000, retrieval_mode="lexical"
    )
    wired = bootstrap(settings, store=InMemoryCatalogStore(), embedder=HashingEmbedder(), chat_model=None)
    wired._dispatch = DispatchService(
        wired.catalog, wired.retriever, wired.dispatcher, wired.decisions, rng=np.random.default_rng(7)
    )
    return wired
