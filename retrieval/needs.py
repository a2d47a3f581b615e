"""Turn a free-text need ("能修特斯拉电池的店", "BMW dealer for a cracked windshield") into structured needs.

Two matchers, combined as hybrid retrieval usually is:
- lexical: a bilingual gazetteer of capability, make and dealer words (exact, precise, brittle to paraphrase);
- dense: the query embedding against a FAISS inner-product index of every concept's phrases in both
  languages (robust to paraphrase, but multilingual-e5 similarities are bunched, so it is the fallback).
`mode` picks one or both; benchmarks/bench_retrieval.py measures each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import faiss
import numpy as np
from numpy.typing import NDArray

from retrieval.catalog.vocabulary import (
    AUTHORIZED_WORDS_EN,
    AUTHORIZED_WORDS_ZH,
    CAPABILITIES,
    CAPABILITY_INDEX,
    MAKES,
    Make,
)
from retrieval.embedder import Embedder

Mode = Literal["hybrid", "lexical", "dense"]
# A dense capability within this cosine of the best one is kept too (a query can ask for two things).
DENSE_CAPABILITY_MARGIN = 0.012
# A dense make must beat the runner-up make by this much: a wrong make filters out every right shop.
DENSE_MAKE_MARGIN = 0.02


@dataclass(frozen=True)
class Needs:
    """What the customer needs from a shop; `evidence` says which matcher found each item."""

    capabilities: tuple[str, ...] = ()
    make: str | None = None
    authorized_only: bool = False
    evidence: dict[str, str] = field(default_factory=dict, compare=False)

    def capability_bits(self) -> int:
        return sum(1 << CAPABILITY_INDEX[c] for c in self.capabilities)


def _phrase_table() -> list[tuple[str, str]]:
    """(concept, phrase) pairs: 'cap:glass' / 'make:BMW' with every English and Chinese phrase."""
    pairs = [(f"cap:{c.name}", p) for c in CAPABILITIES for p in (c.en, c.zh, *c.synonyms_en, *c.synonyms_zh)]
    pairs += [(f"make:{m.name}", p) for m in MAKES for p in (m.name, m.zh, *m.aliases)]
    return pairs


class NeedParser:
    """Parse needs from text with the lexical, dense or hybrid matcher."""

    def __init__(self, embedder: Embedder, mode: Mode = "hybrid") -> None:
        self.mode = mode
        self._embedder = embedder
        pairs = _phrase_table()
        self._concepts = np.array([c for c, _ in pairs])
        vectors = embedder.embed_passages([p for _, p in pairs])
        self._index = faiss.IndexFlatIP(vectors.shape[1])
        self._index.add(vectors)

    def parse(self, text: str, query_vector: NDArray[np.float32] | None = None) -> Needs:
        """Needs in `text`; pass `query_vector` when the caller has already embedded the text."""
        lexical = parse_lexical(text) if self.mode != "dense" else Needs()
        if self.mode == "lexical" or (lexical.capabilities and lexical.make):
            return lexical
        vector = query_vector if query_vector is not None else self._embedder.embed_queries([text])[0]
        ranked, make = self._dense(vector)
        # Hybrid uses dense only as a fallback for what the gazetteer missed, and then one capability:
        # a wrong extra capability (a hard filter downstream) would exclude every right shop.
        caps = (
            ranked[:1] if self.mode == "hybrid" else tuple(sorted(ranked, key=CAPABILITY_INDEX.__getitem__))
        )
        evidence = dict(lexical.evidence)
        if not lexical.capabilities:
            evidence.update({c: "dense" for c in caps})
        if lexical.make is None and make is not None:
            evidence[make] = "dense"
        return Needs(
            capabilities=lexical.capabilities or caps,
            make=lexical.make or make,
            authorized_only=lexical.authorized_only or _says_authorized(text),
            evidence=evidence,
        )

    def _dense(self, vector: NDArray[np.float32]) -> tuple[tuple[str, ...], str | None]:
        scores, rows = self._index.search(vector.reshape(1, -1).astype(np.float32), self._index.ntotal)
        best: dict[str, float] = {}
        for score, row in zip(scores[0], rows[0], strict=True):
            best.setdefault(str(self._concepts[row]), float(score))  # results are sorted: first is the max
        caps = sorted(((s, c[4:]) for c, s in best.items() if c.startswith("cap:")), reverse=True)
        makes = sorted(((s, c[5:]) for c, s in best.items() if c.startswith("make:")), reverse=True)
        ranked = tuple(c for s, c in caps if s >= caps[0][0] - DENSE_CAPABILITY_MARGIN)  # best first
        make = makes[0][1] if makes[0][0] - makes[1][0] >= DENSE_MAKE_MARGIN else None
        return ranked, make


def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted({w.lower() for w in words}, key=len, reverse=True)
    # Simple English inflections (dent -> dented, dents, denting) without a stemmer.
    alternatives = "|".join(re.escape(w) for w in ordered)
    return re.compile(r"(?<![a-z0-9])(" + alternatives + r")(?:s|es|ed|d|ing)?(?![a-z0-9])")


_CAPABILITY_EN = {c.name: _word_pattern((*c.synonyms_en, c.en)) for c in CAPABILITIES}
_MAKE_EN = {m.name: _word_pattern((m.name, *[a for a in m.aliases if a.isascii()])) for m in MAKES}
_AUTHORIZED_EN = _word_pattern(AUTHORIZED_WORDS_EN)


def _says_authorized(text: str) -> bool:
    lowered = text.lower()
    return bool(_AUTHORIZED_EN.search(lowered)) or any(w.lower() in lowered for w in AUTHORIZED_WORDS_ZH)


def parse_lexical(text: str) -> Needs:
    """Gazetteer match in both languages: English on word boundaries, Chinese as substrings."""
    lowered = text.lower()
    caps = [
        c.name
        for c in CAPABILITIES
        if _CAPABILITY_EN[c.name].search(lowered) or any(z in text for z in (c.zh, *c.synonyms_zh))
    ]
    hits = [(m.name, min(_first_hit(lowered, text, m))) for m in MAKES if _first_hit(lowered, text, m)]
    make = min(hits, key=lambda h: h[1])[0] if hits else None
    evidence = {**{c: "lexical" for c in caps}, **({make: "lexical"} if make else {})}
    return Needs(
        capabilities=tuple(caps), make=make, authorized_only=_says_authorized(text), evidence=evidence
    )


def _first_hit(lowered: str, text: str, make: Make) -> list[int]:
    """Positions where a make is named (English pattern or any Chinese name/alias); empty if never."""
    found = _MAKE_EN[make.name].search(lowered)
    positions = [found.start()] if found else []
    positions += [text.find(z) for z in (make.zh, *[a for a in make.aliases if not a.isascii()]) if z in text]
    return positions
