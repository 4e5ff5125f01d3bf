"""Prometheus metrics of this process, served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_LATENCY = Histogram(
    "chatdesk_http_request_seconds",
    "HTTP request latency until the response starts, by route.",
    ["method", "route", "status"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

OPEN_STREAMS = Gauge("chatdesk_sse_open_streams", "Event streams open in this process.", registry=REGISTRY)


def render() -> bytes:
    """The text exposition format of every metric above."""
    return generate_latest(REGISTRY)
