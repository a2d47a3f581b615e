"""The real app and its web pages on a small seeded catalog (hashing embedder, local backend, no network)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.bootstrap import Container, bootstrap
from assistant.settings import Settings
from assistant.web import install_web
from tests.fakes import HashingEmbedder, InMemoryCatalogStore

AGENT_KEY = "agent-test-key-0123456789"
OPS_KEY = "ops-test-key-0123456789"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives headless Chromium against the served app")


def build_web_app(container: Container) -> FastAPI:
    """The app as `create_app` builds it; `install_web` is a no-op when `create_app` already called it."""
    app = create_app(container)
    install_web(app)
    return app


@pytest.fixture(scope="package")
def web_container(tmp_path_factory: pytest.TempPathFactory) -> Container:
    settings = Settings(
        data_dir=Path(tmp_path_factory.mktemp("web-data")),
        catalog_shops=3_000,
        retrieval_mode="lexical",
        agent_key=SecretStr(AGENT_KEY),
        ops_key=SecretStr(OPS_KEY),
        llm_base_url=None,
        database_url=None,  # SQLite in the temporary data dir, whatever the environment says
        redis_url=None,
    )
    return bootstrap(settings, store=InMemoryCatalogStore(), embedder=HashingEmbedder(), chat_model=None)


@pytest.fixture(scope="package")
def web_app(web_container: Container) -> Any:
    return build_web_app(web_container)
