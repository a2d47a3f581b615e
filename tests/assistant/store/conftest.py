"""Every store test runs on each backend: in memory, SQLite in a temporary file, and PostgreSQL in a schema of
its own (dropped afterwards) when `RIH_TEST_DATABASE_URL` is set. CI must set it: there a missing URL fails.
Locally: eval "$(bash scripts/services.sh)".
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from assistant.store import InMemoryStore, SqlStore
from assistant.store.ports import Persistence
from tests.assistant.store.samples import T0

BACKENDS = ["memory", "sqlite", "postgresql"]


class TickingClock:
    """Each reading is a second later than the last: saves are ordered without sleeping."""

    def __init__(self, start: float = T0) -> None:
        self.now = start

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


@pytest.fixture(scope="session")
def postgresql_url() -> str:
    url = os.environ.get("RIH_TEST_DATABASE_URL")
    if not url and os.environ.get("CI"):
        pytest.fail(
            "CI must exercise the PostgreSQL store, but RIH_TEST_DATABASE_URL is not set; "
            'start the server and export it with: eval "$(bash scripts/services.sh)".'
        )
    if not url:
        pytest.skip("RIH_TEST_DATABASE_URL is not set; PostgreSQL store tests skipped.")
    return url


@pytest.fixture
def postgresql_schema_url(postgresql_url: str) -> Iterator[str]:
    """A URL whose connections work in a fresh schema (libpq `options` sets the search_path)."""
    schema = f"rih_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgresql_url, poolclass=sa.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(postgresql_url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def clock() -> TickingClock:
    return TickingClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL of each SQL backend, for tests that open several stores on one database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'data' / 'rih.sqlite'}"
    return str(request.getfixturevalue("postgresql_schema_url"))


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, clock: TickingClock) -> Iterator[Persistence]:
    made: InMemoryStore | SqlStore
    if request.param == "memory":
        made = InMemoryStore(clock=clock)
    elif request.param == "sqlite":
        made = SqlStore.from_url(f"sqlite:///{tmp_path / 'rih.sqlite'}", clock=clock)
    else:
        made = SqlStore.from_url(request.getfixturevalue("postgresql_schema_url"), clock=clock)
    yield made
    made.close()
