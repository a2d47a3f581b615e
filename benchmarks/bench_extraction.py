"""Local preference extraction latency per message, against jieba segmentation alone, in the same run.

Messages are the labelled set's (`evals/datasets/extraction.jsonl`, English and Chinese), cycled. After
a warm-up (the segmenter's dictionary and the gazetteers load once, about 1.5 s, reported apart), each
message is timed through: the baseline, jieba segmentation alone with the same dictionary;
`detect_intents`; and `extract_local` (segmentation, gazetteers, patterns, merge). One core.
Usage: python -m benchmarks.bench_extraction [--n 3000]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import date

import numpy as np

from benchmarks.common import latencies_ms, p
from evals.extraction_accuracy import load_items


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=3000, help="timed messages per measurement")
    args = parser.parse_args(argv)

    from assistant.nlu import detect_intents, warm_up
    from assistant.nlu.segment import tokens

    texts = [t for item in load_items() for t in (item.get("turns") or [item["text"]])]
    started = time.perf_counter()
    warm_up()
    first_load_s = time.perf_counter() - started
    english = [t for t in texts if t.isascii()]
    chinese = [t for t in texts if not t.isascii()]
    baseline = latencies_ms(lambda i: tokens(texts[i % len(texts)]), args.n)
    intents = latencies_ms(lambda i: detect_intents(texts[i % len(texts)]), args.n)
    extract = _extraction(texts, args.n)
    by_lang = {"en": _extraction(english, args.n // 2), "zh": _extraction(chinese, args.n // 2)}
    result = {
        "messages": len(texts),
        "timed": args.n,
        "first_load_s": round(first_load_s, 2),
        "baseline_jieba_tokens_p50_ms": round(p(baseline, 50), 3),
        "baseline_jieba_tokens_p99_ms": round(p(baseline, 99), 3),
        "detect_intents_p50_ms": round(p(intents, 50), 3),
        "detect_intents_p99_ms": round(p(intents, 99), 3),
        "extract_local_p50_ms": round(p(extract, 50), 3),
        "extract_local_p99_ms": round(p(extract, 99), 3),
        "extract_local_en_p50_ms": round(p(by_lang["en"], 50), 3),
        "extract_local_zh_p50_ms": round(p(by_lang["zh"], 50), 3),
        "ratio_extract_to_baseline_p50": round(p(extract, 50) / p(baseline, 50), 1),
    }
    print(json.dumps(result, indent=2))
    return 0


def _extraction(texts: list[str], n: int) -> np.ndarray:
    from assistant.nlu import extract_local

    today = date(2026, 11, 18)
    return latencies_ms(lambda i: extract_local(texts[i % len(texts)], today=today), n)


if __name__ == "__main__":
    raise SystemExit(main())
