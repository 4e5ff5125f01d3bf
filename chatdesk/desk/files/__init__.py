"""Attachments: streamed uploads, type sniffing, thumbnails, storage backends, safe downloads."""
