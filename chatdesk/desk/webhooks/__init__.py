"""Webhooks: endpoints admins register (`endpoints`), deliveries queued in the transaction of each
change (`queue`), sent and retried by every serving process (`sender`), signed (`signing`) and
kept off private networks (`guard`)."""
