"""The distribution version of roomkit-mcp."""

__all__ = ["__version__"]

__version__ = "0.1.0"
