"""roomkit.testing."""
