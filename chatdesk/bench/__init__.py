"""Benchmarks that print figures (`chatdesk bench ...`); targets live here, never in unit tests."""
