"""Headless Chromium against the served app: a customer books on a phone (English, then Chinese), an agent
picks up a hand-off with the copilot, and the operations dashboard draws its charts.

Needs /usr/bin/chromium (never downloaded): skipped without it, failed without it when `CI` is set.
Screenshots of the key steps land in var/artifacts/screenshots/.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.web.local_server import CHROMIUM, CHROMIUM_ARGS, ServerThread
from tests.web.conftest import AGENT_KEY, OPS_KEY

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "var" / "artifacts" / "screenshots"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def _require_chromium() -> Any:
    """The sync Playwright module, or a skip (a failure under CI) when no browser can run here."""
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is not installed"
    else:
        try:
            from playwright import sync_api
        except ImportError:
            missing = "the playwright package is not installed"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"Browser tests must run in CI, but {missing}.")
        pytest.skip(missing)
    return sync_api


@pytest.fixture(scope="module")
def sync_api() -> Any:
    return _require_chromium()


@pytest.fixture(scope="module")
def base_url(sync_api: Any, web_app: Any) -> Iterator[str]:
    with ServerThread(web_app) as server:
        yield server.url


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def api(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        yield client


class _Console:
    """Errors the page reports (a Content-Security-Policy violation is one)."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _message(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)


def _shop_ids(slate: Any) -> list[str]:
    return [card.get_attribute("data-shop-id") for card in slate.locator(".card").all()]


def _session_id(page: Any) -> str:
    return str(page.evaluate("() => sessionStorage.getItem('rih.chat.session')"))


def test_a_customer_on_a_phone_chats_to_a_booking_in_english(
    browser: Any, base_url: str, sync_api: Any
) -> None:
    expect = sync_api.expect
    context = browser.new_context(**PHONE, locale="en-GB")
    page = context.new_page()
    console = _Console(page)
    page.goto(f"{base_url}/chat?lang=en")
    expect(page.locator(".quick-chip")).to_have_count(3)
    page.screenshot(path=SHOTS / "chat-en-1-welcome.png")

    page.fill("#message", "My BMW X3 has a scratched rear bumper, I'm in Shanghai Pudong")
    page.keyboard.press("Enter")
    first = page.locator(".slate").first
    expect(first.locator(".card").first).to_be_visible()
    assert first.locator(".card").count() >= 1
    for explanation in first.locator(".explanation").all_inner_texts():
        assert explanation.strip()
    expect(page.locator("#prefs")).to_contain_text("Shanghai")
    expect(page.locator("#prefs")).to_contain_text("BMW X3")
    expect(page.locator("#message")).to_be_enabled()
    first.locator(".card").first.locator("summary").click()
    expect(first.locator(".card").first.locator(".factor-bars rect").first).to_be_visible()
    page.screenshot(path=SHOTS / "chat-en-2-recommendations.png")

    page.click("#other-options")
    expect(page.locator(".slate")).to_have_count(2)
    second = page.locator(".slate").nth(1)
    expect(second.locator(".card").first).to_be_visible()
    assert not set(_shop_ids(first)) & set(_shop_ids(second)), "the alternatives repeat a shop"
    expect(first.locator(".choose").first).to_be_disabled()
    page.screenshot(path=SHOTS / "chat-en-3-alternatives.png")

    chosen = second.locator(".card").last
    chosen_id = chosen.get_attribute("data-shop-id")
    chosen_name = chosen.locator(".card-name").inner_text()
    chosen.locator(".choose").click()
    confirmation = page.locator("#booking-confirmation")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text(chosen_name)
    page.screenshot(path=SHOTS / "chat-en-4-booked.png")
    state = httpx.get(f"{base_url}/v1/sessions/{_session_id(page)}").json()
    assert state["stage"] == "booked" and state["booked_shop_id"] == chosen_id

    page.reload()  # the conversation continues after a reload
    expect(page.locator("#booking-confirmation")).to_be_visible()
    expect(page.locator(".slate")).to_have_count(2)
    assert not console.errors, console.errors
    context.close()


def test_a_customer_books_in_chinese(browser: Any, base_url: str, sync_api: Any) -> None:
    expect = sync_api.expect
    context = browser.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    console = _Console(page)
    page.goto(f"{base_url}/chat")  # the language comes from the browser
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#send")).to_have_text("发送")
    page.fill("#message", "我的宝马在上海被追尾了，后保险杠撞坏了。")
    page.click("#send")
    slate = page.locator(".slate").first
    expect(slate.locator(".card").first).to_be_visible()
    expect(page.locator("#other-options")).to_have_text("换几家看看")
    expect(slate.locator(".stats").first).to_contain_text("公里")
    page.screenshot(path=SHOTS / "chat-zh-1-recommendations.png")
    slate.locator(".choose").first.click()
    expect(page.locator("#booking-confirmation")).to_contain_text("预约成功")
    page.screenshot(path=SHOTS / "chat-zh-2-booked.png")
    assert not console.errors, console.errors
    context.close()


