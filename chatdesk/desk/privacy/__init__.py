"""Privacy: a visitor's data exported, erased, and erased by itself after the retention period."""
