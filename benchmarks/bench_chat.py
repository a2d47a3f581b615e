"""One chat turn on the local backend (no LLM): understand + route + dispatch tool + explained reply.

Conversations of three turns (a first message with everything needed, a "too far" rejection, a pick) over a
110,000-shop catalog, excluding first load. Baseline in the same run: the dispatch tool alone
(retrieval + ranking + explanations) on the same requests, so the ratio shows what the dialogue adds.
Usage: python -m benchmarks.bench_chat [--shops N] [--conversations N]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.bootstrap import bootstrap
from assistant.preferences import Preferences
from assistant.settings import Settings
from benchmarks.common import cached_catalog, p
from retrieval.catalog.store import SqliteCatalogStore

FIRST = [
    "My BMW was rear-ended in {city}, the bumper is smashed.",
    "我的丰田在{city_zh}被刮了，车门掉漆了，需要代步车。",
    "Tesla in {city}, the battery warning is on after a crash, within 15 km please.",
    "比亚迪在{city_zh}撞了，前大灯碎了，想快点修好。",
]
CITIES = [
    ("Shanghai", "上海"),
    ("Beijing", "北京"),
    ("Shenzhen", "深圳"),
    ("Chengdu", "成都"),
    ("Wuhan", "武汉"),
]
REJECT = ["These are too far.", "太远了。"]
PICK = ["I'll take the first one.", "就第一家吧。"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--conversations", type=int, default=200)
    args = parser.parse_args()
    table = cached_catalog(args.shops)
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteCatalogStore(Path(tmp) / "catalog.sqlite")
        store.save(table, {"seed": 7})
        settings = Settings(data_dir=Path(tmp), retrieval_mode="lexical", llm_base_url=None)
        container = bootstrap(settings, store=store, chat_model=None)
        chat = container.conversation
        turns: list[float] = []
        tool: list[float] = []
        requests: list[Preferences] = []
        for i in range(args.conversations + 5):  # the first 5 conversations warm up
            city, city_zh = CITIES[i % len(CITIES)]
            lang = i % 2
            session = chat.start()
            for text in (FIRST[i % len(FIRST)].format(city=city, city_zh=city_zh), REJECT[lang], PICK[lang]):
                started = time.perf_counter()
                chat.send(session, text)
                if i >= 5:
                    turns.append((time.perf_counter() - started) * 1e3)
            requests.append(Preferences.model_validate(chat.state(session)["preferences"]))
        for prefs in requests[5:]:
            clean = prefs.model_copy(update={"rejected_shop_ids": [], "max_distance_km": None})
            started = time.perf_counter()
            container.dispatch.recommend(clean, language=prefs.language or "en")
            tool.append((time.perf_counter() - started) * 1e3)
    t, b = np.array(turns), np.array(tool)
    print(
        f"chat turn, local backend, {args.shops:,} shops, "
        f"{len(t)} turns of {args.conversations} conversations"
    )
    print(
        f"  full turn (understand, route, dispatch, explain, reply)  "
        f"p50 {p(t, 50):.2f} ms  p99 {p(t, 99):.2f} ms"
    )
    print(
        f"  baseline: dispatch tool alone                           "
        f"p50 {p(b, 50):.2f} ms  p99 {p(b, 99):.2f} ms"
    )
    print(f"  ratio turn / tool  p50 x{p(t, 50) / p(b, 50):.2f}   targets: p50 < 30 ms, p99 < 100 ms")


if __name__ == "__main__":
    main()
