"""The voice channel: speech in and out of a room (see :mod:`roomkit.channels.voice.channel`).

Modules, one role each: ``channel`` (the glue: sessions, audio in, replies out), ``turns``
(transcription and turn taking), ``playback`` (TTS streaming and cancellation), ``bargein``
(interruption decisions), ``signals`` (transcripts, DTMF and recordings into the room),
``hooks`` (which trigger each voice event fires), ``session`` (per-session state),
``runtime`` (what the parts share).
"""

from __future__ import annotations

from roomkit.channels.voice.channel import VoiceChannel

__all__ = ["VoiceChannel"]
