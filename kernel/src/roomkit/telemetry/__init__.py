"""roomkit.telemetry."""
