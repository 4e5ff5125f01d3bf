"""Outgoing mail: queued in PostgreSQL with the change that causes it (`queue`), rendered from one
place (`templates`), sent over SMTP (`smtp`) by a worker in every serving process (`sender`)."""
