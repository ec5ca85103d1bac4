"""Map exceptions of the google-genai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError
from roomkit.providers.ai.support import (
    AIProviderSettings,
    is_retryable_status,
    retry_after_seconds,
    status_error,
    transport_error,
)

__all__ = ["is_retryable_status", "to_provider_error"]


def to_provider_error(
    exc: Exception, *, provider: str, settings: AIProviderSettings
) -> ProviderError:
    """A :class:`ProviderError` describing ``exc`` (the provider removes secrets from it)."""
    if isinstance(exc, ProviderError):
        return exc
    from google.genai import errors

    if isinstance(exc, errors.APIError):
        detail = exc.message or exc.status or str(exc)
        wait = retry_after_seconds(getattr(exc.response, "headers", None))
        return status_error(provider, int(exc.code), str(detail), retry_after=wait)
    connect, read = settings.attempt_timeouts
    return transport_error(exc, provider=provider, timeout=read, connect_timeout=connect)
