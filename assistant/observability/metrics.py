"""Prometheus metrics of one app: HTTP latency by route template, and the domain events services report."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily

# The p99 target is 50 ms: dense buckets around it, a sparse tail up to 10 s so slow outliers still land.
LATENCY_BUCKETS = (
    0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05,
    0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
)  # fmt: skip
# Label values come from clients or callers; a closed set keeps a hostile client from minting series.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
FEEDBACK_OUTCOMES = ("accepted", "rejected")
CAPACITY_RESULTS = ("applied", "stale_ignored", "unknown_shop", "invalid")
UNMATCHED = "unmatched"
OTHER = "other"


class ServiceMetrics:
    """Every metric of one app in its own registry, so tests can build many apps side by side.

    Services call the plain methods (`decision`, `feedback`, ...); the HTTP middleware calls
    `observe_request` and moves `in_flight`. `render()` is what `GET /metrics` returns.
    """

    def __init__(
        self, registry: CollectorRegistry | None = None, clock: Callable[[], float] = time.time
    ) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        self._clock = clock
        r = self.registry
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from the request reaching the app to the last byte of the response.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.in_flight = Gauge("http_requests_in_flight", "Requests being served now.", registry=r)
        self._decisions = Counter(
            "rih_decisions", "Dispatch decisions made, by strategy.", ("strategy",), registry=r
        )
        self._feedback = Counter("rih_feedback", "Outcomes reported on decisions.", ("outcome",), registry=r)
        self._sessions = Counter("rih_sessions_started", "Chat sessions started.", registry=r)
        self._handoffs = Counter("rih_handoffs", "Sessions handed off to a human agent.", registry=r)
        self._capacity = Counter(
            "rih_capacity_events", "Capacity events, by what became of them.", ("result",), registry=r
        )
        self._capacity_ts = Gauge(
            "rih_capacity_last_event_timestamp_seconds",
            "Event time (Unix s) of the newest capacity event applied.",
            registry=r,
        )
        lag = Gauge(
            "rih_capacity_lag_seconds", "Now minus the newest applied event time; NaN before any.", registry=r
        )
        # Computed at scrape time: a feed that stopped shows a growing lag instead of its last value.
        lag.set_function(self._capacity_lag)
        self._newest_event_ts: float | None = None
        # `.labels()` validates and locks on every call; the hot path looks children up in plain dicts.
        self._latency_children: dict[tuple[str, str, int], Histogram] = {}
        self._decision_children: dict[str, Counter] = {}
        self._feedback_children = {o: self._feedback.labels(o) for o in (*FEEDBACK_OUTCOMES, OTHER)}
        self._capacity_children = {k: self._capacity.labels(k) for k in CAPACITY_RESULTS}

    def observe_request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        """One finished request; `route` is the matched template (`/v1/items/{item_id}`), None if none."""
        key = (method if method in METHODS else OTHER, route or UNMATCHED, status)
        child = self._latency_children.get(key)
        if child is None:
            child = self._latency_children[key] = self.latency.labels(key[0], key[1], str(status))
        child.observe(seconds)

    def decision(self, strategy: str) -> None:
        child = self._decision_children.get(strategy)
        if child is None:
            child = self._decision_children[strategy] = self._decisions.labels(strategy)
        child.inc()

    def feedback(self, outcome: str) -> None:
        """`accepted` or `rejected`; anything else counts under `other` (a metric call must never raise)."""
        self._feedback_children.get(outcome, self._feedback_children[OTHER]).inc()

    def session_started(self) -> None:
        self._sessions.inc()

    def handoff(self) -> None:
        self._handoffs.inc()

    def capacity(self, result_counts: Mapping[str, int], newest_event_ts: float | None) -> None:
        """One applied batch: counts by result (unknown keys such as `clipped` are ignored) and the newest
        event time among the applied events (None when none was applied)."""
        for result, child in self._capacity_children.items():
            count = result_counts.get(result, 0)
            if count > 0:
                child.inc(count)
        if newest_event_ts is not None and (
            self._newest_event_ts is None or newest_event_ts > self._newest_event_ts
        ):
            self._newest_event_ts = float(newest_event_ts)
            self._capacity_ts.set(self._newest_event_ts)

    def rank_jobs(self, read: Callable[[], Mapping[str, int]]) -> None:
        """Expose `rih_rank_jobs_total{where}`, read at scrape time (`read` gives counts by where the rank
        process's jobs ran: `child`, `in_process`); a child that is down shows as `in_process` growing."""
        self.registry.register(
            _CountsCollector(
                "rih_rank_jobs",
                "Rankings for the event loop, by where they ran (the rank process's child or in process).",
                "where",
                read,
            )
        )

    def render(self) -> tuple[bytes, str]:
        """The Prometheus text exposition of every metric, and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def _capacity_lag(self) -> float:
        newest = self._newest_event_ts
        return math.nan if newest is None else self._clock() - newest


class _CountsCollector:
    """A counter family whose values another object keeps: read when scraped."""

    def __init__(
        self, name: str, documentation: str, label: str, read: Callable[[], Mapping[str, int]]
    ) -> None:
        self.name, self.documentation, self.label, self.read = name, documentation, label, read

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(self.name, self.documentation, labels=[self.label])
        for value, count in self.read().items():
            family.add_metric([value], count)
        yield family
