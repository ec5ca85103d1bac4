"""Map exceptions of the openai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError
from roomkit.providers.ai.support import (
    AIProviderSettings,
    attempt_timeout_error,
    connection_error,
    is_retryable_status,
    retry_after_seconds,
    status_error,
    transport_error,
)

__all__ = ["is_retryable_status", "to_provider_error"]


def to_provider_error(
    exc: Exception, *, provider: str, settings: AIProviderSettings
) -> ProviderError:
    """A :class:`ProviderError` describing ``exc`` (the provider removes secrets from it).

    The openai SDK is imported here, on the error path only, so importing this module
    stays cheap.
    """
    if isinstance(exc, ProviderError):
        return exc
    import openai

    connect, read = settings.attempt_timeouts
    if isinstance(exc, openai.APITimeoutError):
        return attempt_timeout_error(exc, provider, connect_timeout=connect, read_timeout=read)
    if isinstance(exc, openai.APIStatusError):
        wait = retry_after_seconds(exc.response.headers)
        return status_error(provider, exc.status_code, exc.message, retry_after=wait)
    if isinstance(exc, openai.APIConnectionError):
        return connection_error(provider, str(exc.__cause__ or exc), phase="failed")
    return transport_error(exc, provider=provider, timeout=read, connect_timeout=connect)
