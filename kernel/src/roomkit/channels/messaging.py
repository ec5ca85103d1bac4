"""The transport channel of every messaging provider kind (SMS, email, WhatsApp ...).

:class:`MessagingChannel` is a :class:`~roomkit.channels.transport.TransportChannel` that hands
each (already transcoded) event to its provider:

* **recipient** -- ``binding.metadata[<recipient key>]`` (``"phone_number"`` for SMS,
  ``"email_address"`` for email ... as in RoomKit 0.6.7), else ``binding.metadata["to"]``,
  else ``binding.participant_id``, else the last sender who wrote into the room through this
  channel. No recipient is a permanent failure, never a send to ``""``.
* **failures** -- a failed :class:`~roomkit.models.delivery.ProviderResult` becomes
  :class:`~roomkit.errors.TransientProviderError` (retried by the binding's retry policy) or
  :class:`~roomkit.errors.PermanentProviderError` (not retried); a provider timeout or
  connection error counts as transient.
* **memory** -- every message sent is remembered in the channel's
  :class:`~roomkit.messaging.index.MessageIndex` (vendor message id -> room, event, part) so a
  delivery receipt updates the event's delivery record, and the recipient -> room, so a reply
  from that address lands in the room that wrote to it
  (:func:`roomkit.core.webhooks.process_message`).
"""

from __future__ import annotations

import logging
from typing import Any

from roomkit.channels.transport import TransportChannel
from roomkit.errors import (
    ConfigurationError,
    DeliveryError,
    PermanentProviderError,
    ProviderError,
    ProviderTimeoutError,
    TransientProviderError,
)
from roomkit.messaging.index import InMemoryMessageIndex, MessageIndex, MessageRef
from roomkit.models.context import RoomContext
from roomkit.models.delivery import ProviderResult
from roomkit.models.enums import ChannelDirection, ChannelType, EphemeralEventType
from roomkit.models.event import EphemeralEvent, InboundMessage, RoomEvent
from roomkit.models.hooks import ChannelOutput
from roomkit.models.room import ChannelBinding, ChannelCapabilities
from roomkit.providers.messaging import MessagingProvider

__all__ = ["MessagingChannel", "sent_key"]

logger = logging.getLogger("roomkit.messaging")


def sent_key(provider_message_id: str) -> str:
    """The index key of a sent message (what a delivery receipt is looked up by)."""
    return f"sent:{provider_message_id}"


def _recipient_key(address: str) -> str:
    return f"recipient:{address}"


