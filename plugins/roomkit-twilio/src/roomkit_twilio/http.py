"""The HTTP client the twilio SDK's ``Client`` sends through: asynchronous, on httpx.

The SDK builds every request (URL, form encoding, Basic auth, headers) and parses every answer
(``TwilioRestException`` with Twilio's error code); this client only moves bytes:

* every request is bounded by ``timeout`` (connect, read and write);
* ``api_base_url`` replaces ``https://api.twilio.com`` (a proxy, or a local fake in tests);
* the answer's headers are kept for the caller (:func:`capture_headers`): the SDK's exception
  drops them, and a 429's ``Retry-After`` matters;
* nothing is logged: the SDK's request log would print URLs and form fields.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpx
from twilio.http import AsyncHttpClient
from twilio.http.response import Response

__all__ = ["TwilioAsyncHttpClient", "capture_headers"]

_TWILIO = "https://api.twilio.com"
_captured: ContextVar[dict[str, str] | None] = ContextVar("roomkit_twilio_headers", default=None)


@contextmanager
def capture_headers() -> Iterator[dict[str, str]]:
    """Within the block, the (lower-cased) headers of the last answer the client received in
    this task are put in the yielded dict."""
    box: dict[str, str] = {}
    token = _captured.set(box)
    try:
        yield box
    finally:
        _captured.reset(token)


class TwilioAsyncHttpClient(AsyncHttpClient):  # type: ignore[misc]  # untyped SDK base
    """An ``AsyncHttpClient`` of the twilio SDK on one pooled ``httpx.AsyncClient``."""

    def __init__(self, *, timeout: float, api_base_url: str = _TWILIO) -> None:
        super().__init__(logging.getLogger("roomkit.twilio.http"), True, timeout)
        self._base = api_base_url.rstrip("/")
        self._client: httpx.AsyncClient | None = None
        self._limit = timeout

    def _url(self, url: str) -> str:
        if self._base != _TWILIO and url.startswith(_TWILIO):
            return self._base + url[len(_TWILIO) :]
        return url

    async def request(
        self,
        method: str,
        url: str,
        params: Mapping[str, object] | None = None,
        data: Mapping[str, object] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> Response:
        """Send one request; transport errors (timeouts included) propagate as httpx's."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(self._limit))
        request_timeout = httpx.Timeout(min(timeout or self._limit, self._limit))
        answer = await self._client.request(
            method.upper(),
            self._url(url),
            params=_plain(params),
            data=_plain(data),
            headers=dict(headers or {}),
            auth=auth,
            timeout=request_timeout,
            follow_redirects=allow_redirects,
        )
        box = _captured.get()
        if box is not None:
            box.clear()
            box.update({k.lower(): v for k, v in answer.headers.items()})
        return Response(answer.status_code, answer.text, answer.headers)

    async def close(self) -> None:
        """Close the pooled connections."""
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


def _plain(values: Mapping[str, object] | None) -> dict[str, Any] | None:
    """httpx wants str / list values; the SDK hands ints and bools for some parameters."""
    if not values:
        return None
    plain: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, list | tuple):
            plain[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            plain[key] = "true" if value else "false"
        else:
            plain[key] = str(value)
    return plain
