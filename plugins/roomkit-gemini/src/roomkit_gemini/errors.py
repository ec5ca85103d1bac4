"""Map exceptions of the google-genai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError
from roomkit.providers.ai.support import (
    CONNECTION_ERROR_NAMES,
    TIMEOUT_ERROR_NAMES,
    is_retryable_status,
    status_error,
    transport_error,
)

__all__ = ["is_retryable_status", "to_provider_error"]

# google-genai talks over httpx or aiohttp; aiohttp names its errors differently.
_TIMEOUT_NAMES = TIMEOUT_ERROR_NAMES | {"ServerTimeoutError"}
_CONNECTION_NAMES = CONNECTION_ERROR_NAMES | {"ClientError"}


def to_provider_error(exc: Exception, *, provider: str, timeout: float) -> ProviderError:
    """A :class:`ProviderError` describing ``exc``; never includes credentials."""
    if isinstance(exc, ProviderError):
        return exc
    from google.genai import errors

    if isinstance(exc, errors.APIError):
        detail = exc.message or exc.status or str(exc)
        return status_error(provider, int(exc.code), str(detail))
    return transport_error(
        exc,
        provider=provider,
        timeout=timeout,
        timeout_names=_TIMEOUT_NAMES,
        connection_names=_CONNECTION_NAMES,
    )
