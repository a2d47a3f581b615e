"""Candidate retrieval: "shops near (lat, lon) that can do X for make Y", for dispatch_core to rank.

Hard needs (capabilities, make served, authorized dealer) become a bitmap; the FAISS geo index returns the
k nearest shops inside it. If fewer than k shops meet every need, the nearest shops that serve the make
but cover only part of the needs fill the rest, marked by `coverage` < 1 so the ranker can tell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.cities import find_city
from retrieval.catalog.table import ShopTable
from retrieval.catalog.vocabulary import MAKE_INDEX, SHOP_TYPE_INDEX
from retrieval.errors import InvalidQueryError
from retrieval.geo import check_point, chord_sq_to_km, unit_vectors
from retrieval.index import GeoIndex
from retrieval.needs import NeedParser, Needs

MAX_K = 10_000
_DEALER = SHOP_TYPE_INDEX["4s_dealer"]


@dataclass(frozen=True)
class CandidateSet:
    """Retrieved shops, nearest capable first. Arrays have one entry per candidate, shape (n,)."""

    rows: NDArray[np.int64]
    shop_ids: NDArray[np.str_]
    distance_km: NDArray[np.float64]
    coverage: NDArray[np.float64]  # share of the needed capabilities the shop has; 1.0 = all
    needs: Needs

    def __len__(self) -> int:
        return len(self.rows)


MASK_CACHE_SIZE = 256  # x 2 masks x 110,000 shops = 56 MB at most


class Retriever:
    """Answers candidate queries over one catalog and its geo index."""

    def __init__(self, table: ShopTable, index: GeoIndex, parser: NeedParser | None = None) -> None:
        if index.fingerprint != table.fingerprint():
            raise ValueError("The geo index was built from a different catalog; rebuild it.")
        self.table, self.index, self.parser = table, index, parser
        self._caps = table["capabilities"].astype(np.int64)
        self._makes = table["authorized_makes"].astype(np.int64)
        self._dealer = table["shop_type"] == _DEALER
        # Masks of the shops meeting a need, by (make, authorised only, capability bits): a handful of
        # distinct needs recur across requests, and each mask costs several passes over 110,000 shops.
        self._masks: dict[tuple[str | None, bool, int], tuple[NDArray[np.bool_], NDArray[np.bool_]]] = {}

    def search(
        self,
        lat: float,
        lon: float,
        k: int = 200,
        needs: Needs | None = None,
        text: str | None = None,
        max_km: float | None = None,
    ) -> CandidateSet:
        """The k nearest shops meeting `needs` (or the needs parsed from `text`) around (lat, lon)."""
        check_point(lat, lon)
        if not 1 <= k <= MAX_K:
            raise InvalidQueryError(f"k must be between 1 and {MAX_K}; got {k}.")
        if max_km is not None and not max_km > 0:
            raise InvalidQueryError(f"max_km must be a positive distance in km; got {max_km}.")
        needs = needs or self._parse(text)
        point = unit_vectors(np.array([lat]), np.array([lon]))[0]
        bits = needs.capability_bits()
        serves, capable = self._need_masks(needs, bits)
        chord_sq, rows = self.index.nearest(point, k, capable)
        if len(rows) < k:
            more_sq, more_rows = self.index.nearest(point, k - len(rows), serves & ~capable)
            chord_sq, rows = np.concatenate([chord_sq, more_sq]), np.concatenate([rows, more_rows])
        distance = chord_sq_to_km(chord_sq)
        keep = distance <= max_km if max_km is not None else np.ones(len(rows), dtype=bool)
        rows, distance = rows[keep], distance[keep]
        return CandidateSet(
            rows=rows,
            shop_ids=self.table["shop_id"][rows],
            distance_km=distance,
            coverage=self._coverage(rows, bits),
            needs=needs,
        )

    def search_city(
        self,
        city: str,
        k: int = 200,
        needs: Needs | None = None,
        text: str | None = None,
        max_km: float | None = None,
    ) -> CandidateSet:
        """Like `search`, from the centre of a named city ('Shanghai' or '上海'); unknown cities raise."""
        found = find_city(city)
        return self.search(found.lat, found.lon, k=k, needs=needs, text=text, max_km=max_km)

    def _need_masks(self, needs: Needs, bits: int) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """(serves the make, serves it and has every needed capability), cached; read-only arrays."""
        key = (needs.make, needs.authorized_only, bits)
        masks = self._masks.get(key)
        if masks is None:
            serves = self.serves(needs)
            capable = serves & ((self._caps & bits) == bits)
            serves.flags.writeable = capable.flags.writeable = False
            if len(self._masks) >= MASK_CACHE_SIZE:
                self._masks.pop(next(iter(self._masks)))
            masks = self._masks[key] = (serves, capable)
        return masks

    def serves(self, needs: Needs) -> NDArray[np.bool_]:
        """Shops that take this make: a 4S dealer only its own brands, others any brand unless 4S is asked."""
        if needs.make is None:
            return self._dealer.copy() if needs.authorized_only else np.ones(len(self._caps), dtype=bool)
        authorized = (self._makes >> MAKE_INDEX[needs.make] & 1).astype(bool)
        return authorized if needs.authorized_only else authorized | ~self._dealer

    def _parse(self, text: str | None) -> Needs:
        if text is None:
            return Needs()
        if self.parser is None:
            raise InvalidQueryError(
                "This retriever has no need parser; pass structured `needs` instead of text."
            )
        return self.parser.parse(text)

    def _coverage(self, rows: NDArray[np.int64], bits: int) -> NDArray[np.float64]:
        if bits == 0:
            return np.ones(len(rows))
        have: NDArray[np.uint8] = np.bitwise_count(self._caps[rows] & bits)
        return have.astype(np.float64) / bits.bit_count()
