"""Turning vendor failures into :class:`~roomkit.errors.ProviderError`, without secrets.

A plugin maps its SDK's own exception types (status errors, timeouts, connection errors) with
the constructors here; whatever the SDK did not wrap goes through :func:`transport_error`.
:class:`Redactor` then strips every credential the provider knows from the message, because
some servers echo the API key back in a 401 body.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from roomkit.errors import ProviderError, ProviderTimeoutError

__all__ = [
    "CONNECTION_ERROR_NAMES",
    "CONNECT_TIMEOUT_NAMES",
    "TIMEOUT_ERROR_NAMES",
    "Redactor",
    "attempt_timeout_error",
    "connection_error",
    "deadline_error",
    "ensure_finished",
    "exception_names",
    "is_retryable_status",
    "retry_after_seconds",
    "sdk_error",
    "shorten",
    "status_error",
    "timeout_error",
    "translate_errors",
    "transport_error",
]

#: HTTP statuses below 500 worth retrying: request timeout, conflict, too early, rate limit.
_RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})

#: Exception class names (anywhere in the MRO) that mean "the request timed out" in the HTTP
#: stacks vendor SDKs use (httpx and its fork httpx2).
TIMEOUT_ERROR_NAMES = frozenset({"TimeoutException"})

#: Timeout classes that mean the connection was never made (so no request reached the vendor).
CONNECT_TIMEOUT_NAMES = frozenset({"ConnectTimeout", "PoolTimeout"})

#: Exception class names that mean "the connection broke" (httpx and the standard library).
CONNECTION_ERROR_NAMES = frozenset({"TransportError", "RemoteProtocolError", "ConnectionError"})

#: Secrets shorter than this are not redacted (they would mangle ordinary words).
_MIN_SECRET = 6
_MASK = "***"


def is_retryable_status(status: int) -> bool:
    """Whether a request that got HTTP ``status`` may succeed later.

    True for 408, 409, 425, 429 and every 5xx (including Anthropic's 529 "overloaded").
    """
    return status in _RETRYABLE_STATUSES or status >= 500


def retry_after_seconds(headers: Mapping[str, Any] | None) -> float | None:
    """The wait a response asks for: ``retry-after-ms``, else ``Retry-After`` in seconds or
    as an HTTP date; ``None`` when there is none (or it cannot be read)."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    try:
        if "retry-after-ms" in lowered:
            return max(0.0, float(lowered["retry-after-ms"]) / 1000)
        value = lowered.get("retry-after")
        if value is None:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            moment = email.utils.parsedate_to_datetime(value)
            return max(0.0, moment.timestamp() - time.time())
    except (TypeError, ValueError, OverflowError):
        return None


def shorten(text: str, limit: int = 300) -> str:
    """``text`` with whitespace runs collapsed, cut to ``limit`` characters (``...`` marks a cut).

    Vendor error bodies can be long; error messages carry at most this much of them.
    """
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def exception_names(exc: BaseException) -> set[str]:
    """Names of every class in the MRO of ``exc``.

    Lets a plugin recognise exceptions of an HTTP stack (``httpx.TimeoutException``,
    ``aiohttp.ClientError``, ...) without importing it.
    """
    return {cls.__name__ for cls in type(exc).__mro__}


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def status_error(
    provider: str, status: int, detail: str, *, retry_after: float | None = None
) -> ProviderError:
    """The :class:`ProviderError` for an HTTP error response.

    ``retryable`` follows :func:`is_retryable_status`; ``detail`` (the vendor's message) is
    shortened with :func:`shorten`; ``retry_after`` is the vendor's ``Retry-After``, if any.
    """
    return ProviderError(
        f"{provider}: HTTP {status}: {shorten(detail)}",
        provider=provider,
        retryable=is_retryable_status(status),
        status_code=status,
        retry_after=retry_after,
    )


def timeout_error(
    provider: str, timeout: float, *, setting: str = "read_timeout"
) -> ProviderTimeoutError:
    """The error for one HTTP attempt that took longer than ``timeout`` seconds.

    ``setting`` names the option that sets the limit, so the message says what to raise.
    """
    return ProviderTimeoutError(
        f"{provider}: request timed out after {timeout:g}s (raise {setting} to wait longer)",
        provider=provider,
        timeout=timeout,
        setting=setting,
    )


def deadline_error(provider: str, timeout: float) -> ProviderTimeoutError:
    """The error for an answer (retries and streaming included) not finished within ``timeout``."""
    return ProviderTimeoutError(
        f"{provider}: the answer did not finish within the {timeout:g}s deadline "
        "(raise timeout to allow longer answers)",
        provider=provider,
        timeout=timeout,
        setting="timeout",
    )


def attempt_timeout_error(
    exc: BaseException, provider: str, *, connect_timeout: float, read_timeout: float
) -> ProviderTimeoutError:
    """The timeout error for ``exc``: connecting (a connect or pool timeout in its cause
    chain) or waiting for data (anything else)."""
    if any(exception_names(e) & CONNECT_TIMEOUT_NAMES for e in _chain(exc)):
        return timeout_error(provider, connect_timeout, setting="connect_timeout")
    return timeout_error(provider, read_timeout, setting="read_timeout")


def sdk_error(
    exc: Exception,
    sdk: Any,
    *,
    provider: str,
    connect_timeout: float,
    read_timeout: float,
) -> ProviderError:
    """The :class:`ProviderError` for an exception of an SDK generated by Stainless.

    The openai and anthropic SDKs (and the Groq, Together ... ones built the same way) share
    ``sdk.APITimeoutError``, ``sdk.APIStatusError`` (``status_code``, ``message``,
    ``response.headers``) and ``sdk.APIConnectionError``; ``sdk`` is the imported SDK module.
    Anything else goes through :func:`transport_error`.
    """
    if isinstance(exc, ProviderError):
        return exc
    if isinstance(exc, sdk.APITimeoutError):
        return attempt_timeout_error(
            exc, provider, connect_timeout=connect_timeout, read_timeout=read_timeout
        )
    if isinstance(exc, sdk.APIStatusError):
        wait = retry_after_seconds(exc.response.headers)
        return status_error(provider, exc.status_code, exc.message, retry_after=wait)
    if isinstance(exc, sdk.APIConnectionError):
        return connection_error(provider, str(exc.__cause__ or exc), phase="failed")
    return transport_error(
        exc, provider=provider, timeout=read_timeout, connect_timeout=connect_timeout
    )


def connection_error(provider: str, detail: str, *, phase: str = "lost") -> ProviderError:
    """A retryable :class:`ProviderError` for a connection that ``failed`` or was ``lost``."""
    return ProviderError(
        f"{provider}: connection {phase}: {shorten(detail)}", provider=provider, retryable=True
    )


def transport_error(
    exc: Exception,
    *,
    provider: str,
    timeout: float,
    connect_timeout: float | None = None,
    timeout_names: frozenset[str] = TIMEOUT_ERROR_NAMES,
    connection_names: frozenset[str] = CONNECTION_ERROR_NAMES,
) -> ProviderError:
    """The :class:`ProviderError` for an exception the vendor SDK did not wrap.

    Call it after handling the SDK's own exception types. In order: a timeout (a class named
    in ``timeout_names``, or :class:`TimeoutError`) becomes a :class:`ProviderTimeoutError`
    naming ``connect_timeout`` when the connection was never made (and that limit is given),
    else the read ``timeout``; a broken connection (a class named in ``connection_names``) is
    retryable; anything else is not retryable and is described by its type and message. A
    :class:`ProviderError` is returned unchanged.
    """
    if isinstance(exc, ProviderError):
        return exc
    names = exception_names(exc)
    if names & timeout_names or isinstance(exc, TimeoutError):
        if connect_timeout is not None:
            return attempt_timeout_error(
                exc, provider, connect_timeout=connect_timeout, read_timeout=timeout
            )
        return timeout_error(provider, timeout)
    if names & connection_names:
        return connection_error(provider, str(exc))
    return ProviderError(
        f"{provider}: {type(exc).__name__}: {shorten(str(exc))}", provider=provider
    )


@contextmanager
def translate_errors(convert: Callable[[Exception], ProviderError]) -> Iterator[None]:
    """Re-raise any exception of the block as ``convert(exc)``, chained to the original.

    A :class:`ProviderError` passes through untouched, and so do cancellation and other
    :class:`BaseException` that are not :class:`Exception`. The original is left out of the
    chain when the converter marked it so (:meth:`Redactor.error` does, when the original
    mentions a secret). Works around ``yield`` in async generators too::

        with translate_errors(self._error):
            response = await self._client.create(**request)
    """
    try:
        yield
    except ProviderError:
        raise
    except Exception as exc:
        converted = convert(exc)
        if converted.__suppress_context__ and converted.__cause__ is None:
            raise converted from None
        raise converted from exc


def ensure_finished(provider: str, finish_reason: str | None) -> str:
    """``finish_reason``, or a retryable :class:`ProviderError` when the stream had none.

    A stream that ends without a finish (stop) reason was cut off; passing the partial answer
    off as complete would hide the failure.
    """
    if finish_reason is None:
        raise ProviderError(
            f"{provider}: the stream ended before the model finished",
            provider=provider,
            retryable=True,
        )
    return finish_reason


class Redactor:
    """Removes known secrets (API keys, header values) from error text.

    Secrets shorter than six characters are ignored. For a header value such as
    ``"Bearer sk-..."`` the token after the scheme is a secret on its own as well, since a
    server may echo only the token.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        found: set[str] = set()
        for secret in secrets:
            for candidate in (secret, *secret.split(None, 1)[1:]):
                candidate = candidate.strip()
                if len(candidate) >= _MIN_SECRET:
                    found.add(candidate)
        # Longest first: a key inside a longer header value is replaced as part of it.
        self._secrets = sorted(found, key=len, reverse=True)

    def __bool__(self) -> bool:
        return bool(self._secrets)

    def text(self, text: str) -> str:
        """``text`` with every known secret replaced by ``***``."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, _MASK)
        return text

    def leaks(self, text: str) -> bool:
        """Whether ``text`` contains a known secret."""
        return any(secret in text for secret in self._secrets)

    def error(self, error: ProviderError, cause: BaseException | None = None) -> ProviderError:
        """``error`` with secrets removed from its message (the same object, edited).

        When ``cause`` (the vendor exception it describes) or anything chained to it mentions
        a secret, ``error`` is marked to be raised without that chain
        (:func:`translate_errors` honours the mark), so a logged traceback cannot print it.
        """
        if not self._secrets:
            return error
        if error.args and isinstance(error.args[0], str):
            error.args = (self.text(error.args[0]), *error.args[1:])
        if cause is not None and any(self.leaks(str(e)) for e in _chain(cause)):
            error.__cause__ = None
            error.__suppress_context__ = True
        return error
