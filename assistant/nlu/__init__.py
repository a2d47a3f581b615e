"""Local, bilingual NLU: language, preferences, intents and rejection reasons, with no LLM and no network.

jieba segments Chinese; gazetteers cover Chinese cities and districts, makes and models in both languages;
patterns read distances, deadlines, negation and priorities.
"""

from __future__ import annotations

from assistant.nlu.extract import extract_local, warm_up
from assistant.nlu.intents import INTENTS, chosen_rank, detect_intents
from assistant.nlu.language import detect_language
from assistant.nlu.rejection import classify_rejection

__all__ = [
    "INTENTS",
    "chosen_rank",
    "classify_rejection",
    "detect_intents",
    "detect_language",
    "extract_local",
    "warm_up",
]
