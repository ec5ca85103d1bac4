"""roomkit.store."""
