"""Build a kit, its channels and rooms, and the webhook server from a :class:`ServeConfig`."""

from __future__ import annotations

from typing import Any

from roomkit import RoomKit
from roomkit.channels.base import Channel
from roomkit.channels.messaging import MessagingChannel
from roomkit.errors import ConfigurationError, RoomNotFoundError
from roomkit.plugins.catalogue import get_catalogue
from roomkit.plugins.descriptors import load_ref
from roomkit.plugins.factory import create_component
from roomkit_server.app import WebhookServer
from roomkit_server.config import ChannelConfig, ServeConfig

__all__ = [
    "CHANNEL_FACTORIES",
    "build_channel",
    "build_server",
    "check_plugins",
    "prepare_rooms",
    "provider_kind",
]

#: The factory of each channel kind a config may name.
CHANNEL_FACTORIES: dict[str, str] = {
    "sms": "roomkit.channels.sms:SMSChannel",
    "rcs": "roomkit.channels.rcs:RCSChannel",
    "email": "roomkit.channels.email:EmailChannel",
    "http": "roomkit.channels.http:HTTPChannel",
    "messenger": "roomkit.channels.messenger:MessengerChannel",
    "whatsapp": "roomkit.channels.whatsapp:WhatsAppChannel",
    "telegram": "roomkit.channels.telegram:TelegramChannel",
    "teams": "roomkit.channels.teams:TeamsChannel",
    "whatsapp_personal": "roomkit.channels.whatsapp_personal:WhatsAppPersonalChannel",
    "ai": "roomkit.channels.ai:AIChannel",
}

_PROVIDER_KINDS = {
    "sms": "sms_provider",
    "rcs": "rcs_provider",
    "email": "email_provider",
    "ai": "ai_provider",
}


def provider_kind(channel_kind: str) -> str:
    """The plugin component kind of the provider a channel kind takes."""
    return _PROVIDER_KINDS.get(channel_kind, "messaging_provider")


def check_plugins(config: ServeConfig) -> None:
    """Refuse to start when a required plugin is missing or unhealthy."""
    catalogue = get_catalogue()
    installed = {record.name: record for record in catalogue.plugins}
    for name in config.plugins.require:
        record = installed.get(name)
        if record is None:
            raise ConfigurationError(
                f"required plugin {name!r} is not installed (installed: {sorted(installed)})"
            )
        if not record.ok:
            raise ConfigurationError(f"required plugin {name!r} is {record.status}: {record.error}")


def build_channel(spec: ChannelConfig) -> Channel:
    """The channel ``spec`` describes, with its provider built from its plugin component."""
    provider = create_component(provider_kind(spec.kind), spec.provider, spec.provider_config)
    factory = load_ref(CHANNEL_FACTORIES[spec.kind])
    try:
        channel: Channel = factory(spec.id, provider=provider, **spec.options)
    except TypeError as exc:
        raise ConfigurationError(f"channel {spec.id!r}: bad options: {exc}") from None
    return channel


async def prepare_rooms(kit: RoomKit, config: ServeConfig) -> None:
    """Create the configured rooms that do not exist yet and attach their channels."""
    for room_spec in config.rooms:
        try:
            await kit.get_room(room_spec.id)
        except RoomNotFoundError:
            await kit.create_room(room_id=room_spec.id, metadata=dict(room_spec.metadata))
        attached = {b.channel_id for b in await kit.list_bindings(room_spec.id)}
        for attach in room_spec.attach:
            channel = kit.get_channel(attach.channel)
            if attach.to is not None and isinstance(channel, MessagingChannel):
                await channel.remember_recipient(attach.to, room_spec.id)
            if attach.channel in attached:
                continue
            metadata: dict[str, Any] = dict(attach.metadata)
            if attach.to is not None:
                metadata["to"] = attach.to
            await kit.attach_channel(room_spec.id, attach.channel, metadata=metadata)


def build_server(config: ServeConfig) -> WebhookServer:
    """A ready server owning its kit: plugins checked, channels registered, routes mounted;
    the rooms are prepared when the server starts."""
    check_plugins(config)
    kit = RoomKit.from_config(config.kit)
    for spec in config.channels:
        kit.register_channel(build_channel(spec))
    server = WebhookServer(kit, config.server, own_kit=True)
    for spec in config.channels:
        if spec.kind != "ai":
            server.add_channel(spec.id, path=spec.path)

    async def rooms() -> None:
        await prepare_rooms(kit, config)

    server.on_startup(rooms)
    return server
