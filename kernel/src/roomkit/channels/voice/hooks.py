"""How a voice channel fires its hooks: one trigger per voice event, always with the session.

Hooks receive the typed event of :mod:`roomkit.voice.events` as their payload and a context of
the session's room whose metadata holds ``voice_session`` (the
:class:`~roomkit.voice.VoiceSession`) and ``channel_id``. ``BEFORE_TTS`` receives a
:class:`~roomkit.models.RoomEvent` carrying the text about to be spoken (see
:mod:`roomkit.channels.voice.playback`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from roomkit.errors import RoomNotFoundError
from roomkit.models.enums import HookTrigger
from roomkit.models.hooks import SyncOutcome
from roomkit.voice.base import VoiceSession
from roomkit.voice.events import (
    DTMFDetectedEvent,
    RecordingStartedEvent,
    RecordingStoppedEvent,
    SpeakerChangeEvent,
    SpeechEndEvent,
    SpeechStartEvent,
    VADAudioLevelEvent,
    VADSilenceEvent,
)

if TYPE_CHECKING:
    from roomkit.channels.engine import RoomEngine

__all__ = ["PIPELINE_TRIGGERS", "VoiceHooks"]

logger = logging.getLogger("roomkit.channels.voice")

#: Pipeline event type -> the hook trigger it fires.
PIPELINE_TRIGGERS: dict[type, HookTrigger] = {
    SpeechStartEvent: HookTrigger.ON_SPEECH_START,
    SpeechEndEvent: HookTrigger.ON_SPEECH_END,
    VADSilenceEvent: HookTrigger.ON_VAD_SILENCE,
    VADAudioLevelEvent: HookTrigger.ON_VAD_AUDIO_LEVEL,
    SpeakerChangeEvent: HookTrigger.ON_SPEAKER_CHANGE,
    DTMFDetectedEvent: HookTrigger.ON_DTMF,
    RecordingStartedEvent: HookTrigger.ON_RECORDING_STARTED,
    RecordingStoppedEvent: HookTrigger.ON_RECORDING_STOPPED,
}


class VoiceHooks:
    """Fires hooks on the engine the channel was registered with (nothing before that)."""

    def __init__(self, channel_id: str) -> None:
        self.channel_id = channel_id
        self.engine: RoomEngine | None = None

    async def fire(
        self, trigger: HookTrigger, payload: Any, session: VoiceSession, room_id: str
    ) -> SyncOutcome | None:
        """Run the hooks of ``trigger`` for ``session`` in ``room_id``; ``None`` when no sync
        hook listens (or the channel is not registered, or the room is gone)."""
        engine = self.engine
        if engine is None:
            return None
        try:
            return await engine.fire_hook(
                trigger,
                payload,
                room_id=room_id,
                metadata={"voice_session": session, "channel_id": self.channel_id},
            )
        except RoomNotFoundError:
            logger.debug("voice hook %s: room %s no longer exists", trigger, room_id)
            return None
