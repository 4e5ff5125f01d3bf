"""chatdesk: self-hosted live chat for customer support."""

__version__ = "0.1.0"
