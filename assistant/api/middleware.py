"""The service middleware, pure ASGI: body-size limit, request id, latency by route template, access log.

Pure ASGI rather than `BaseHTTPMiddleware`, which runs every request through an extra task and memory
stream; here the cost is a few dict lookups and one histogram observation per request.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import time
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.errors import error_body
from assistant.observability.logs import PRE_REDACTED, REQUEST_ID, redact
from assistant.observability.metrics import METHODS, OTHER, ServiceMetrics
from assistant.settings import Settings

INVALID = -1
# An incoming id is kept only if it is short and plain; anything else could smuggle text into the logs.
_SANE_ID = re.compile(rb"[A-Za-z0-9._\-]{1,64}")
_UUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class BodyTooLarge(Exception):
    """Raised from `receive` once a streamed body passes the limit; the middleware answers 413."""


class ServiceMiddleware:
    """Wraps the app once (`app.add_middleware(ServiceMiddleware, metrics=..., max_body_bytes=...)`).

    `body_limits` gives exact paths a limit of their own (a batch-ingest route): the limit must hold
    before the body is read, and only the path is known then; the route template comes after routing.
    """

    def __init__(
        self,
        app: ASGIApp,
        metrics: ServiceMetrics,
        max_body_bytes: int,
        logger: logging.Logger | None = None,
        body_limits: Mapping[str, int] | None = None,
    ) -> None:
        self.app, self.metrics, self.max_body_bytes = app, metrics, max_body_bytes
        self.body_limits = dict(body_limits or {})
        self.logger = logger if logger is not None else logging.getLogger("rih.access")
        self._too_large = {n: _too_large(n) for n in {max_body_bytes, *self.body_limits.values()}}
        bad_length = error_body("invalid_content_length", "Content-Length is not a valid length.")
        self._bad_length = _json(bad_length)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        declared, request_id = _read_headers(scope["headers"])
        limit = self.body_limits.get(scope["path"], self.max_body_bytes)
        exchange = _Exchange(receive, send, limit, request_id)
        token = REQUEST_ID.set(request_id)
        self.metrics.in_flight.inc()
        try:
            if declared == INVALID:
                await exchange.reply(400, self._bad_length)
            elif declared is not None and declared > limit:
                await exchange.reply(413, self._too_large[limit])  # before reading a byte of it
            else:
                await self._call_app(scope, exchange)
        finally:
            self.metrics.in_flight.dec()
            REQUEST_ID.reset(token)
            self._record(scope, exchange, time.perf_counter() - started)

    async def _call_app(self, scope: Scope, exchange: _Exchange) -> None:
        try:
            await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            # FastAPI may turn the cut into its own error, or wrap it in an ExceptionGroup: once the body
            # is cut, whatever comes out the client gets the 413.
            if not exchange.cut or exchange.response_started:
                raise  # the error handlers answer it (status 500 unless a response had started)
        if exchange.cut and not exchange.response_started:
            await exchange.reply(413, self._too_large[exchange.limit])

    def _record(self, scope: Scope, exchange: _Exchange, seconds: float) -> None:
        route = getattr(scope.get("route"), "path_format", None)  # set by the router once it matched
        method = scope["method"]
        self.metrics.observe_request(method, route, exchange.status, seconds)
        if self.logger.isEnabledFor(logging.INFO):
            # Built only from safe parts (a known method, the template, a checked id): no path, no query
            # string, no header, no body; so the redaction filter may skip it.
            fields = {
                "method": method if method in METHODS else OTHER,
                "route": route or "unmatched",
                "status": exchange.status,
                "duration_ms": round(seconds * 1e3, 3),
                "request_id": exchange.request_id,
                PRE_REDACTED: True,
            }
            self.logger.info("request", extra=fields)


class _Exchange:
    """One request's view of `receive` and `send`: counts body bytes, remembers the status, adds the id."""

    __slots__ = ("_receive", "_send", "cut", "limit", "received", "request_id", "response_started", "status")

    def __init__(self, receive: Receive, send: Send, limit: int, request_id: str) -> None:
        self._receive, self._send, self.limit, self.request_id = receive, send, limit, request_id
        self.received, self.status = 0, 500
        self.cut = self.response_started = False

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                self.cut = True
                raise BodyTooLarge(f"The request body passed {self.limit} bytes.")
        return message

    async def send(self, message: Message) -> None:
        if self.cut and not self.response_started:
            return  # the app's answer to a cut body (FastAPI: 400) is dropped; the middleware sends the 413
        if message["type"] == "http.response.start":
            self.response_started, self.status = True, message["status"]
            message = {**message, "headers": [*message.get("headers", ()), self._id_header()]}
        await self._send(message)

    async def reply(self, status: int, body: bytes) -> None:
        self.response_started, self.status = True, status
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            self._id_header(),
        ]
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})

    def _id_header(self) -> tuple[bytes, bytes]:
        return (b"x-request-id", self.request_id.encode())


def install_observability(
    app: FastAPI, settings: Settings, metrics: ServiceMetrics, body_limits: Mapping[str, int] | None = None
) -> None:
    """The middleware and `GET /metrics`; call it last in `create_app` so the middleware is the outermost
    one the app adds (it then times everything the others do). `body_limits`: exact path -> bytes."""
    app.state.metrics = metrics
    app.add_middleware(
        ServiceMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes, body_limits=body_limits
    )

    async def prometheus_metrics() -> Response:
        body, content_type = metrics.render()
        return Response(body, media_type=content_type)

    app.add_api_route("/metrics", prometheus_metrics, methods=["GET"], include_in_schema=False)


def _read_headers(headers: list[tuple[bytes, bytes]]) -> tuple[int | None, str]:
    """(declared body length: None when absent, INVALID when unusable; the request id to use)."""
    length: int | None = None
    request_id: str | None = None
    for name, value in headers:
        if name == b"content-length":
            # Digits only (no sign, no spaces), not absurdly long, and repeated only with the same value.
            if not value.isdigit() or len(value) > 18 or (length is not None and int(value) != length):
                return INVALID, _new_id()
            length = int(value)
        elif name == b"x-request-id":
            request_id = _incoming_id(value)
    return length, request_id or _new_id()


def _incoming_id(value: bytes) -> str | None:
    if not _SANE_ID.fullmatch(value):
        return None
    text = value.decode("ascii")
    # A canonical uuid passes redaction untouched; anything else must (a phone number is not an id).
    return text if _UUID.fullmatch(value) or redact(text) == text else None


def _new_id() -> str:
    # A random per-process prefix and a counter: unique across processes and restarts, and no system call
    # per request (`getrandom` showed up at ~5 % of the event loop's time under load on this VM).
    return f"{_ID_PREFIX}{next(_ID_COUNTER):016x}"


_ID_PREFIX = os.urandom(8).hex()
_ID_COUNTER = itertools.count(1)


def _too_large(limit: int) -> bytes:
    message = f"The request body is larger than the limit of {limit} bytes."
    return _json(error_body("payload_too_large", message))


def _json(body: dict[str, Any]) -> bytes:
    return json.dumps(body).encode()
