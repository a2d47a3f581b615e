"""Small seeded markets for the simulator tests: built once per session, each a few seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulator.config import SimConfig, load_config
from simulator.runner import simulate
from simulator.world import World, build_world

# The insurer's real load per shop (0.24 claims a shop a day) on a 3,000-shop sample of the network.
SMALL = {"n_shops": 3000, "n_claims": 7200, "days": 10, "workers": 1}
TINY = {"n_shops": 1500, "n_claims": 1500, "days": 3, "workers": 1, "drain_days": 5}


@pytest.fixture(scope="session")
def small_config() -> SimConfig:
    return load_config(None, SMALL)


@pytest.fixture(scope="session")
def small_run(
    small_config: SimConfig, tmp_path_factory: pytest.TempPathFactory
) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("small")
    return simulate(small_config, out, show_progress=False), out


@pytest.fixture(scope="session")
def tiny_world() -> World:
    return build_world(load_config(None, TINY))
