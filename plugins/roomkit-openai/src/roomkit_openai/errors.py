"""Map exceptions of the openai SDK (and its HTTP stack) to :class:`ProviderError`."""

from __future__ import annotations

from roomkit.errors import ProviderError

__all__ = ["is_retryable_status", "to_provider_error"]

_RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})


def is_retryable_status(status: int) -> bool:
    """Whether the same request may succeed later: rate limits, timeouts and 5xx."""
    return status in _RETRYABLE_STATUSES or status >= 500


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def to_provider_error(exc: Exception, *, provider: str, timeout: float) -> ProviderError:
    """A :class:`ProviderError` describing ``exc``; never includes credentials.

    The openai SDK is imported here, on the error path only, so importing this module
    stays cheap.
    """
    if isinstance(exc, ProviderError):
        return exc
    import openai

    if isinstance(exc, openai.APITimeoutError):
        return ProviderError(
            f"{provider}: request timed out after {timeout:g}s", provider=provider, retryable=True
        )
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        return ProviderError(
            f"{provider}: HTTP {status}: {_short(exc.message)}",
            provider=provider,
            retryable=is_retryable_status(status),
            status_code=status,
        )
    if isinstance(exc, openai.APIConnectionError):
        return ProviderError(
            f"{provider}: connection failed: {_short(str(exc.__cause__ or exc))}",
            provider=provider,
            retryable=True,
        )
    names = _class_names(exc)
    if "TimeoutException" in names or isinstance(exc, TimeoutError):
        return ProviderError(
            f"{provider}: request timed out after {timeout:g}s", provider=provider, retryable=True
        )
    if names & {"TransportError", "RemoteProtocolError", "ConnectionError"}:
        return ProviderError(
            f"{provider}: connection lost: {_short(str(exc))}", provider=provider, retryable=True
        )
    return ProviderError(f"{provider}: {type(exc).__name__}: {_short(str(exc))}", provider=provider)


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
