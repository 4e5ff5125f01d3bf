"""Who is calling: agent sessions, visitor tokens, passwords, login throttling."""
