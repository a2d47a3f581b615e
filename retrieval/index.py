"""The geo index over the catalog: build, save, load, and rebuild when the catalog changes.

Exact L2 search on unit-sphere coordinates (3-d) is great-circle exact. Two paths give the same answers:
- `GeoGrid` (retrieval/geo_grid.py), first: reads only the cells around the claim (or, for a sparse mask,
  only the allowed shops), measures them with FAISS's own distance kernel and returns the k nearest only when
  it can prove no other shop is closer;
- the flat FAISS search (`IndexFlatL2` + an `IDSelectorBitmap` of the shops that meet the hard needs), for
  what the grid cannot prove (antimeridian, poles, k > 2,000). It is also the saved artifact: the grid is
  rebuilt from its vectors on load, in ~40 ms.
At 110,000 shops, k=200, realistic need masks, one core (benchmarks/bench_geo_grid.py, on a shared 2-core
box): FAISS alone p50 0.89 ms; grid first p50 0.14 ms (x6.4), p99 0.46 ms; no call fell back to FAISS,
and every answer had FAISS's distances bit for bit.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.table import ShopTable
from retrieval.errors import IndexStaleError
from retrieval.geo import unit_vectors
from retrieval.geo_grid import GeoGrid

INDEX_FILE = "geo.faiss"
META_FILE = "index_meta.json"
GRID_CHECK_QUERIES, GRID_CHECK_K = 4, 256

log = logging.getLogger(__name__)


@dataclass
class GeoIndex:
    """Exact nearest-shop search restricted to a boolean mask of allowed shops.

    The grid (built from the index's own vectors, so a saved index needs nothing new) answers first; the
    flat FAISS search answers whatever the grid cannot certify.
    """

    index: faiss.Index
    fingerprint: str
    grid: GeoGrid | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.grid = self._exact_grid()

    @classmethod
    def build(cls, table: ShopTable) -> GeoIndex:
        index = faiss.IndexFlatL2(3)
        index.add(unit_vectors(table["lat"], table["lon"]))
        return cls(index=index, fingerprint=table.fingerprint())

    def nearest(
        self, point: NDArray[np.float32], k: int, allowed: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Squared chord distances and rows of the k nearest allowed shops (fewer if fewer are allowed).

        Nearest first; the grid orders equal distances by row, FAISS in no stated order.
        """
        if self.grid is not None and len(self.grid.rows_) == self.index.ntotal:  # shops added: grid stale
            found = self.grid.nearest(point, k, allowed)
            if found is not None:
                return found
        return self.search_flat(point, k, allowed)

    def search_flat(
        self, point: NDArray[np.float32], k: int, allowed: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """`nearest` by the exhaustive FAISS search alone: the fallback, and the reference to test against."""
        # Always pass a selector: without one, FAISS (several threads, 10,000+ shops) switches to an
        # inner-product kernel that rounds the distances of nearby shops to 0 and can rank them wrongly.
        selector: faiss.IDSelector = faiss.IDSelectorAll()
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")
            # The selector reads the bitmap through a raw pointer: keep `bitmap` alive across the search.
            selector = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        params = faiss.SearchParameters()
        params.sel = selector
        distances, rows = self.index.search(point.reshape(1, 3), min(k, self.index.ntotal), params=params)
        found = rows[0] >= 0
        return distances[0][found], rows[0][found].astype(np.int64)

    def _exact_grid(self) -> GeoGrid | None:
        """A grid over the index's own vectors, or None if its distances would not be FAISS's bit for bit.

        The grid borrows FAISS's distance kernel; this guards against a FAISS build whose search uses another.
        """
        index = self.index
        if not isinstance(index, faiss.IndexFlatL2) or index.d != 3 or index.ntotal == 0:
            return None
        vectors = index.reconstruct_n(0, index.ntotal)
        grid = GeoGrid(vectors)
        for row in np.linspace(0, index.ntotal - 1, GRID_CHECK_QUERIES).astype(np.int64):
            distances, rows = self.search_flat(vectors[row], GRID_CHECK_K)
            if not np.array_equal(grid.chord_sq(vectors[row], rows), distances):
                log.warning("Grid distances differ from FAISS's on this build; using the flat search only.")
                return None
        return grid

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(directory / INDEX_FILE))
        (directory / META_FILE).write_text(
            json.dumps({"fingerprint": self.fingerprint, "ntotal": self.index.ntotal})
        )

    @classmethod
    def load(cls, directory: Path, expected_fingerprint: str) -> GeoIndex:
        """Load a saved index; raise `IndexStaleError` if it was built from another catalog."""
        meta_path = directory / META_FILE
        if not meta_path.exists():
            raise IndexStaleError(f"No saved index in {directory}.")
        meta = json.loads(meta_path.read_text())
        if meta["fingerprint"] != expected_fingerprint:
            raise IndexStaleError(
                f"Index in {directory} was built for catalog {meta['fingerprint']}, "
                f"not {expected_fingerprint}."
            )
        return cls(index=faiss.read_index(str(directory / INDEX_FILE)), fingerprint=meta["fingerprint"])

    @classmethod
    def load_or_build(cls, directory: Path, table: ShopTable) -> GeoIndex:
        """The saved index if it matches `table`, else a fresh one (saved for next time)."""
        try:
            return cls.load(directory, table.fingerprint())
        except IndexStaleError:
            index = cls.build(table)
            index.save(directory)
            return index
