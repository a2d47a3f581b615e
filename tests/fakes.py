"""Hand-written fakes for the ports (no mocks): deterministic, fast, in memory."""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.table import ShopTable


class HashingEmbedder:
    """Character-trigram hashing embedder: similar strings get similar vectors; no model, no I/O."""

    name = "fake-hashing"
    dim = 64

    def _one(self, text: str) -> NDArray[np.float32]:
        vector = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {text.lower()}  "
        for i in range(len(padded) - 2):
            digest = hashlib.blake2b(padded[i : i + 3].encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self.dim] += 1.0
        return vector / max(float(np.linalg.norm(vector)), 1e-12)

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        return np.stack([self._one(t) for t in texts])

    def embed_passages(self, texts: list[str]) -> NDArray[np.float32]:
        return self.embed_queries(texts)


class InMemoryCatalogStore:
    """Catalog store that keeps the table in a dict."""

    def __init__(self) -> None:
        self._table: ShopTable | None = None
        self._meta: dict[str, Any] = {}
        self.saves = 0

    def exists(self) -> bool:
        return self._table is not None

    def save(self, table: ShopTable, meta: dict[str, Any]) -> None:
        self._table, self._meta = table, {**meta, "n_shops": len(table), "fingerprint": table.fingerprint()}
        self.saves += 1

    def load(self) -> ShopTable:
        assert self._table is not None, "nothing saved yet"
        return self._table

    def meta(self) -> dict[str, Any]:
        return dict(self._meta)
