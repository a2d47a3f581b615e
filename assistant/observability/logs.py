"""Structured JSON logs, one object a line, with personal data and secrets masked before they are written.

`configure_logging()` once at start-up; code keeps using `logging.getLogger("rih.<area>")` and passes
structured fields as `extra={...}`.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from contextvars import ContextVar
from typing import IO, Any

from assistant.observability.redaction import forget_secrets, redact, register_secret

__all__ = [
    "PRE_REDACTED",
    "REQUEST_ID",
    "JsonFormatter",
    "RedactionFilter",
    "configure_logging",
    "forget_secrets",
    "redact",
    "register_secret",
]

HANDLER_NAME = "rih-json"
# Set by the HTTP middleware; every record logged while a request is served carries its id.
REQUEST_ID: ContextVar[str | None] = ContextVar("rih_request_id", default=None)
# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}
# `extra={PRE_REDACTED: True}` marks a record built only from safe parts (the access log); the filter
# passes it as it is.
PRE_REDACTED = "_rih_redacted"


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "message", **extra, "exc"?}`; non-JSON values are written with `str()`."""

    # One encoder for every record (`json.dumps` with options builds a new one per call), and the
    # formatted second cached: the access log writes a line per request.
    _encode = json.JSONEncoder(ensure_ascii=False, default=str).encode
    _second: tuple[int, str] = (-1, "")

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self._timestamp(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(_extras(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        if record.stack_info:
            out["stack"] = record.stack_info
        return self._encode(out)

    def _timestamp(self, created: float) -> str:
        """ISO 8601 in UTC with milliseconds: `2024-05-01T08:00:00.123Z`."""
        second = int(created)
        if self._second[0] != second:
            self._second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
        return f"{self._second[1]}.{int((created - second) * 1000):03d}Z"


class RedactionFilter(logging.Filter):
    """Masks the merged message, string values of extras, and exception and stack text, in place.

    Put it on handlers, not loggers: a logger's filters skip records propagated from its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, PRE_REDACTED, False):
            return True
        if not hasattr(record, "request_id") and (request_id := REQUEST_ID.get()) is not None:
            record.request_id = request_id
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record, nor raise into the caller
            message = f"{record.msg!s} (unmerged args)"
        record.msg, record.args = redact(message), None
        for key, value in _extras(record).items():
            setattr(record, key, _redact_value(value))
        if record.exc_info:
            # Rendered here and the live exception dropped, so no formatter can print the raw text later.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        setattr(record, PRE_REDACTED, True)  # a second handler with this filter does not redo the work
        return True


def configure_logging(
    level: str | int = "INFO", stream: IO[str] | None = None, third_party_level: str | int = "WARNING"
) -> logging.Handler:
    """JSON lines to `stream` (stderr) for every logger; `rih.*` at `level`, everything else at
    `third_party_level` (HTTP clients log each request at INFO, URL included). Calling it again replaces
    the handler it installed before. Returns the handler."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactionFilter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(third_party_level)
    logging.getLogger("rih").setLevel(level)
    return handler


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and k[0] != "_"}


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(v) for v in value]
    return value
