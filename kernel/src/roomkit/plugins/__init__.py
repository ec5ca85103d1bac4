"""roomkit.plugins."""
