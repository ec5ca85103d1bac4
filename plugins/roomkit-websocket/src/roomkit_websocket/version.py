"""The distribution's version (independent of the kernel's)."""

__version__ = "0.1.0"
