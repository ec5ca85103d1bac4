"""HTTP (generic webhook) provider contract and its mock."""

from __future__ import annotations

from roomkit.providers.http.base import HTTPProvider
from roomkit.providers.http.mock import MockHTTPProvider

__all__ = ["HTTPProvider", "MockHTTPProvider"]
