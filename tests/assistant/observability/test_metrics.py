"""ServiceMetrics: its own registry, parseable exposition, bounded labels, capacity lag computed at scrape."""

from __future__ import annotations

import math

from prometheus_client.parser import text_string_to_metric_families

from assistant.observability.metrics import LATENCY_BUCKETS, ServiceMetrics


def samples(metrics: ServiceMetrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    body, _ = metrics.render()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body.decode())
        for s in family.samples
    }


def test_exposition_parses_and_names_every_metric() -> None:
    body, content_type = ServiceMetrics().render()
    names = {family.name for family in text_string_to_metric_families(body.decode())}
    assert content_type.startswith("text/plain")
    assert {
        "http_request_duration_seconds",
        "http_requests_in_flight",
        "rih_decisions",
        "rih_feedback",
        "rih_sessions_started",
        "rih_handoffs",
        "rih_capacity_events",
        "rih_capacity_lag_seconds",
        "rih_capacity_last_event_timestamp_seconds",
    } <= names


def test_two_apps_can_each_have_their_own_metrics() -> None:
    first, second = ServiceMetrics(), ServiceMetrics()
    first.session_started()
    assert samples(first)[("rih_sessions_started_total", ())] == 1
    assert samples(second)[("rih_sessions_started_total", ())] == 0


def test_latency_buckets_are_dense_around_the_50_ms_target() -> None:
    assert LATENCY_BUCKETS[0] == 0.001 and LATENCY_BUCKETS[-1] == 10.0
    assert 0.05 in LATENCY_BUCKETS
    assert sum(b <= 0.05 for b in LATENCY_BUCKETS) >= 8


def test_a_request_is_recorded_under_its_template_and_status() -> None:
    metrics = ServiceMetrics()
    metrics.observe_request("POST", "/v1/sessions/{session_id}/messages", 200, 0.004)
    metrics.observe_request("POST", "/v1/sessions/{session_id}/messages", 200, 0.006)
    labels = (("method", "POST"), ("route", "/v1/sessions/{session_id}/messages"), ("status", "200"))
    got = samples(metrics)
    assert got[("http_request_duration_seconds_count", labels)] == 2
    assert math.isclose(got[("http_request_duration_seconds_sum", labels)], 0.010)
    assert got[("http_request_duration_seconds_bucket", tuple(sorted({*labels, ("le", "0.005")})))] == 1


def test_unknown_methods_and_unmatched_paths_do_not_mint_new_series() -> None:
    metrics = ServiceMetrics()
    for method in ("BREW", "PROPFIND", "13812345678"):
        metrics.observe_request(method, None, 404, 0.001)
    counts = [v for (name, labels), v in samples(metrics).items() if name.endswith("_count")]
    assert counts == [3]
    assert (("method", "other"), ("route", "unmatched"), ("status", "404")) in {
        labels for (name, labels) in samples(metrics) if name.endswith("_count")
    }


def test_domain_counters_count_what_services_report() -> None:
    metrics = ServiceMetrics()
    for strategy in ("linucb", "linucb", "greedy"):
        metrics.decision(strategy)
    metrics.feedback("accepted")
    metrics.feedback("rejected")
    metrics.feedback("rejected")
    metrics.feedback("maybe")
    metrics.session_started()
    metrics.handoff()
    got = samples(metrics)
    assert got[("rih_decisions_total", (("strategy", "linucb"),))] == 2
    assert got[("rih_decisions_total", (("strategy", "greedy"),))] == 1
    assert got[("rih_feedback_total", (("outcome", "accepted"),))] == 1
    assert got[("rih_feedback_total", (("outcome", "rejected"),))] == 2
    assert got[("rih_feedback_total", (("outcome", "other"),))] == 1
    assert got[("rih_sessions_started_total", ())] == 1
    assert got[("rih_handoffs_total", ())] == 1


def test_capacity_batches_count_by_result_and_ignore_other_keys() -> None:
    metrics = ServiceMetrics()
    metrics.capacity({"applied": 5, "stale_ignored": 2, "unknown_shop": 0, "invalid": 1, "clipped": 3}, None)
    metrics.capacity({"applied": 1}, None)
    got = samples(metrics)
    counts = {r: got[("rih_capacity_events_total", (("result", r),))] for r in ("applied", "stale_ignored")}
    assert counts == {"applied": 6, "stale_ignored": 2}
    assert got[("rih_capacity_events_total", (("result", "unknown_shop"),))] == 0
    assert got[("rih_capacity_events_total", (("result", "invalid"),))] == 1


def test_capacity_lag_is_now_minus_the_newest_applied_event_and_grows_if_the_feed_stops() -> None:
    now = [1_000.0]
    metrics = ServiceMetrics(clock=lambda: now[0])
    assert math.isnan(samples(metrics)[("rih_capacity_lag_seconds", ())])
    metrics.capacity({"applied": 2}, 990.0)
    metrics.capacity({"stale_ignored": 1}, 950.0)  # an older event never moves the newest back
    assert samples(metrics)[("rih_capacity_lag_seconds", ())] == 10.0
    assert samples(metrics)[("rih_capacity_last_event_timestamp_seconds", ())] == 990.0
    now[0] = 1_060.0
    assert samples(metrics)[("rih_capacity_lag_seconds", ())] == 70.0


def test_in_flight_gauge_moves_both_ways() -> None:
    metrics = ServiceMetrics()
    metrics.in_flight.inc()
    metrics.in_flight.inc()
    metrics.in_flight.dec()
    assert samples(metrics)[("http_requests_in_flight", ())] == 1
