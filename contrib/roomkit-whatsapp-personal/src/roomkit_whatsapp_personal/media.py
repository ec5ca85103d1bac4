"""Fetching the bytes of outgoing media (WhatsApp needs the file itself: neonize encrypts and
uploads it). Bounded in time and in size: a file over WhatsApp's limit for its kind is refused
before it is read whole."""

from __future__ import annotations

import base64
import binascii
from urllib.parse import unquote_to_bytes

import httpx

from roomkit.models.delivery import ProviderResult

__all__ = ["fetch_media"]


def _data_url(url: str, limit: int, provider: str) -> bytes | ProviderResult:
    header, _, payload = url.partition(",")
    try:
        data = (
            base64.b64decode(payload, validate=True)
            if header.endswith(";base64")
            else unquote_to_bytes(payload)
        )
    except (binascii.Error, ValueError):
        return ProviderResult.failed(f"{provider}: the media's data: URL is not valid base64")
    if len(data) > limit:
        return _too_large(provider, len(data), limit)
    return data


def _too_large(provider: str, size: int, limit: int) -> ProviderResult:
    return ProviderResult.failed(
        f"{provider}: media too large for WhatsApp ({size} bytes, the limit is {limit}); "
        "send a link instead",
        size_bytes=size,
        limit_bytes=limit,
    )


async def fetch_media(
    client: httpx.AsyncClient,
    url: str,
    *,
    limit: int,
    declared_size: int | None,
    provider: str,
) -> bytes | ProviderResult:
    """The bytes at ``url`` (``https``, ``http`` or ``data:``), or a failed result: too large
    (permanent, before downloading when the size is known), unreadable (retryable)."""
    if declared_size is not None and declared_size > limit:
        return _too_large(provider, declared_size, limit)
    if url.startswith("data:"):
        return _data_url(url, limit, provider)
    if not url.startswith(("https://", "http://")):
        return ProviderResult.failed(f"{provider}: cannot fetch media from {url.split(':')[0]}:")
    try:
        async with client.stream("GET", url) as answer:
            if answer.status_code >= 400:
                return ProviderResult.from_http_error(
                    answer.status_code, f"{provider}: fetching the media failed"
                )
            length = answer.headers.get("content-length")
            if length and length.isdigit() and int(length) > limit:
                return _too_large(provider, int(length), limit)
            chunks = bytearray()
            async for chunk in answer.aiter_bytes():
                chunks += chunk
                if len(chunks) > limit:
                    return _too_large(provider, len(chunks), limit)
            return bytes(chunks)
    except httpx.HTTPError as exc:
        return ProviderResult.failed(
            f"{provider}: fetching the media failed ({type(exc).__name__})", retryable=True
        )
