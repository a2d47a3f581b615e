"""README screenshots of the three web pages, on a freshly built catalog with seeded activity.

    .venv/bin/python scripts/screenshots.py [--shops 5000] [--out docs/screenshots] [--fast]

Starts the real app (uvicorn, loopback, a free port) on a catalog in a temporary data dir, seeds activity
through the HTTP API only (bilingual conversations ending in bookings, rejections, an own-shop choice and
one hand-off; integration recommendations with feedback; a few hundred capacity events with the ops key),
then saves `chat.png` (390x844 phone), `agent.png` and `ops.png` (1280 wide) with headless Chromium at
/usr/bin/chromium (never downloaded). `--fast` uses the hashing embedder from tests/fakes.py instead of the
bundled model. All seeded activity happens now: the dashboard's timeline shows it in the current hour.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from pydantic import SecretStr  # noqa: E402

from assistant.web.local_server import CHROMIUM, CHROMIUM_ARGS, ServerThread  # noqa: E402

# Each conversation is the customer's messages, in order; the last decides how it ends.
CONVERSATIONS: list[list[str]] = [
    [
        "My BMW X3 has a scratched rear bumper, I'm in Shanghai Pudong",
        "Show me other options",
        "I'll take the second one",
    ],
    ["我的宝马在上海被追尾了，后保险杠撞坏了。", "这些都太远了。", "就第一家吧。"],
    ["My Toyota's windshield is cracked, I'm in Shenzhen", "I'll take the first one"],
    ["我的特斯拉在北京被追尾了", "太贵了", "我选第三家"],
    [
        "My Audi A4 got hail damage in Hangzhou, I need a courtesy car",
        "These take too long",
        "I'll take the first one",
    ],
    ["比亚迪汉在成都被剐蹭了，车门凹陷，想要代步车", "第二家"],
    ["我的大众帕萨特在南京，前大灯碎了", "换几家看看", "换几家看看", "我选第一家"],
    [
        "My Mercedes C-Class has a dented door in Suzhou",
        "No, I want the Mercedes-Benz 4S store.",
        "I'll take the first one",
    ],
    ["我的蔚来ES6在武汉，电池有问题", "我自己选修理厂"],
    [
        "Nissan Sylphy, front bumper cracked, I'm in Tianjin",
        "These are all too far away from me.",
        "I'll take the third one",
    ],
    ["吉利星瑞在西安被刮花了", "我选第二家"],
    ["My Volvo XC60 was rear-ended in Chengdu", "Show me other options"],
    ["My car was hit this morning"],
    ["Honda Civic, flat tyre and bent rim in Guangzhou Tianhe", "I want to talk to a human"],
]
# Claims sent by an integration (no chat): city, make, damage; then the partner reports the outcome.
INTEGRATION_CITIES = [
    "Shanghai",
    "Beijing",
    "Shenzhen",
    "Guangzhou",
    "Hangzhou",
    "Chengdu",
    "Wuhan",
    "Nanjing",
]
INTEGRATION_MAKES = ["BMW", "Toyota", "Volkswagen", "Honda", "BYD", "Tesla", "Audi", "Buick"]


def build_app(data_dir: Path, shops: int, fast: bool, agent_key: str, ops_key: str) -> tuple[Any, Any]:
    from assistant.api.app import create_app
    from assistant.bootstrap import bootstrap
    from assistant.settings import Settings
    from assistant.web import install_web

    options: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if fast:
        from tests.fakes import HashingEmbedder

        options["embedder"] = HashingEmbedder()
        extra["retrieval_mode"] = "lexical"
    settings = Settings(
        data_dir=data_dir,
        catalog_shops=shops,
        agent_key=SecretStr(agent_key),
        ops_key=SecretStr(ops_key),
        llm_base_url=None,
        database_url=None,  # SQLite in the temporary data dir, whatever the environment says
        redis_url=None,
        **extra,
    )
    container = bootstrap(settings, chat_model=None, **options)
    app = create_app(container)
    install_web(app)  # a no-op when create_app installed the pages already
    return app, container


def converse(client: httpx.Client, messages: list[str]) -> str:
    started = client.post("/v1/sessions", json={"role": "customer"}).raise_for_status()
    session = str(started.json()["session_id"])
    for text in messages:
        client.post(f"/v1/sessions/{session}/messages", json={"text": text}).raise_for_status()
    return session


def seed_integration(client: httpx.Client, ops: dict[str, str], rng: np.random.Generator, n: int) -> int:
    """Claims ranked through /v1/recommendations, then an outcome reported through the feedback route."""
    sent = 0
    for i in range(n):
        prefs = {
            "city": INTEGRATION_CITIES[i % len(INTEGRATION_CITIES)],
            "vehicle": {"make": INTEGRATION_MAKES[int(rng.integers(len(INTEGRATION_MAKES)))]},
            "damage": {"types": [str(rng.choice(["collision", "paint", "glass"]))]},
        }
        answer = client.post("/v1/recommendations", json={"preferences": prefs}, headers=ops)
        if answer.status_code != 200:
            continue
        body = answer.json()
        recs = body["recommendations"]
        accepted = rng.random() < 0.7
        shop = recs[0 if rng.random() < 0.6 else int(rng.integers(len(recs)))]["shop_id"]
        client.post(
            f"/v1/decisions/{body['decision_id']}/feedback",
            json={"shop_id": shop, "outcome": "accepted" if accepted else "rejected"},
            headers=ops,
        ).raise_for_status()
        sent += 1
    return sent


def capacity_events(container: Any, rng: np.random.Generator, n: int, now: float) -> list[dict[str, Any]]:
    """Bimodal load (idle shops next to full ones) and report ages from seconds to days."""
    table = container.catalog
    rows = rng.choice(len(table), size=min(n, len(table)), replace=False)
    ages = np.concatenate(
        [
            rng.uniform(10, 900, n),
            rng.uniform(900, 3600, n),
            rng.uniform(3600, 86_400, n),
            rng.uniform(1, 3, n) * 86_400,
        ]
    )
    kinds = rng.choice(4, size=rows.size, p=[0.5, 0.2, 0.2, 0.1])
    events = []
    for k, row in enumerate(rows):
        bays = int(table["bays"][row])
        load = rng.choice(3, p=[0.3, 0.25, 0.45])
        free = bays if load == 0 else 0 if load == 1 else int(rng.integers(0, bays + 1))
        ts = now - float(ages[kinds[k] * n + k])
        events.append(
            {
                "shop_id": str(table["shop_id"][row]),
                "ts": datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z"),
                "free_bays": free,
                "technicians_on_duty": int(rng.integers(1, int(table["technicians"][row]) + 1)),
                "status": "open" if rng.random() < 0.96 else "closed",
            }
        )
    return events


def seed(client: httpx.Client, container: Any, ops_key: str, events: int) -> dict[str, int]:
    rng = np.random.default_rng(7)
    ops = {"Authorization": f"Bearer {ops_key}"}
    batch = capacity_events(container, rng, events, time.time())
    accepted = client.post("/v1/capacity/events", json={"events": batch}, headers=ops)
    accepted.raise_for_status()
    for messages in CONVERSATIONS:
        converse(client, messages)
    integration = seed_integration(client, ops, rng, 40)
    return {"conversations": len(CONVERSATIONS), "capacity_events": len(batch), "integration": integration}


def shoot(base: str, out: Path, agent_key: str, ops_key: str) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        phone = browser.new_context(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, locale="en-GB"
        )
        page = phone.new_page()
        page.goto(f"{base}/chat?lang=en")
        page.locator(".quick-chip").first.click()
        expect(page.locator(".slate .card")).to_have_count(3)
        page.locator(".slate .card").first.locator("summary").click()
        page.locator("#log").evaluate("log => log.scrollTo(0, log.querySelector('.msg.user').offsetTop - 12)")
        saved.append(out / "chat.png")
        page.screenshot(path=saved[-1])
        phone.close()

        desk = browser.new_context(
            viewport={"width": 1280, "height": 900}, device_scale_factor=1, locale="en-GB"
        )
        page = desk.new_page()
        page.goto(f"{base}/agent?lang=en")
        page.fill("#key-input", agent_key)
        page.click("#key-form button[type=submit]")
        page.locator(".queue-item.handoff").first.click()
        expect(page.locator("#copilot-summary")).to_be_visible()
        expect(page.locator("#copilot .card").first).to_be_visible()
        saved.append(out / "agent.png")
        page.screenshot(path=saved[-1])

        page = desk.new_page()
        page.goto(f"{base}/ops?lang=en")
        page.fill("#key-input", ops_key)
        page.click("#key-form button[type=submit]")
        expect(page.locator("#chart-utilization svg.chart")).to_be_visible()
        saved.append(out / "ops.png")
        page.screenshot(path=saved[-1], full_page=True)
        browser.close()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shops", type=int, default=5_000, help="catalog size (default 5000)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--events", type=int, default=400, help="capacity events to seed (default 400)")
    parser.add_argument("--fast", action="store_true", help="hashing embedder instead of the bundled model")
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        parser.error(f"{CHROMIUM} is missing: install Chromium from the OS packages.")
    agent_key, ops_key = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    with tempfile.TemporaryDirectory(prefix="rih-shots-") as tmp:
        started = time.perf_counter()
        app, container = build_app(Path(tmp), args.shops, args.fast, agent_key, ops_key)
        print(f"app built on {args.shops} shops in {time.perf_counter() - started:.1f} s", flush=True)
        with ServerThread(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
            print(f"seeded {seed(client, container, ops_key, args.events)}", flush=True)
            for path in shoot(server.url, args.out, agent_key, ops_key):
                print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
