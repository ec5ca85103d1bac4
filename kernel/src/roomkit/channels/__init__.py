"""roomkit.channels."""
