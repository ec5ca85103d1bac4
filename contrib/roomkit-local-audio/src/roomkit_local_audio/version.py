"""The roomkit-local-audio version."""

__version__ = "0.1.0"
