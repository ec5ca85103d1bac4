"""Map exceptions of the mistralai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError
from roomkit.providers.ai.support import (
    connection_error,
    is_retryable_status,
    status_error,
    transport_error,
)

__all__ = ["is_retryable_status", "to_provider_error"]


def to_provider_error(exc: Exception, *, provider: str, timeout: float) -> ProviderError:
    """A :class:`ProviderError` describing ``exc``; never includes credentials."""
    if isinstance(exc, ProviderError):
        return exc
    from mistralai.client import errors

    if isinstance(exc, errors.MistralError):
        return status_error(provider, exc.status_code, _body_message(exc.body) or str(exc))
    if isinstance(exc, errors.NoResponseError):
        return connection_error(provider, str(exc))
    return transport_error(exc, provider=provider, timeout=timeout)


def _body_message(body: str) -> str:
    import json

    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        message = data.get("message") or data.get("detail")
        return message if isinstance(message, str) else ""
    return ""
