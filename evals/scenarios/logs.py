"""Every `logging` record the product writes while a scenario runs, for the no-PII-in-logs check.

A handler on the root logger collects formatted records. While it is installed the root logger passes
INFO and up, and the product's own loggers (`rih.*`, `assistant`, `retrieval`, `dispatch_core`) pass DEBUG
too; third-party DEBUG output (HTTP clients print request bodies there by design) is out of scope, as it
is in production.
"""

from __future__ import annotations

import logging
from types import TracebackType

PRODUCT_LOGGERS = ("rih", "assistant", "retrieval", "dispatch_core")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:  # a record whose arguments do not format still counts, as its raw parts
            text = f"{record.msg} {record.args}"
        self.lines.append(text)


class LogCapture:
    """`with LogCapture() as logs:` ... `logs.take()` returns and clears what was logged since."""

    def __init__(self) -> None:
        self._handler = _Collect()
        self._saved: list[tuple[logging.Logger, int]] = []

    def take(self) -> list[str]:
        lines, self._handler.lines = self._handler.lines, []
        return lines

    def __enter__(self) -> LogCapture:
        root = logging.getLogger()
        self._saved = [(root, root.level)]
        root.setLevel(min(root.level or logging.WARNING, logging.INFO))
        for name in PRODUCT_LOGGERS:
            logger = logging.getLogger(name)
            self._saved.append((logger, logger.level))
            logger.setLevel(logging.DEBUG)
        root.addHandler(self._handler)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        logging.getLogger().removeHandler(self._handler)
        for logger, level in self._saved:
            logger.setLevel(level)
