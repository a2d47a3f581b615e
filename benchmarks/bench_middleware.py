"""Cost of the service middleware (body limit, request id, latency histogram, access log) on a trivial route.

Same run, same app code, with and without `install_observability`, in interleaved rounds (median of
rounds, and the best round). Two harnesses:
  asgi   calls the ASGI app directly with a prepared scope: what the middleware adds, nearly alone;
  httpx  goes through `httpx.AsyncClient(transport=ASGITransport(app))`: closer to a real request.
The access log is on (INFO, JSON lines written and flushed to /dev/null), as in production; a third line
shows the middleware with the access log off.
Target: >= 300 req/s on 2 cores with p99 < 50 ms, so the middleware should add a few tens of µs at most.
Usage: python -m benchmarks.bench_middleware [--requests N] [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import numpy as np
from fastapi import FastAPI
from starlette.types import Message

from assistant.api.middleware import install_observability
from assistant.observability.logs import configure_logging
from assistant.observability.metrics import ServiceMetrics
from assistant.settings import Settings

Run = Callable[[int], Awaitable[Any]]


def build_app(observed: bool) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/items/{item_id}")
    async def item(item_id: str) -> dict[str, str]:
        return {"item_id": item_id}

    if observed:
        install_observability(app, Settings(), ServiceMetrics())
    return app


def asgi_runner(app: FastAPI) -> Run:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        return None

    async def run(i: int) -> None:
        path = f"/v1/items/{i}"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(b"host", b"bench"), (b"accept", b"*/*")],
            "client": ("127.0.0.1", 5000),
            "server": ("bench", 80),
        }
        await app(scope, receive, send)

    return run


def httpx_runner(client: httpx.AsyncClient) -> Run:
    async def run(i: int) -> None:
        response = await client.get(f"/v1/items/{i}")
        assert response.status_code == 200

    return run


async def timed(run: Run, n: int) -> np.ndarray:
    """Per-request wall time in µs of n sequential requests, after 200 untimed ones."""
    for i in range(200):
        await run(i)
    out = np.empty(n)
    for i in range(n):
        started = time.perf_counter()
        await run(i)
        out[i] = (time.perf_counter() - started) * 1e6
    return out


async def compare(name: str, bare: Run, observed: Run, n: int, rounds: int) -> None:
    """Interleaved rounds of: no middleware, middleware with the access log, middleware without it."""
    access = logging.getLogger("rih.access")
    variants = {
        "without middleware": (bare, logging.INFO),
        "with middleware": (observed, logging.INFO),
        "  (access log off)": (observed, logging.WARNING),
    }
    means: dict[str, list[float]] = {label: [] for label in variants}
    p99s: dict[str, list[float]] = {label: [] for label in variants}
    for _ in range(rounds):
        for label, (run, level) in variants.items():
            access.setLevel(level)
            lat = await timed(run, n)
            means[label].append(float(lat.mean()))
            p99s[label].append(float(np.percentile(lat, 99)))
    access.setLevel(logging.NOTSET)
    mean = {label: statistics.median(values) for label, values in means.items()}
    print(f"[{name}] {n} sequential GET /v1/items/{{id}} x {rounds} rounds (median of rounds)")
    for label, us in mean.items():
        p99 = statistics.median(p99s[label])
        print(f"  {label:20s} {1e6 / us:9,.0f} req/s   mean {us:7.1f} µs   p99 {p99:7.1f} µs")
    bare_us, obs_us, quiet_us = mean.values()
    # The best round of each is the least disturbed by other processes: a second view on a busy machine.
    best = [min(values) for values in means.values()]
    print(f"  overhead per request  {obs_us - bare_us:7.1f} µs   throughput ratio {bare_us / obs_us:.3f}")
    print(f"  of which access log   {obs_us - quiet_us:7.1f} µs")
    print(
        f"  best rounds: overhead {best[1] - best[0]:7.1f} µs, of which access log {best[1] - best[2]:.1f} µs"
    )


async def main_async(n: int, rounds: int) -> None:
    bare_app, observed_app = build_app(False), build_app(True)
    await compare("asgi", asgi_runner(bare_app), asgi_runner(observed_app), n, rounds)
    transports = [httpx.ASGITransport(app=app) for app in (bare_app, observed_app)]
    async with (
        httpx.AsyncClient(transport=transports[0], base_url="http://bench") as bare_client,
        httpx.AsyncClient(transport=transports[1], base_url="http://bench") as observed_client,
    ):
        await compare("httpx", httpx_runner(bare_client), httpx_runner(observed_client), n, rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    with open(os.devnull, "w") as devnull:
        handler = configure_logging("INFO", devnull)
        try:
            asyncio.run(main_async(args.requests, args.rounds))
        finally:
            logging.getLogger().removeHandler(handler)


if __name__ == "__main__":
    main()
