"""Creating Twilio messages through the SDK, and turning every outcome into a ProviderResult.

:class:`TwilioMessages` owns one ``twilio.rest.Client`` (built on first use, inside the running
event loop) and sends with ``client.messages.create_async``. It never raises for a vendor or
network failure: Twilio's 4xx answers are permanent failures carrying Twilio's error code,
408 / 429 / 5xx answers, timeouts and dropped connections are retryable, and a 429's
``Retry-After`` is kept. Error texts name the Twilio code and message, never a credential.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.rest import Client

from roomkit.core.transcoding import content_to_text
from roomkit.models.delivery import ProviderResult
from roomkit.models.event import RoomEvent
from roomkit_twilio.config import _TwilioAccount
from roomkit_twilio.http import TwilioAsyncHttpClient, capture_headers

__all__ = ["TwilioMessages", "content_parts", "event_text_and_media", "retry_after_seconds"]


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """The ``Retry-After`` header in seconds (numeric form), if usable."""
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def event_text_and_media(event: RoomEvent) -> tuple[str, list[str]]:
    """The text and media URLs of an (already transcoded) event (see :func:`content_parts`)."""
    return content_parts(event.content)


def content_parts(content: Any) -> tuple[str, list[str]]:
    """The text and media URLs of one content: media, audio and video give their URL and
    caption; composite content joins its parts; anything else is rendered as text by the
    kernel's transcoder (rich cards keep their buttons as lines, a location its coordinates).
    """
    kind = getattr(content, "type", "")
    if kind in ("media", "audio", "video"):
        return getattr(content, "caption", None) or "", [content.url]
    if kind == "composite":
        texts: list[str] = []
        media: list[str] = []
        for part in content.parts:
            part_text, part_media = content_parts(part)
            if part_text:
                texts.append(part_text)
            media.extend(part_media)
        return "\n".join(texts), media
    return content_to_text(content), []


class TwilioMessages:
    """Sends through the Messages resource of one account (see the module docstring)."""

    def __init__(self, config: _TwilioAccount, *, provider: str) -> None:
        self._config = config
        self._provider = provider
        self._client: Client | None = None
        self._http: TwilioAsyncHttpClient | None = None

    def _sdk(self) -> Client:
        if self._client is None:
            self._http = TwilioAsyncHttpClient(
                timeout=self._config.timeout, api_base_url=self._config.api_base_url
            )
            self._client = Client(
                self._config.account_sid,
                self._config.auth_token.get_secret_value(),
                http_client=self._http,
            )
        return self._client

    async def create(
        self,
        *,
        to: str,
        body: str,
        media: Sequence[str] = (),
        sender: str | None = None,
        messaging_service_sid: str | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ProviderResult:
        """Create one message; the result holds its SID (``SM...`` / ``MM...``)."""
        params: dict[str, Any] = dict(extra or {})
        params["to"] = to
        if body:
            params["body"] = body
        if media:
            params["media_url"] = list(media)
        if sender:
            params["from_"] = sender
        if messaging_service_sid:
            params["messaging_service_sid"] = messaging_service_sid
        if self._config.status_callback:
            params["status_callback"] = self._config.status_callback
        limit = self._config.timeout
        with capture_headers() as headers:
            try:
                async with asyncio.timeout(limit + 1.0):  # the transport's own limit is `limit`
                    message = await self._sdk().messages.create_async(**params)
            except (TwilioRestException, TwilioServiceException) as exc:
                return self._vendor_error(exc, headers)
            except (TimeoutError, httpx.TimeoutException):
                return ProviderResult.failed(
                    f"{self._provider}: no answer from Twilio within {limit:g}s", retryable=True
                )
            except httpx.TransportError as exc:
                return ProviderResult.failed(
                    f"{self._provider}: connection to Twilio failed ({type(exc).__name__})",
                    retryable=True,
                )
        return ProviderResult.sent(
            message.sid,
            status=message.status,
            to=message.to,
            num_segments=message.num_segments,
        )

    def _vendor_error(
        self, exc: TwilioRestException | TwilioServiceException, headers: Mapping[str, str]
    ) -> ProviderResult:
        status = int(exc.status or 500)
        if isinstance(exc, TwilioRestException):
            code, text = exc.code, exc.msg
        else:
            code, text = exc.code, exc.detail or exc.title
        detail = f"Twilio error {code}: {text}" if code else f"Twilio: {text}"
        return ProviderResult.from_http_error(
            status,
            detail[:300],
            retry_after=retry_after_seconds(headers),
            twilio_code=code,
        )

    async def close(self) -> None:
        """Close the HTTP connections (the client is rebuilt on the next send)."""
        http, self._http, self._client = self._http, None, None
        if http is not None:
            await http.close()
