"""roomkit.tools."""
