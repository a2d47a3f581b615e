"""Chinese word segmentation with jieba, taught the gazetteers' names so they come out as whole tokens.

A private `jieba.Tokenizer` (not the global one) so other users of jieba are unaffected. Loading the
dictionary costs about a second once per process (`assistant.nlu.warm_up` does it ahead of time).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

logging.getLogger("jieba").setLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG level


# Words that start with a negator character but negate nothing; as whole tokens they stay out of the way.
NOT_NEGATIONS = ("无痕", "无损", "无锡", "非常", "别克", "不错", "不少", "未来")


@dataclass(frozen=True)
class Token:
    word: str
    start: int
    end: int


@functools.cache
def _base() -> tuple[jieba.Tokenizer, dict[str, int]]:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer, {w: f for w, f in tokenizer.FREQ.items() if f > 0}


def word_frequency(word: str) -> int:
    """How common `word` is in jieba's own dictionary (0 when it is not a word there)."""
    return _base()[1].get(word, 0)


_READY: list[jieba.Tokenizer] = []
_LOCK = threading.Lock()  # requests arrive on several threads; the dictionary is taught once


def _tokenizer() -> jieba.Tokenizer:
    if not _READY:
        with _LOCK:
            if not _READY:
                from assistant.nlu.places import place_words
                from assistant.nlu.vehicles import vehicle_words

                tokenizer, _ = _base()
                _teach(tokenizer, [*place_words(), *vehicle_words(), *NOT_NEGATIONS])
                _READY.append(tokenizer)
    return _READY[0]


def _teach(tokenizer: jieba.Tokenizer, words: Iterable[str]) -> None:
    for word in sorted(set(words)):
        if len(word) >= 2 and not word.isascii() and tokenizer.FREQ.get(word, 0) < 50:
            tokenizer.add_word(word, freq=max(tokenizer.FREQ.get(word, 0), 1000))


def tokens(text: str) -> list[Token]:
    """jieba tokens of `text` with their character spans (precise mode, no HMM: deterministic and fast)."""
    return [Token(w, s, e) for w, s, e in _tokenizer().tokenize(text, HMM=False)]
