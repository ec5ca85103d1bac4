"""roomkit.realtime."""
