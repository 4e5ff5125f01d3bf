"""Prometheus metrics of this process, served at `/metrics`."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_LATENCY = Histogram(
    "chatdesk_http_request_seconds",
    "HTTP request latency until the response starts, by route.",
    ["method", "route", "status"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

OPEN_STREAMS = Gauge("chatdesk_sse_open_streams", "Event streams open in this process.", registry=REGISTRY)
MESSAGES = Counter("chatdesk_messages", "Messages stored by this process (rate() gives messages per second).",
                   registry=REGISTRY)
MESSAGE_GROUPS = Histogram(
    "chatdesk_message_group_size",
    "Messages stored together by one statement (group commit of the usual message): 1 when quiet, more under load.",
    registry=REGISTRY, buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
DELIVERY = Histogram(
    "chatdesk_delivery_seconds",
    "From an event's append to Redis to its arrival at this process's hub, for its event streams.",
    registry=REGISTRY,
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
QUEUE_WAIT = Histogram("chatdesk_queue_wait_seconds", "From a chat's start to an agent accepting it.",
                       registry=REGISTRY, buckets=(0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600))
OFFER_TIME = Histogram("chatdesk_assignment_seconds", "From a chat's start (or requeue) to its first offer.",
                       registry=REGISTRY, buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
MAIL = Counter("chatdesk_mail", "Mail send attempts by this process, by outcome: sent, retry (a temporary failure) "
               "or failed (a permanent refusal, or the last attempt).", ["outcome"], registry=REGISTRY)
WEBHOOKS = Counter("chatdesk_webhooks", "Webhook delivery attempts by this process, by outcome: delivered, retry, "
                   "failed (a test, or the last attempt), and endpoints disabled for failing.", ["outcome"],
                   registry=REGISTRY)
OUTBOX_DEPTH = Gauge("chatdesk_outbox_depth", "Outbox rows not yet pushed and cleared (read at scrape time).",
                     registry=REGISTRY)

# Per department, read from PostgreSQL at scrape time: every process reports the same numbers.
QUEUE_LENGTH = Gauge("chatdesk_queue_length", "Chats waiting in the department's queue now.", ["department"],
                     registry=REGISTRY)
QUEUE_LONGEST_WAIT = Gauge("chatdesk_queue_longest_wait_seconds",
                           "How long the department's longest-waiting queued chat has waited.", ["department"],
                           registry=REGISTRY)
AGENTS_ONLINE = Gauge("chatdesk_agents_online", "Agents online who serve the department.", ["department"],
                      registry=REGISTRY)


def render() -> bytes:
    """The text exposition format of every metric above."""
    return generate_latest(REGISTRY)
