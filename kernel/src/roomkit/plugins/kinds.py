"""The one list of component kinds: what each is, which hook registers it, what takes it.

Everything that needs the kinds derives them from :data:`KINDS`: the descriptor validation
(:data:`COMPONENT_KINDS`), the family of each registration hook (:data:`FAMILY_KINDS` in
:mod:`roomkit.plugins.hookspecs`), and the component arguments ``RoomKit(store="sqlite", ...)``
accepts (:data:`KIT_KINDS`). This module imports nothing but the standard library, so the
lowest layers may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "COMPONENT_KINDS",
    "KINDS",
    "KIT_KINDS",
    "KindSpec",
    "hook_kinds",
]


@dataclass(frozen=True)
class KindSpec:
    """One component kind.

    ``hook`` is the registration hook that may register it; ``kit_argument`` is true when
    ``RoomKit(<kind>=<name>, <kind>_config={...})`` builds it by name.
    """

    name: str
    hook: str
    description: str
    kit_argument: bool = False


KINDS: tuple[KindSpec, ...] = (
    KindSpec("channel", "roomkit_register_channels", "transport or intelligence channel"),
    KindSpec("ai_provider", "roomkit_register_ai_providers", "LLM provider"),
    KindSpec("sms_provider", "roomkit_register_messaging_providers", "SMS transport"),
    KindSpec("rcs_provider", "roomkit_register_messaging_providers", "RCS transport"),
    KindSpec("email_provider", "roomkit_register_messaging_providers", "email transport"),
    KindSpec(
        "messaging_provider",
        "roomkit_register_messaging_providers",
        "chat-app transport (Teams, Telegram, Messenger ...)",
    ),
    KindSpec("stt", "roomkit_register_voice", "speech-to-text provider"),
    KindSpec("tts", "roomkit_register_voice", "text-to-speech provider"),
    KindSpec("realtime_voice", "roomkit_register_voice", "speech-to-speech AI provider"),
    KindSpec("voice_backend", "roomkit_register_voice", "audio transport (SIP, RTP, local)"),
    KindSpec("audio_stage", "roomkit_register_audio_stages", "audio pipeline stage (VAD ...)"),
    KindSpec("source", "roomkit_register_sources", "event source feeding rooms"),
    KindSpec(
        "identity_resolver",
        "roomkit_register_identity",
        "resolves senders to identities",
        kit_argument=True,
    ),
    KindSpec("telemetry", "roomkit_register_telemetry", "spans and metrics", kit_argument=True),
    KindSpec("store", "roomkit_register_stores", "conversation store", kit_argument=True),
    KindSpec("lock_manager", "roomkit_register_stores", "per-room locks", kit_argument=True),
    KindSpec("realtime", "roomkit_register_stores", "ephemeral event pub/sub", kit_argument=True),
    KindSpec("router", "roomkit_register_orchestration", "conversation router strategy"),
    KindSpec("memory", "roomkit_register_orchestration", "AI memory provider"),
    KindSpec("handoff_strategy", "roomkit_register_orchestration", "agent handoff strategy"),
    KindSpec("tool_provider", "roomkit_register_tools", "tools for AI agents (MCP ...)"),
)

#: Every component kind, in the order of :data:`KINDS`.
COMPONENT_KINDS: tuple[str, ...] = tuple(spec.name for spec in KINDS)

#: Kinds ``RoomKit(...)`` and ``RoomKit.from_config(...)`` accept by plugin name.
KIT_KINDS: tuple[str, ...] = tuple(spec.name for spec in KINDS if spec.kit_argument)


def hook_kinds() -> Mapping[str, frozenset[str]]:
    """Registration hook name -> the kinds it may register, hooks in first-use order."""
    families: dict[str, set[str]] = {}
    for spec in KINDS:
        families.setdefault(spec.hook, set()).add(spec.name)
    return {hook: frozenset(kinds) for hook, kinds in families.items()}
