"""Calling a messaging vendor's HTTP API: bounded time, failures *returned*, secrets kept out.

Messaging providers (SMS, email, generic webhooks ...) send through a REST API with an HTTP
client such as httpx. The contract (:mod:`roomkit.providers.messaging`) says ``send`` never
raises for a vendor failure: it returns a failed :class:`~roomkit.models.delivery.
ProviderResult`, retryable or not. :func:`call_vendor` does that mapping once for every
plugin::

    outcome = await call_vendor(
        self.name, self._client.post(url, json=payload), timeout=self._timeout, redactor=r
    )
    if isinstance(outcome, ProviderResult):       # timeout, broken connection, not 2xx
        return outcome
    return ProviderResult.sent(outcome.json()["id"])

* the whole call (connect, send, wait, read) finishes within ``timeout`` seconds, or is a
  retryable failure;
* a broken or refused connection is retryable; HTTP 408/425/429/5xx are retryable (with the
  vendor's ``Retry-After``), other answers that are not 2xx (4xx, redirects) are permanent;
* error texts carry at most 300 characters of the vendor's answer, with every known secret
  (API key, token) replaced by ``***`` -- some APIs echo the key back in a 401.

Nothing here imports an HTTP client: responses are read by duck typing (``status_code``,
``text``, ``headers``) and exceptions by class name (httpx's ``TimeoutException`` /
``TransportError``), so any client with that shape works.
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

from roomkit.models.delivery import ProviderResult
from roomkit.providers.ai.support.errors import (
    Redactor,
    exception_names,
    retry_after_seconds,
    shorten,
)

__all__ = [
    "HTTPResponseLike",
    "Redactor",
    "call_vendor",
    "check_vendor_url",
    "failure_from_exception",
    "failure_from_response",
    "is_loopback_host",
    "redactor_for",
]

#: Exception class names (anywhere in the MRO) that mean the call may work if tried again:
#: httpx's timeouts and transport errors, and the standard library's connection errors.
_RETRYABLE_ERROR_NAMES = frozenset(
    {"TimeoutException", "TransportError", "TimeoutError", "ConnectionError", "OSError"}
)
#: Exception class names an HTTP client raises for a request it could not make at all.
_CLIENT_ERROR_NAMES = frozenset({"HTTPError", "InvalidURL", "StreamError"})


class HTTPResponseLike(Protocol):
    """What :func:`call_vendor` reads of an HTTP client's response (httpx's has it)."""

    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...

    @property
    def headers(self) -> Mapping[str, str]: ...


R = TypeVar("R", bound=HTTPResponseLike)


def failure_from_response(
    provider: str,
    status_code: int,
    text: str,
    headers: Mapping[str, Any] | None = None,
    *,
    redactor: Redactor | None = None,
) -> ProviderResult:
    """The failed result for an HTTP error answer: retryable for 408/425/429/5xx (with the
    ``Retry-After`` the vendor asked for), permanent otherwise."""
    detail = shorten(text or "")
    if redactor is not None:
        detail = redactor.text(detail)
    return ProviderResult.from_http_error(
        status_code,
        f"{provider}: {detail}" if detail else provider,
        retry_after=retry_after_seconds(headers),
    )


def failure_from_exception(
    provider: str, exc: BaseException, *, timeout: float, redactor: Redactor | None = None
) -> ProviderResult:
    """The failed result for an exception of the HTTP client: a timeout or a broken
    connection is retryable; a request the client refused to make (bad URL ...) is not."""
    names = exception_names(exc)
    if isinstance(exc, TimeoutError) or "TimeoutException" in names:
        return ProviderResult.failed(
            f"{provider}: no answer within {timeout:g}s (raise timeout to wait longer)",
            retryable=True,
        )
    detail = shorten(f"{type(exc).__name__}: {exc}")
    if redactor is not None:
        detail = redactor.text(detail)
    return ProviderResult.failed(
        f"{provider}: {detail}", retryable=bool(names & _RETRYABLE_ERROR_NAMES)
    )


def _is_client_error(exc: BaseException) -> bool:
    names = exception_names(exc)
    return bool(names & (_RETRYABLE_ERROR_NAMES | _CLIENT_ERROR_NAMES)) or isinstance(
        exc, TimeoutError | OSError
    )


async def call_vendor(
    provider: str,
    request: Awaitable[R],
    *,
    timeout: float,
    redactor: Redactor | None = None,
    classify: Callable[[R], ProviderResult] | None = None,
) -> R | ProviderResult:
    """Await ``request`` (an HTTP client call) within ``timeout`` seconds.

    Returns the response when its status is 2xx, else a failed
    :class:`ProviderResult` (see the module docstring), built by ``classify`` when given (a
    vendor whose error bodies say more than the status, see
    :mod:`roomkit.providers.coded_errors`). Exceptions that are not the HTTP client's (a bug
    in the caller) propagate.
    """
    try:
        async with asyncio.timeout(timeout):
            response = await request
    except Exception as exc:
        if not _is_client_error(exc):
            raise
        return failure_from_exception(provider, exc, timeout=timeout, redactor=redactor)
    if not 200 <= response.status_code < 300:  # a redirect is not a delivery either
        if classify is not None:
            return classify(response)
        return failure_from_response(
            provider, response.status_code, response.text, response.headers, redactor=redactor
        )
    return response


def is_loopback_host(host: str | None) -> bool:
    """Whether ``host`` names this machine (``localhost``, ``127.0.0.0/8``, ``::1``)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_vendor_url(value: str, field: str) -> str:
    """``value`` when it is an ``https://`` URL, or ``http://`` to this machine (a local
    test server or proxy); for pydantic validators (raises :class:`ValueError` naming
    ``field``). Credentials travel in the requests, so they never go out in clear text."""
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return value
    raise ValueError(
        f"{field} must be an https:// URL (http:// only to localhost), got "
        f"{parts.scheme or 'no'} scheme for host {parts.hostname or '?'}"
    )


def redactor_for(secrets: Iterable[str | None]) -> Redactor:
    """A :class:`Redactor` of the non-empty ``secrets``."""
    return Redactor(s for s in secrets if s)
