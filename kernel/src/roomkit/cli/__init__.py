"""roomkit.cli."""
