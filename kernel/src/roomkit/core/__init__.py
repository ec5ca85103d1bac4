"""roomkit.core."""
