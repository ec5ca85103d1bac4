"""roomkit.skills."""
