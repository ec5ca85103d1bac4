"""Reassembling VoiceMeUp's split MMS.

VoiceMeUp delivers an MMS as two webhooks: first the text with a *metadata wrapper*
attachment (a SMIL / XML / text part that is not the media), then the picture. Both carry the
same sender, recipient and ``datetime_transmission``. :class:`MMSAggregator` keeps the first
part until the second arrives and merges them (text + media, the first part's ``sms_hash``
as the idempotency key). When the picture never comes within ``timeout_seconds``, the text
alone goes to ``on_timeout`` (sync or async); without ``on_timeout`` it is logged (without its
content) and dropped, as in RoomKit 0.6.7. The buffer is bounded: past ``max_pending`` the
oldest part is expired early.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import mimetypes
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from roomkit.errors import WebhookPayloadError
from roomkit.messaging.meta import build_inbound_content
from roomkit.models.event import InboundMessage

__all__ = ["MMSAggregator", "OnTimeout", "build_message", "is_metadata_wrapper"]

logger = logging.getLogger("roomkit.voicemeup")

OnTimeout = Callable[[InboundMessage], Awaitable[None] | None]

_WRAPPER_TYPES = frozenset(
    {
        "application/smil",
        "application/smil+xml",
        "application/xml",
        "text/xml",
        "text/plain",
        "application/json",
    }
)


def is_metadata_wrapper(url: str | None, mime_type: str | None) -> bool:
    """Whether an attachment is VoiceMeUp's MMS metadata part, not media: a SMIL, XML, JSON
    or plain-text part (by its MIME type, else by the URL's extension)."""
    if not url:
        return False
    kind = (mime_type or "").split(";", 1)[0].strip().lower()
    if not kind:
        if url.lower().split("?", 1)[0].endswith(".smil"):
            return True
        kind = (mimetypes.guess_type(url)[0] or "").lower()
    return kind in _WRAPPER_TYPES


def _attachment(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    url = payload.get("attachment") or payload.get("attachment_url")
    mime = payload.get("attachment_mime_type") or payload.get("attachment_type")
    return (str(url) if url else None), (str(mime) if mime else None)


def build_message(
    payload: Mapping[str, Any], channel_id: str, *, text: str | None = None, media: bool = True
) -> InboundMessage:
    """An ``InboundMessage`` of one VoiceMeUp webhook (``text`` replaces its message;
    ``media=False`` leaves the attachment out)."""
    sender = str(payload.get("source_number") or "").strip()
    if not sender:
        raise WebhookPayloadError("a VoiceMeUp webhook has source_number")
    if not sender.startswith("+") and sender.isdigit():
        sender = "+" + sender
    url, mime = _attachment(payload)
    items: list[dict[str, str | None]] = []
    if media and url and not is_metadata_wrapper(url, mime):
        items.append({"url": url, "mime_type": mime})
    body = str(payload.get("message") or "") if text is None else text
    sms_hash = str(payload["sms_hash"]) if payload.get("sms_hash") else None
    return InboundMessage(
        channel_id=channel_id,
        sender_id=sender,
        content=build_inbound_content(body, items),
        external_id=sms_hash,
        idempotency_key=sms_hash,
        metadata={
            "provider": "voicemeup",
            "destination_number": payload.get("destination_number"),
            "direction": payload.get("direction") or "inbound",
            "datetime_transmission": payload.get("datetime_transmission") or "",
            "has_attachment": bool(items),
        },
    )


@dataclass
class _Pending:
    payload: dict[str, Any]
    channel_id: str
    deadline: float
    timer: asyncio.TimerHandle | None = None


class MMSAggregator:
    """Buffers first MMS parts until their picture arrives (see the module docstring)."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 5.0,
        on_timeout: OnTimeout | None = None,
        max_pending: int = 1000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.on_timeout = on_timeout
        self._max = max_pending
        self._clock = clock
        self._pending: OrderedDict[str, _Pending] = OrderedDict()
        self._tasks: set[asyncio.Task[None]] = set()

    def configure(
        self, *, timeout_seconds: float = 5.0, on_timeout: OnTimeout | None = None
    ) -> None:
        """Change the wait and the orphan handler (``configure_voicemeup_mms``)."""
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be > 0")
        self.timeout_seconds = timeout_seconds
        self.on_timeout = on_timeout

    @property
    def pending(self) -> int:
        """First parts waiting for their picture."""
        return len(self._pending)

    @staticmethod
    def key(payload: Mapping[str, Any]) -> str:
        """What the two parts of one MMS share."""
        return ":".join(
            str(payload.get(k) or "")
            for k in ("source_number", "destination_number", "datetime_transmission")
        )

    def accept(self, payload: Mapping[str, Any], channel_id: str) -> InboundMessage | None:
        """The message to process now, or ``None`` while a first MMS part waits."""
        self.expire()
        data = dict(payload)
        url, mime = _attachment(data)
        key = self.key(data)
        if is_metadata_wrapper(url, mime):
            if key in self._pending:  # the vendor retried the first part: keep the first one
                return None
            self._hold(key, data, channel_id)
            return None
        first = self._pending.pop(key, None)
        if first is None:
            return build_message(data, channel_id)
        if first.timer is not None:
            first.timer.cancel()
        merged = dict(data)
        merged["message"] = first.payload.get("message") or data.get("message") or ""
        merged["sms_hash"] = first.payload.get("sms_hash") or data.get("sms_hash")
        return build_message(merged, channel_id)

    def _hold(self, key: str, payload: dict[str, Any], channel_id: str) -> None:
        while len(self._pending) >= self._max:
            oldest, _ = next(iter(self._pending.items()))
            self._expire_key(oldest)
        pending = _Pending(payload, channel_id, self._clock() + self.timeout_seconds)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is not None:
            pending.timer = loop.call_later(self.timeout_seconds, self._expire_key, key)
        self._pending[key] = pending

    def expire(self) -> None:
        """Hand over every first part whose wait is over (also runs on each ``accept``)."""
        now = self._clock()
        for key in [k for k, p in self._pending.items() if p.deadline <= now]:
            self._expire_key(key)

    def _expire_key(self, key: str) -> None:
        pending = self._pending.pop(key, None)
        if pending is None:
            return
        if pending.timer is not None:
            pending.timer.cancel()
        handler = self.on_timeout
        if handler is None:
            logger.warning("voicemeup: an MMS picture never arrived; its text part was dropped")
            return
        try:
            message = build_message(pending.payload, pending.channel_id, media=False)
            outcome = handler(message)
        except Exception as exc:  # the handler is user code: report it by type only
            logger.error("voicemeup: MMS on_timeout handler raised %s", type(exc).__name__)
            return
        if inspect.isawaitable(outcome):
            try:
                asyncio.get_running_loop()
            except RuntimeError:  # called outside any event loop: run the handler to the end
                asyncio.run(_wait(outcome))
                return
            task = asyncio.ensure_future(outcome)
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)


async def _wait(outcome: Awaitable[None]) -> None:
    await outcome
