"""roomkit.identity."""
