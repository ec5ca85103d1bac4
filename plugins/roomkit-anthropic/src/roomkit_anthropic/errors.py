"""Map exceptions of the anthropic SDK (and its HTTP stack) to :class:`ProviderError`."""

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

    Retryable statuses include Anthropic's 529 (overloaded), like every 5xx.
    """
    if isinstance(exc, ProviderError):
        return exc
    import anthropic

    if isinstance(exc, anthropic.APITimeoutError):
        return timeout_error(provider, timeout)
    if isinstance(exc, anthropic.APIStatusError):
        return status_error(provider, exc.status_code, exc.message)
    if isinstance(exc, anthropic.APIConnectionError):
        return connection_error(provider, str(exc.__cause__ or exc), phase="failed")
    return transport_error(exc, provider=provider, timeout=timeout)