class MessagingChannel(TransportChannel):
    """A transport channel that sends through a messaging provider.

    Built by the factories (``SMSChannel(...)``, ``WhatsAppChannel(...)`` ...). ``provider``
    may be ``None`` for a channel that only receives; delivering through it is then a
    :class:`~roomkit.errors.ConfigurationError`. ``message_index`` defaults to a bounded
    in-memory index; give a shared one when several processes send and receive.

    Subclasses for one kind set the class attributes ``channel_type``,
    ``default_capabilities`` and ``recipient_key`` instead of passing them.
    """

    default_capabilities: ChannelCapabilities = ChannelCapabilities()
    recipient_key: str = "to"

    def __init__(
        self,
        channel_id: str,
        *,
        channel_type: ChannelType | None = None,
        capabilities: ChannelCapabilities | None = None,
        provider: MessagingProvider | None = None,
        recipient_key: str | None = None,
        message_index: MessageIndex | None = None,
    ) -> None:
        super().__init__(
            channel_id,
            channel_type=channel_type,
            capabilities=capabilities or self.default_capabilities,
        )
        if provider is not None and not isinstance(provider, MessagingProvider):
            raise ConfigurationError(
                f"provider of {channel_id!r} must be a messaging provider "
                f"(SMSProvider, EmailProvider ...), got {type(provider).__name__}"
            )
        self._provider = provider
        if recipient_key is not None:
            self.recipient_key = recipient_key
        self.message_index: MessageIndex = message_index or InMemoryMessageIndex()

    def capabilities(self) -> ChannelCapabilities:
        """A copy of the kind's capabilities (bindings keep theirs; the shared table stays)."""
        return super().capabilities().model_copy(deep=True)

    @property
    def provider(self) -> MessagingProvider | None:
        """The provider this channel sends through."""
        return self._provider

    def _require_provider(self) -> MessagingProvider:
        if self._provider is None:
            raise ConfigurationError(
                f"channel {self.channel_id!r} has no provider: pass provider=... to its factory"
            )
        return self._provider

    # -- recipients --------------------------------------------------------------------------
    def find_recipient(self, binding: ChannelBinding, context: RoomContext | None) -> str | None:
        """Who a delivery on ``binding`` goes to (see the module docstring), or ``None``."""
        metadata = binding.metadata
        for key in (self.recipient_key, "to"):
            value = metadata.get(key)
            if value:
                return str(value)
        if binding.participant_id:
            return binding.participant_id
        if context is not None:
            for event in reversed(context.recent_events):
                source = event.source
                if (
                    source.channel_id == self.channel_id
                    and source.direction == ChannelDirection.INBOUND
                    and source.participant_id
                ):
                    return source.participant_id
        return None

    def require_recipient(self, binding: ChannelBinding, context: RoomContext | None) -> str:
        """:meth:`find_recipient`, or a permanent failure naming what to set."""
        to = self.find_recipient(binding, context)
        if to is None:
            raise PermanentProviderError(
                f"no recipient for {self.channel_id!r} in room {binding.room_id!r}: attach it "
                f"with metadata={{{self.recipient_key!r}: ...}} or participant_id=..."
            )
        return to

    # -- sending -----------------------------------------------------------------------------
    async def call_provider(
        self,
        provider: MessagingProvider,
        event: RoomEvent,
        to: str,
        binding: ChannelBinding,
        context: RoomContext,
    ) -> ProviderResult:
        """One call of the provider's ``send``; kinds with more arguments override this."""
        send = getattr(provider, "send", None)
        if send is None:
            raise ConfigurationError(f"{provider.name} has no send() method")
        result: ProviderResult = await send(event, to)
        return result

    def output_metadata(self, event: RoomEvent, result: ProviderResult) -> dict[str, Any]:
        """Extra metadata recorded with a successful delivery (kinds add theirs)."""
        return {}

    async def deliver(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ChannelOutput:
        result = await self._send_through_provider(event, binding, context)
        metadata: dict[str, Any] = {"provider_message_id": result.provider_message_id}
        metadata.update(self.output_metadata(event, result))
        return ChannelOutput(metadata=metadata)

    async def send(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> str | None:
        result = await self._send_through_provider(event, binding, context)
        return result.provider_message_id

    async def _send_through_provider(
        self, event: RoomEvent, binding: ChannelBinding, context: RoomContext
    ) -> ProviderResult:
        provider = self._require_provider()
        to = self.require_recipient(binding, context)
        name = provider.name
        try:
            result = await self.call_provider(provider, event, to, binding, context)
        except ProviderError:
            raise
        except TimeoutError as exc:
            raise ProviderTimeoutError(f"{name}: timed out ({exc})", provider=name) from exc
        except ConnectionError as exc:
            raise TransientProviderError(
                f"{name}: connection failed ({exc})", provider=name
            ) from exc
        if not isinstance(result, ProviderResult):
            raise DeliveryError(
                f"{name}.send returned {type(result).__name__}, not a ProviderResult"
            )
        result.raise_for_failure(name)
        await self._remember(event, binding, to, result)
        return result

    async def _remember(
        self, event: RoomEvent, binding: ChannelBinding, to: str, result: ProviderResult
    ) -> None:
        part = event.metadata.get("part", 1)
        parts = event.metadata.get("parts", 1)
        ref = MessageRef(
            room_id=binding.room_id,
            event_id=event.id,
            channel_id=self.channel_id,
            part=part if isinstance(part, int) and part >= 1 else 1,
            parts=parts if isinstance(parts, int) and parts >= 1 else 1,
        )
        try:
            if result.provider_message_id:
                await self.message_index.put(sent_key(result.provider_message_id), ref)
            await self.message_index.put(_recipient_key(to), ref)
        except Exception:  # the message went out: a failing index must not fail the delivery
            logger.exception("channel %s: could not record a sent message", self.channel_id)

    # -- receiving ---------------------------------------------------------------------------
    async def find_sent(self, provider_message_id: str) -> MessageRef | None:
        """The room, event and part of a message this channel sent (for receipts)."""
        return await self.message_index.get(sent_key(provider_message_id))

    async def remember_recipient(self, address: str, room_id: str) -> None:
        """Route messages from ``address`` to ``room_id`` (as if the room had written to it):
        for rooms set up in advance for a known recipient."""
        ref = MessageRef(room_id=room_id, channel_id=self.channel_id)
        await self.message_index.put(_recipient_key(address), ref)

    async def resolve_room(self, message: InboundMessage) -> str | None:
        """The room an inbound message belongs to, when the channel knows it: by default the
        room that last sent to the message's sender through this channel."""
        ref = await self.message_index.get(_recipient_key(message.sender_id))
        return ref.room_id if ref is not None else None

    async def after_inbound(self, message: InboundMessage, room_id: str) -> None:
        """Called once an inbound message is stored in ``room_id`` (kinds record threads)."""

    # -- ephemeral events ------------------------------------------------------------------
    async def deliver_ephemeral(self, event: EphemeralEvent, binding: ChannelBinding) -> None:
        """Typing indicators, for providers that offer ``send_typing(to, is_typing=...)``."""
        if event.type not in (EphemeralEventType.TYPING_START, EphemeralEventType.TYPING_STOP):
            return
        send_typing = getattr(self._provider, "send_typing", None)
        to = self.find_recipient(binding, None)
        if send_typing is None or to is None:
            return
        try:
            await send_typing(to, is_typing=event.type == EphemeralEventType.TYPING_START)
        except NotImplementedError:
            return

    async def close(self) -> None:
        if self._provider is not None:
            await self._provider.close()

    def info(self) -> dict[str, Any]:
        data = super().info()
        data["provider"] = self._provider.name if self._provider is not None else None
        data["recipient_key"] = self.recipient_key
        return data
