"""Candidate shops per claim, found once and shared by every policy (they all see the same claims).

Retrieval's rule (`retrieval.retriever`): a shop qualifies if it has every needed capability and takes
the make; a 4S dealer takes only its own makes, any other shop takes every make. Per claim we keep the
`candidates_k` nearest qualifying non-dealers plus the `dealer_candidates_k` nearest qualifying dealers of
the make, within `max_distance_km`. The search is exact k-nearest-neighbour on unit-sphere coordinates
(the same geometry as the FAISS index), one scipy KD-tree per distinct need, queried for all its claims at
once: retrieval one claim at a time (about 1 ms) would cost 15 minutes at 800,000 claims.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from retrieval.geo import EARTH_RADIUS_KM
from simulator.claims import ClaimStream
from simulator.config import SimConfig
from simulator.shops import ShopWorld

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CandidateTable:
    """`rows` (n_claims, K) catalog rows nearest first, -1 past the last; `distance_km` (n_claims, K),
    inf past the last."""

    rows: NDArray[np.int32]
    distance_km: NDArray[np.float32]

    @property
    def width(self) -> int:
        return int(self.rows.shape[1])


def unit_xyz(lat: FloatArray, lon: FloatArray) -> FloatArray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)], axis=1)


def chord_to_km(chord: FloatArray) -> FloatArray:
    return np.asarray(2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / 2.0, 1.0)), dtype=np.float64)


def find_candidates(config: SimConfig, world: ShopWorld, claims: ClaimStream) -> CandidateTable:
    """The candidate table of every claim (see the module docstring for the rule)."""
    n, k_shop, k_dealer = len(claims), config.candidates_k, config.dealer_candidates_k
    width = k_shop + k_dealer
    rows = np.full((n, width), -1, dtype=np.int32)
    dist = np.full((n, width), np.inf, dtype=np.float32)
    shop_xyz = unit_xyz(world.table["lat"].astype(np.float64), world.table["lon"].astype(np.float64))
    claim_xyz = unit_xyz(claims.lat, claims.lon)
    bound = 2.0 * np.sin(config.max_distance_km / (2.0 * EARTH_RADIUS_KM))  # chord of the max distance
    caps = world.table["capabilities"].astype(np.int64)
    dealer = world.table["shop_type"] == world.data.dealer_type
    makes = world.table["authorized_makes"].astype(np.int64)
    for bits in np.unique(claims.capabilities):
        group = np.flatnonzero(claims.capabilities == bits)
        capable = (caps & bits) == bits
        found = _nearest(shop_xyz, capable & ~dealer, claim_xyz[group], k_shop, bound)
        rows[group, :k_shop], dist[group, :k_shop] = found
        if k_dealer == 0:
            continue
        for make in np.unique(claims.make[group]):
            sub = group[claims.make[group] == make]
            allowed = capable & dealer & ((makes >> make) & 1).astype(bool)
            rows[sub, k_shop:], dist[sub, k_shop:] = _nearest(
                shop_xyz, allowed, claim_xyz[sub], k_dealer, bound
            )
    order = np.argsort(dist, axis=1, kind="stable")
    return CandidateTable(
        rows=np.take_along_axis(rows, order, axis=1), distance_km=np.take_along_axis(dist, order, axis=1)
    )


def _nearest(
    shop_xyz: FloatArray, allowed: NDArray[np.bool_], points: FloatArray, k: int, bound: float
) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """Rows (m, k) and km (m, k) of the k nearest allowed shops within chord `bound`; -1 / inf for none."""
    rows = np.full((len(points), k), -1, dtype=np.int32)
    km = np.full((len(points), k), np.inf, dtype=np.float32)
    pool = np.flatnonzero(allowed)
    if pool.size == 0 or k == 0:
        return rows, km
    chord, idx = cKDTree(shop_xyz[pool]).query(points, k=k, distance_upper_bound=bound)
    chord, idx = chord.reshape(len(points), k), idx.reshape(len(points), k)
    hit = idx < pool.size
    rows[hit] = pool[idx[hit]]
    km[hit] = chord_to_km(chord[hit])
    return rows, km
