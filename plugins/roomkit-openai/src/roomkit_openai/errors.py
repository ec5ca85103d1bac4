"""Map exceptions of the openai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError
from roomkit.providers.ai.support import (
    connection_error,
    is_retryable_status,
    status_error,
    timeout_error,
    transport_error,
)

__all__ = ["is_retryable_status", "to_provider_error"]


def to_provider_error(exc: Exception, *, provider: str, timeout: float) -> ProviderError:
    """A :class:`ProviderError` describing ``exc``; never includes credentials.

    The openai SDK is imported here, on the error path only, so importing this module
    stays cheap.
    """
    if isinstance(exc, ProviderError):
        return exc
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return timeout_error(provider, timeout)
    if isinstance(exc, openai.APIStatusError):
        return status_error(provider, exc.status_code, exc.message)
    if isinstance(exc, openai.APIConnectionError):
        return connection_error(provider, str(exc.__cause__ or exc), phase="failed")
    return transport_error(exc, provider=provider, timeout=timeout)
