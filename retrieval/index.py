"""The FAISS geo index over the catalog: build, save, load, and rebuild when the catalog changes.

Exact L2 search on unit-sphere coordinates (`IndexFlatL2`, 3-d) is great-circle exact and, with an
`IDSelectorBitmap` of the shops that meet the hard needs, returns the k nearest *capable* shops in one call:
about 0.5 ms at 110,000 shops on one core (benchmarks/bench_retrieval.py), so no approximate index is needed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.table import ShopTable
from retrieval.errors import IndexStaleError
from retrieval.geo import unit_vectors

INDEX_FILE = "geo.faiss"
META_FILE = "index_meta.json"


@dataclass
class GeoIndex:
    """Exact nearest-shop search restricted to a boolean mask of allowed shops."""

    index: faiss.Index
    fingerprint: str

    @classmethod
    def build(cls, table: ShopTable) -> GeoIndex:
        index = faiss.IndexFlatL2(3)
        index.add(unit_vectors(table["lat"], table["lon"]))
        return cls(index=index, fingerprint=table.fingerprint())

    def nearest(
        self, point: NDArray[np.float32], k: int, allowed: NDArray[np.bool_] | None = None
    ) -> tuple[NDArray[np.float32], NDArray[np.int64]]:
        """Squared chord distances and rows of the k nearest allowed shops (fewer if fewer are allowed)."""
        params = None
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")
            # The selector reads the bitmap through a raw pointer: keep `bitmap` alive across the search.
            params = faiss.SearchParameters()
            params.sel = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        distances, rows = self.index.search(point.reshape(1, 3), min(k, self.index.ntotal), params=params)
        found = rows[0] >= 0
        return distances[0][found], rows[0][found].astype(np.int64)

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
