"""Which language a customer writes in: Chinese when Han characters carry the message, else English."""

from __future__ import annotations

import re
from typing import Literal

_HAN = re.compile(r"[\u3400-\u9fff]")
# Latin words that are names, models or codes ('BMW', 'X5', 'Model 3', '4S') do not make a text English.
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z']*")


def detect_language(text: str) -> Literal["en", "zh"]:
    """'zh' when Han characters outweigh ordinary English words ('我的BMW X5' is Chinese), else 'en'."""
    han = len(_HAN.findall(text))
    if han == 0:
        return "en"
    words = [w for w in _LATIN_WORD.findall(text) if not _is_name_like(w)]
    return "zh" if han >= 2 * len(words) else "en"


def _is_name_like(word: str) -> bool:
    return word.isupper() or word.lower() in _NAME_WORDS


# Latin words common inside Chinese messages: makes, model words, "ok".
_NAME_WORDS = frozenset({"model", "tesla", "ok", "okay", "hi", "hello", "plus", "pro", "max", "dm", "ev"})
