"""The distribution version of roomkit-webrtc-aec."""

__all__ = ["__version__"]

__version__ = "0.1.0"
