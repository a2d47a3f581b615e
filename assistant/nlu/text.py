"""A message prepared once for every extractor: normalised text, clauses, language and negation scope.

Normalisation is NFKC (full-width digits, letters and punctuation become ASCII: '５公里' -> '5公里')
with curly quotes straightened. Every span the extractors report is into `Doc.text`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from assistant.nlu.language import detect_language
from assistant.nlu.segment import Token, tokens

_HAN = re.compile(r"[\u4e00-\u9fff]")

# Clause boundaries: punctuation, and "but" / 但是 / 不过 (a negation never reaches across them).
_CLAUSE_BREAK = re.compile(
    r"[,;!?。；…\n:()【】]+|\.(?=\s|$)|\s+(?:but|though|although|and then)\s+|但是|但|不过|可是|而是"
)
_EN_NEGATOR = re.compile(
    r"\b(?:no|not|never|without|nobody|none|nor|neither|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|"
    r"weren'?t|won'?t|wouldn'?t|can'?t|cannot|couldn'?t|shouldn'?t|hardly|rather not)\b",
    re.IGNORECASE,
)
# Chinese negators are whole jieba tokens, so 别克 (Buick), 非常 (very) and 无锡 (a city) negate nothing.
_ZH_NEGATORS = frozenset(
    {
        "不", "没", "没有", "无", "别", "非", "未", "免", "不要", "不用", "不需要", "不需", "无需",
        "无须", "不想", "不必", "不是", "不在", "不能", "不会", "不太", "不一定", "并非", "没必要", "甭",
        "勿", "没人", "无人", "不再",
    }
)  # fmt: skip
_EN_AFTER_NEGATION = re.compile(
    r"^[\s,]*(?:is|are|was|'s|:)?\s*(?:not needed|not necessary|not required|unnecessary|isn'?t (?:needed|"
    r"necessary|an issue|a problem|a concern|important|always)|is not (?:needed|an issue|a problem|important|"
    r"always)|not an issue|not a (?:problem|concern|priority)|doesn'?t matter|don'?t matter|no problem|"
    r"is fine without|not important|not a big deal)",
    re.IGNORECASE,
)
# An English negation stops at these words: "doesn't start after the flood" does not negate the flood.
_EN_SCOPE = re.compile(
    r"\b(?:after|since|because|when|while|from|due to|caused by|so|then|and|until|before)\b", re.I
)
_ZH_AFTER_NEGATION = re.compile(
    r"^.{0,2}?(?:不需要|不需|不用|不要了|就不用|也不用|无所谓|不是问题|不是事|不重要|没关系|不在乎|"
    r"不care|没事|没坏|没问题|不一定|免了|就算了|都不需要|不必)"
)


def any_of(*alternatives: str) -> str:
    """One regex alternation written as readable pieces, one idea per piece."""
    return "|".join(alternatives)


def normalize(text: str) -> str:
    """NFKC with straight quotes and single spaces."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")
    return re.sub(r"[ \t]+", " ", text).strip()


@dataclass(frozen=True)
class Doc:
    """One customer message, normalised; `clauses` are (start, end) spans of `text`."""

    text: str
    language: str
    clauses: tuple[tuple[int, int], ...] = field(default=())

    @classmethod
    def of(cls, raw: str) -> Doc:
        text = normalize(raw)
        return cls(text=text, language=detect_language(text), clauses=_clauses(text))

    @cached_property
    def lower(self) -> str:
        return self.text.lower()

    @cached_property
    def tokens(self) -> tuple[Token, ...]:
        """jieba tokens (empty for a message without Chinese)."""
        return tuple(tokens(self.text)) if _HAN.search(self.text) else ()

    def clause_at(self, pos: int) -> tuple[int, int]:
        for start, end in self.clauses:
            if start <= pos < end:
                return start, end
        return pos, pos

    def clause_text(self, pos: int) -> str:
        start, end = self.clause_at(pos)
        return self.text[start:end]

    def negated(self, start: int, end: int) -> bool:
        """Whether a cue at [start, end) is negated in its clause ('no loaner needed', '代步车不需要了')."""
        c_start, c_end = self.clause_at(start)
        before, after = self.text[c_start:start], self.text[end:c_end]
        zh_before = any(
            t.word in _ZH_NEGATORS and not self._asks(t)
            for t in self.tokens
            if max(c_start, start - 6) <= t.start and t.end <= start
        )
        return (
            zh_before
            or bool(_EN_NEGATOR.search(" ".join(_EN_SCOPE.split(before)[-1].split()[-6:])))
            or bool(_EN_AFTER_NEGATION.search(after) or _ZH_AFTER_NEGATION.search(after))
        )

    def _asks(self, token: Token) -> bool:
        """'能不能', '有没有', '要不要': an A-not-A question, not a negation."""
        i = token.start
        return i > 0 and i + 1 < len(self.text) and self.text[i - 1] == self.text[i + 1]


def _clauses(text: str) -> tuple[tuple[int, int], ...]:
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        if match.start() > start:
            spans.append((start, match.start()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return tuple(spans)
