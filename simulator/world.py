"""Everything every policy shares: the shops and their truth, the claims, the customers, the candidates.

Built once per run from the config's seed; policies then run on it side by side (common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from simulator.candidates import CandidateTable, find_candidates
from simulator.claims import ClaimStream, generate_claims
from simulator.config import SimConfig
from simulator.customers import Customers, generate_customers
from simulator.shops import ShopWorld, build_shops


@dataclass(frozen=True)
class World:
    config: SimConfig
    shops: ShopWorld
    claims: ClaimStream
    customers: Customers
    candidates: CandidateTable

    @property
    def n_steps(self) -> int:
        """Steps over which claims arrive (the drain after them is extra)."""
        return len(self.claims.step_bounds) - 1


def build_world(config: SimConfig, progress: Callable[[int], None] | None = None) -> World:
    """The shared world of `config`; `progress(shops_done)` follows the catalog build."""
    shops = build_shops(config, progress)
    claims = generate_claims(config)
    return World(
        config=config,
        shops=shops,
        claims=claims,
        customers=generate_customers(config, claims),
        candidates=find_candidates(config, shops, claims),
    )
