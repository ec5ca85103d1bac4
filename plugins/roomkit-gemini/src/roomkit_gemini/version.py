"""The distribution version of roomkit-gemini."""

__all__ = ["__version__"]

__version__ = "0.1.0"
