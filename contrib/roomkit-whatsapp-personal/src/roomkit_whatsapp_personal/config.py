"""``WhatsAppPersonalConfig``: the linked-device session and the limits of the neonize plugin."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["MEDIA_LIMITS", "WhatsAppPersonalConfig"]

#: WhatsApp's size limits by media kind (bytes).
MEDIA_LIMITS = {
    "image": 5 * 1024 * 1024,
    "video": 16 * 1024 * 1024,
    "audio": 16 * 1024 * 1024,
    "document": 100 * 1024 * 1024,
}


class WhatsAppPersonalConfig(BaseModel):
    """A personal WhatsApp account linked as a companion device through neonize.

    ``db`` is the session database (it holds the device's keys: keep it private, it is the
    account's login). Pair once by scanning the QR code neonize prints (or a pair code).
    """

    db: str = Field(default="whatsapp-session.db", description="neonize session database")
    channel_id: str = Field(default="whatsapp-personal", description="The RoomKit channel id")
    device_name: str = Field(default="RoomKit", description="Shown in Linked devices")
    device_platform: Literal["chrome", "firefox", "safari", "edge", "desktop"] = "chrome"
    self_chat: bool = Field(default=False, description="Also take messages you send yourself")
    timeout: float = Field(default=30.0, gt=0, description="Seconds for each send or download")
    inbound_media_max_bytes: int = Field(
        default=2 * 1024 * 1024,
        ge=0,
        description="Incoming media up to this size is kept (as a data: URL); larger media "
        "arrives as a text note",
    )
