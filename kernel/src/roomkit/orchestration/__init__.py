"""roomkit.orchestration."""
