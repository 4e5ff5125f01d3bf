"""Real-time path: outbox -> Redis Streams (+ a live notification) -> per-process hub -> SSE."""
