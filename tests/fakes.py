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


class SlowAnswer:
    """A scripted answer that arrives only after `seconds` (to exercise timeouts)."""

    def __init__(self, seconds: float, value: Any) -> None:
        self.seconds, self.value = seconds, value


class ScriptedStructuredChatModel:
    """A chat model whose structured output is scripted, for the LLM extractor.

    Each `invoke` answers the next item of `script`: a dict or pydantic object is returned, an exception is
    raised, a `SlowAnswer` waits first. `schemas` records what `with_structured_output` was asked for and
    `calls` every message list received.
    """

    def __init__(self, script: list[Any]) -> None:
        self.script = list(script)
        self.schemas: list[Any] = []
        self.calls: list[Any] = []

    def with_structured_output(self, schema: Any, **kwargs: Any) -> ScriptedStructuredChatModel:
        self.schemas.append(schema)
        return self

    def invoke(self, messages: Any, *args: Any, **kwargs: Any) -> Any:
        import time

        self.calls.append(messages)
        answer = self.script.pop(0) if self.script else None
        if isinstance(answer, SlowAnswer):
            time.sleep(answer.seconds)
            answer = answer.value
        if isinstance(answer, BaseException):
            raise answer
        return answer
