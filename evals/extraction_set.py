"""The extraction eval set: field accuracy per field and language on `datasets/extraction.jsonl`.

The scorer is `evals.extraction_accuracy` (the same one its tests gate on); this module only runs it on
the configured backend and turns its tuple-keyed result into JSON for the report.
"""

from __future__ import annotations

import time
from typing import Any

from assistant.extraction import LLMExtractor, LocalExtractor
from assistant.nlu import detect_intents
from evals.extraction_accuracy import EVAL_TODAY, FIELDS, evaluate, intent_accuracy, load_items

GROUPS = ("en", "zh", "all")
SPLITS = ("dev", "heldout", "probe", "blind")


def run_extraction_set(chat_model: Any | None = None, timeout_s: float = 20.0) -> dict[str, Any]:
    """Score the local extractor, or the LLM one (local fallback) when `chat_model` is given."""
    started = time.perf_counter()
    local = LocalExtractor(today=lambda: EVAL_TODAY)
    if chat_model is None:
        extractor: Any = local
        backend = "local"
    else:
        extractor = LLMExtractor(chat_model, local, timeout_s, today=lambda: EVAL_TODAY)
        backend = "llm"
    items = load_items()
    result = evaluate(extractor.extract, items)
    accuracy, support = result["accuracy"], result["support"]
    by_field = {
        path: {g: accuracy[(path, g)] for g in GROUPS if (path, g) in accuracy}
        | {"support": support.get((path, "all"), 0)}
        for path in FIELDS
        if (path, "all") in accuracy
    }
    return {
        "status": "ran",
        "backend": backend,
        "items": result["items"],
        "field_accuracy": accuracy.get(("*", "all"), 0.0),
        "by_language": {g: accuracy.get(("*", g), 0.0) for g in GROUPS},
        "by_split": {s: accuracy[("*", s)] for s in SPLITS if ("*", s) in accuracy},
        "by_field": by_field,
        "exact_match": result["exact_match"],
        "intent_accuracy": intent_accuracy(detect_intents, items),
        "misses": result["misses"],
        "fallbacks": getattr(extractor, "fallbacks", 0),
        "today": EVAL_TODAY.isoformat(),
        "seconds": time.perf_counter() - started,
    }
