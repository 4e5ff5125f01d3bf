"""Checks of events against the catalogue (chatdesk/desk/events.py), for the tests."""

from __future__ import annotations

from pydantic import ValidationError

from chatdesk.desk.events import CATALOGUE, INTEGRATION_EVENTS


def payload_errors(event_type: str, data: object) -> list[str]:
    """What is wrong with an event as a client (or an integration) read it (type and decoded data),
    in words; [] if nothing."""
    payload = CATALOGUE[event_type].payload if event_type in CATALOGUE else INTEGRATION_EVENTS.get(event_type)
    if payload is None:
        return [f"{event_type}: not in the event catalogue"]
    try:
        payload.model_validate(data)
    except ValidationError as error:
        return [f"{event_type}: {problem['loc']} {problem['msg']}" for problem in error.errors()]
    return []


def markdown_table() -> str:
    """The catalogue as docs/api.md shows it."""
    rows = ["| type | data | to | `id:` | what it says |", "|---|---|---|---|---|"]
    for event in CATALOGUE.values():
        fields = ", ".join(event.payload.model_fields)
        rows.append(f"| `{event.name}` | `{{{fields}}}` | {', '.join(event.to)} | "
                    f"{'yes' if event.durable else 'no'} | {event.about} |")
    return "\n".join(rows)
