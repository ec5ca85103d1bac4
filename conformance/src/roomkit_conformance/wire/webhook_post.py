"""Delivering a vendor's webhook to a real URL, as the vendor's servers do (standard library)."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import Mapping

__all__ = ["post_webhook"]


async def post_webhook(
    url: str, body: bytes, headers: Mapping[str, str], *, timeout: float = 10.0
) -> int:
    """POST ``body`` with ``headers`` to ``url`` from a worker thread; the answer's HTTP
    status (error statuses included, not raised)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url!r}")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")

    def post() -> int:
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            return int(error.code)

    return await asyncio.to_thread(post)
