"""The name customers see for an agent: their display name, or their account name when they have none.

Account names ("Grace Hopper", "Admin") are for the team; whatever reaches a visitor (message senders,
system lines, the widget's header, typing, transcripts) carries this one instead."""

from __future__ import annotations

import sqlalchemy as sa


def public_name(table: sa.FromClause) -> sa.ColumnElement[str]:
    """SQL for the agent row's public name (`display_name` is stored trimmed, or NULL when empty)."""
    return sa.func.coalesce(table.c.display_name, table.c.name)
