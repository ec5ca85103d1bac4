"""roomkit.memory."""