def test_the_agent_console_queues_a_hand_off_and_shows_the_copilot(
    browser: Any, base_url: str, api: httpx.Client, sync_api: Any
) -> None:
    expect = sync_api.expect
    session = api.post("/v1/sessions", json={"role": "customer"}).json()["session_id"]
    api.post(
        f"/v1/sessions/{session}/messages",
        json={"text": "My Toyota's windshield is cracked, I'm in Shenzhen"},
    )
    api.post(f"/v1/sessions/{session}/messages", json={"text": "I want to talk to a human"})

    context = browser.new_context(**DESKTOP, locale="en-GB")
    page = context.new_page()
    console = _Console(page)
    page.goto(f"{base_url}/agent")
    expect(page.locator("#key-dialog")).to_be_visible()
    page.fill("#key-input", "not-the-key")
    page.press("#key-input", "Enter")
    expect(page.locator("#key-error")).to_be_visible()
    page.fill("#key-input", AGENT_KEY)
    page.press("#key-input", "Enter")
    expect(page.locator("#key-dialog")).to_be_hidden()

    item = page.locator(f'.queue-item[data-session-id="{session}"]')
    expect(item).to_have_class("queue-item handoff")
    expect(page.locator(".queue-item").first).to_have_class("queue-item handoff")
    item.click()
    expect(page.locator("#transcript")).to_contain_text("I want to talk to a human")
    expect(page.locator("#copilot-summary")).to_contain_text("Shenzhen")
    assert page.locator("#suggested-reply").input_value().strip()
    expect(page.locator("#copilot .card").first).to_be_visible()
    page.click("#copy-reply")
    expect(page.locator("#copy-reply")).to_have_text("Copied")
    page.screenshot(path=SHOTS / "agent-handoff.png")
    assert not [e for e in console.errors if "403" not in e and "401" not in e], console.errors
    context.close()


def test_the_ops_dashboard_draws_its_charts_after_some_decisions(
    browser: Any, base_url: str, api: httpx.Client, sync_api: Any, web_container: Any
) -> None:
    expect = sync_api.expect
    ops = {"Authorization": f"Bearer {OPS_KEY}"}
    session = api.post("/v1/sessions", json={"role": "customer"}).json()["session_id"]
    for text in (
        "My BMW was rear-ended in Shanghai and the bumper is smashed.",
        "too far",
        "I'll take the first one",
    ):
        api.post(f"/v1/sessions/{session}/messages", json={"text": text}).raise_for_status()
    now = datetime.now(UTC)
    shops = [str(s) for s in web_container.catalog["shop_id"][:40]]
    events = [
        {
            "shop_id": s,
            "ts": now.isoformat(),
            "free_bays": i % 3 * 4,
            "technicians_on_duty": 3,
            "status": "open",
        }
        for i, s in enumerate(shops)
    ]
    assert api.post("/v1/capacity/events", json={"events": events}, headers=ops).status_code == 202

    context = browser.new_context(**DESKTOP, locale="en-GB")
    page = context.new_page()
    console = _Console(page)
    page.goto(f"{base_url}/ops?lang=en")
    page.fill("#key-input", OPS_KEY)
    page.press("#key-input", "Enter")
    for chart in ("timeline", "utilization", "strategies", "offers", "newshops", "capacity"):
        expect(page.locator(f"#chart-{chart} svg.chart").first).to_be_visible()
    assert page.locator("svg.chart rect.bar").count() > 10
    expect(page.locator("#kpis")).to_contain_text("Acceptance rate")
    page.screenshot(path=SHOTS / "ops-dashboard.png", full_page=True)
    assert not console.errors, console.errors
    context.close()


def test_the_ops_dashboard_says_no_data_yet_on_an_empty_summary(
    browser: Any, base_url: str, sync_api: Any
) -> None:
    expect = sync_api.expect
    empty = {
        "generated_at": time.time(),
        "totals": {"decisions": 0, "outcomes": 0, "acceptance_rate": None},
        "offers_to_accept": {"mean": None, "histogram": []},
        "wait_days": {"mean": None, "p90": None, "histogram": []},
        "utilization": {"shops": 0, "gini": 0.0, "idle_shops": 0, "full_shops": 0, "histogram": []},
        "new_shops": {"shops": 0, "target": 0.0, "assigned": 0.0, "progress": None, "histogram": []},
        "strategies": [],
        "capacity": {"events": 0, "last_event_at": None, "lag_s": None, "freshness": []},
        "timeline": [],
    }
    context = browser.new_context(**DESKTOP, locale="en-GB")
    page = context.new_page()
    page.route("**/v1/ops/summary", lambda route: route.fulfill(json=empty))
    page.goto(f"{base_url}/ops?lang=en")
    page.fill("#key-input", OPS_KEY)
    page.press("#key-input", "Enter")
    expect(page.locator(".empty")).to_have_count(7)
    expect(page.locator(".empty").first).to_have_text("No data yet")
    assert page.locator("svg.chart").count() == 0
    page.screenshot(path=SHOTS / "ops-empty.png", full_page=True)
    context.close()
