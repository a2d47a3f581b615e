"""The pages and their assets are served, hardened, and reach for nothing outside the app."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.web.pages import PAGES, STATIC_DIR, TEMPLATES_DIR

WEB_DIR = STATIC_DIR.parent
URL = re.compile(r"""(?:https?:)?//[A-Za-z0-9][^\s"'`<>)\\]*""")
ALLOWED_URL_PREFIXES = (
    "https://www.openstreetmap.org/",  # the map link on a shop card (opens in a new tab)
    "http://www.w3.org/2000/svg",  # the SVG namespace: an identifier, never fetched
)
ASSET = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


@pytest.fixture(scope="module")
def client(web_app: Any) -> TestClient:
    return TestClient(web_app)


def _web_files() -> list[Path]:
    return sorted(
        p for p in WEB_DIR.rglob("*") if p.is_file() and p.suffix in {".html", ".js", ".css", ".svg"}
    )


@pytest.mark.parametrize("page", PAGES)
def test_each_page_is_served_as_html_with_a_strict_content_security_policy(
    client: TestClient, page: str
) -> None:
    response = client.get(f"/{page}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "unsafe" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_the_root_redirects_to_the_customer_chat(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (302, 307) and response.headers["location"] == "/chat"


def test_pages_stay_out_of_the_openapi_schema(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {"/", "/chat", "/agent", "/ops"} & set(paths)


@pytest.mark.parametrize("page", PAGES)
def test_every_asset_a_page_names_is_served(client: TestClient, page: str) -> None:
    html = client.get(f"/{page}").text
    assets = ASSET.findall(html)
    assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_every_static_file_is_served_with_its_type(client: TestClient) -> None:
    types = {".js": "javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    files = [p for p in STATIC_DIR.rglob("*") if p.is_file()]
    assert len(files) >= 8
    for path in files:
        response = client.get(f"/static/{path.relative_to(STATIC_DIR).as_posix()}")
        assert response.status_code == 200, path
        assert types[path.suffix] in response.headers["content-type"], path
        assert response.headers["x-content-type-options"] == "nosniff"


def test_every_module_import_points_at_a_file_that_exists() -> None:
    for path in STATIC_DIR.rglob("*.js"):
        for target in re.findall(r"""from\s+["'](\.[^"']+)["']""", path.read_text(encoding="utf-8")):
            assert (path.parent / target).resolve().is_file(), f"{path.name} imports missing {target}"


def test_no_static_file_reaches_outside_the_app_except_the_map_link() -> None:
    found: dict[str, str] = {}
    for path in _web_files():
        for url in URL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(url, path.name)
    outside = {u: f for u, f in found.items() if not u.startswith(ALLOWED_URL_PREFIXES)}
    assert not outside, f"external URLs: {outside}"
    assert any(u.startswith("https://www.openstreetmap.org/") for u in found), "the map link is gone"


def test_templates_hold_no_inline_script_style_or_handler_the_policy_would_block() -> None:
    for name in PAGES:
        html = (TEMPLATES_DIR / f"{name}.html").read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag, f"{name}: inline script {tag}"
        assert not re.search(r"<style\b", html) and not re.search(r"\sstyle=", html), name
        assert not re.search(r"\son[a-z]+=", html), f"{name}: inline event handler"


def test_english_and_chinese_strings_have_the_same_keys() -> None:
    source = (STATIC_DIR / "js" / "i18n.js").read_text(encoding="utf-8")
    block = source[source.index("const STRINGS") : source.index("const ORDINALS_EN")]
    english, chinese = block.split("\n  zh: {")
    key = re.compile(r'^\s{4}"([a-z0-9_.]+)":', re.M)
    assert set(key.findall(english)) == set(key.findall(chinese))
    assert len(key.findall(english)) > 100
