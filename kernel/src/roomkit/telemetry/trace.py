"""Protocol traces: the raw wire traffic (SIP, RTP, WebSocket, HTTP ...) a channel sees."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from roomkit.errors import InvalidContentError

__all__ = ["ProtocolTrace", "TraceDirection"]

TraceDirection = Literal["inbound", "outbound"]
_DIRECTIONS = ("inbound", "outbound")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ProtocolTrace:
    """One protocol-level message a channel sent or received.

    Channels emit these only while someone observes them (``ON_PROTOCOL_TRACE`` hooks or a
    channel trace observer), so tracing costs nothing when unused. ``raw`` may be omitted for
    high-frequency traffic (RTP); ``metadata`` holds protocol details (codec, headers ...).
    ``room_id`` is set when the emitter knows it.
    """

    channel_id: str
    direction: TraceDirection
    protocol: str
    summary: str
    raw: bytes | str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    timestamp: datetime = field(default_factory=_now)
    session_id: str | None = None
    room_id: str | None = None

    def __post_init__(self) -> None:
        if self.direction not in _DIRECTIONS:
            raise InvalidContentError(
                f"ProtocolTrace.direction must be 'inbound' or 'outbound', not {self.direction!r}"
            )
        if not isinstance(self.channel_id, str) or not self.channel_id:
            raise InvalidContentError("ProtocolTrace.channel_id must be a non-empty string")
        if not isinstance(self.protocol, str) or not self.protocol:
            raise InvalidContentError(
                "ProtocolTrace.protocol must name the protocol, e.g. 'sip', 'ws' or 'http'"
            )
