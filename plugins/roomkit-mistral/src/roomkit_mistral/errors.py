"""Map exceptions of the mistralai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

import json

from roomkit.errors import ProviderError
from roomkit.providers.ai.support import (
    AIProviderSettings,
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
    """A :class:`ProviderError` describing ``exc`` (the provider removes secrets from it)."""
    if isinstance(exc, ProviderError):
        return exc
    from mistralai.client import errors

    if isinstance(exc, errors.MistralError):
        raw = getattr(exc, "raw_response", None)
        wait = retry_after_seconds(getattr(raw, "headers", None))
        detail = _body_message(exc.body) or str(exc)
        return status_error(provider, exc.status_code, detail, retry_after=wait)
    if isinstance(exc, errors.NoResponseError):
        return connection_error(provider, str(exc))
    connect, read = settings.attempt_timeouts
    return transport_error(exc, provider=provider, timeout=read, connect_timeout=connect)


def _body_message(body: str) -> str:
    try:
        data = json.loads(body)
    except ValueError:
        return ""
    if isinstance(data, dict):
        message = data.get("message") or data.get("detail")
        return message if isinstance(message, str) else ""
    return ""
