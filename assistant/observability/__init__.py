"""Metrics, structured logs and PII redaction for the service; nothing here knows about routes or domains."""

from assistant.observability.logs import configure_logging, redact, register_secret
from assistant.observability.metrics import ServiceMetrics

__all__ = ["ServiceMetrics", "configure_logging", "redact", "register_secret"]
