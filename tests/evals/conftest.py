"""One seeded eval catalog for the eval tests (built once: about a second)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from evals.scenarios.model import Scenario, load_scenarios
from evals.scenarios.wiring import EvalWorld


@pytest.fixture(scope="package")
def world() -> Iterator[EvalWorld]:
    built = EvalWorld.build(n_shops=5_000, seed=7)
    yield built
    built.close()


@pytest.fixture(scope="package")
def scenarios() -> dict[str, Scenario]:
    return {s.id: s for s in load_scenarios()}
