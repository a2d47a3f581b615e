"""HTML pages and their static assets: hand-written, no build step, nothing fetched from the network.

`install_web(app)` adds the page routes and mounts `/static`. Every page carries a strict
Content-Security-Policy (same origin only), so a compromised message can never load outside code.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
PAGES = ("chat", "agent", "ops")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@cache
def page_html(name: str) -> str:
    """The page's HTML, read once per process."""
    return (TEMPLATES_DIR / f"{name}.html").read_text(encoding="utf-8")


def _page(name: str) -> HTMLResponse:
    return HTMLResponse(page_html(name), headers=SECURITY_HEADERS)


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/chat", status_code=307)


@router.get("/chat", response_class=HTMLResponse)
def chat_page() -> HTMLResponse:
    """The policyholder's chat (mobile first)."""
    return _page("chat")


@router.get("/agent", response_class=HTMLResponse)
def agent_page() -> HTMLResponse:
    """The claims agent's copilot console."""
    return _page("agent")


@router.get("/ops", response_class=HTMLResponse)
def ops_page() -> HTMLResponse:
    """The operations dashboard."""
    return _page("ops")


class _StaticFiles(StaticFiles):
    """Static files that carry the same hardening headers as the pages."""

    async def get_response(self, path: str, scope):  # type: ignore[no-untyped-def]
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers.setdefault("Cache-Control", "no-cache")
        return response


def install_web(app: FastAPI) -> None:
    """Serve the pages and `/static/...` on `app` (in `create_app`; a second call changes nothing)."""
    if getattr(app.state, "web_installed", False):
        return
    app.include_router(router)
    app.mount("/static", _StaticFiles(directory=STATIC_DIR), name="static")
    app.state.web_installed = True
