"""Map exceptions of the mistralai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError

__all__ = ["is_retryable_status", "to_provider_error"]

_RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


def is_retryable_status(status: int) -> bool:
    """Whether the same request may succeed later: rate limits, timeouts and 5xx."""
    return status in _RETRYABLE_STATUSES or status >= 500


def to_provider_error(exc: Exception, *, provider: str, timeout: float) -> ProviderError:
    """A :class:`ProviderError` describing ``exc``; never includes credentials."""
    if isinstance(exc, ProviderError):
        return exc
    from mistralai.client import errors

    if isinstance(exc, errors.MistralError):
        status = exc.status_code
        return ProviderError(
            f"{provider}: HTTP {status}: {_short(_body_message(exc.body) or str(exc))}",
            provider=provider,
            retryable=is_retryable_status(status),
            status_code=status,
        )
    names = {cls.__name__ for cls in type(exc).__mro__}
    if "TimeoutException" in names or isinstance(exc, TimeoutError):
        return ProviderError(
            f"{provider}: request timed out after {timeout:g}s", provider=provider, retryable=True
        )
    if isinstance(exc, errors.NoResponseError) or names & {
        "TransportError",
        "RemoteProtocolError",
        "ConnectionError",
    }:
        return ProviderError(
            f"{provider}: connection lost: {_short(str(exc))}", provider=provider, retryable=True
        )
    return ProviderError(f"{provider}: {type(exc).__name__}: {_short(str(exc))}", provider=provider)


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


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
