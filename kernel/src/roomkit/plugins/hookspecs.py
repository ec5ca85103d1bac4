"""The hookspecs of the ``roomkit`` plugin project.

Every hook is synchronous and runs once, when the plugin catalogue is built (at the first
``roomkit plugins list``, ``create_component`` or plugin-exported name lookup). A plugin
implements only the hooks of the families it provides. Each registration hook receives one
argument, ``register``: a callable taking a :class:`~roomkit.plugins.ComponentDescriptor`.
Descriptors name their factory lazily, so registering never imports a vendor SDK.

Hooks never run on the message or audio path: pluggy is only the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from roomkit.plugins.descriptors import ComponentDescriptor, PluginInfo
from roomkit.plugins.kinds import hook_kinds
from roomkit.plugins.markers import hookspec

__all__ = [
    "FAMILY_KINDS",
    "REGISTRATION_HOOKS",
    "Register",
    "roomkit_plugin_info",
    "roomkit_register_ai_providers",
    "roomkit_register_audio_stages",
    "roomkit_register_channels",
    "roomkit_register_identity",
    "roomkit_register_messaging_providers",
    "roomkit_register_orchestration",
    "roomkit_register_sources",
    "roomkit_register_stores",
    "roomkit_register_telemetry",
    "roomkit_register_tools",
    "roomkit_register_voice",
]

#: The type of the ``register`` argument every registration hook receives.
Register = Callable[[ComponentDescriptor], None]


@hookspec
def roomkit_plugin_info() -> PluginInfo:  # type: ignore[empty-body]
    """Describe the plugin: name, distribution, version and the kernel API range it supports.

    Called first, before any registration hook. Every plugin must implement it; a plugin whose
    ``kernel_api`` range excludes the running kernel's ``PLUGIN_API_VERSION`` is reported as
    incompatible and none of its registration hooks are called.
    """


@hookspec
def roomkit_register_channels(register: Register) -> None:
    """Register channels (kind ``channel``): transports such as WebSocket, SMS or Teams channels,
    and intelligence channels."""


@hookspec
def roomkit_register_ai_providers(register: Register) -> None:
    """Register AI (LLM) providers (kind ``ai_provider``)."""


@hookspec
def roomkit_register_messaging_providers(register: Register) -> None:
    """Register transport providers used by channels: kinds ``sms_provider``,
    ``rcs_provider``, ``email_provider`` and ``messaging_provider``."""


@hookspec
def roomkit_register_voice(register: Register) -> None:
    """Register voice components: kinds ``stt``, ``tts``, ``realtime_voice`` (speech-to-speech
    providers) and ``voice_backend`` (SIP, RTP, local audio ...)."""


@hookspec
def roomkit_register_audio_stages(register: Register) -> None:
    """Register audio pipeline stages (kind ``audio_stage``): VAD, denoiser, AEC, AGC,
    diarization ... The descriptor's capabilities name the stage role."""


@hookspec
def roomkit_register_sources(register: Register) -> None:
    """Register event sources (kind ``source``) that feed external streams into rooms."""


@hookspec
def roomkit_register_identity(register: Register) -> None:
    """Register identity resolvers (kind ``identity_resolver``)."""


@hookspec
def roomkit_register_telemetry(register: Register) -> None:
    """Register telemetry providers (kind ``telemetry``)."""


@hookspec
def roomkit_register_stores(register: Register) -> None:
    """Register persistence and scale-out backends: kinds ``store`` (conversation store),
    ``lock_manager`` (per-room locks) and ``realtime`` (ephemeral event pub/sub)."""


@hookspec
def roomkit_register_orchestration(register: Register) -> None:
    """Register orchestration strategies: kinds ``router``, ``memory`` (memory providers) and
    ``handoff_strategy``."""


@hookspec
def roomkit_register_tools(register: Register) -> None:
    """Register tool providers (kind ``tool_provider``), e.g. MCP tool servers."""


#: Which component kinds each registration hook may register (from ``roomkit.plugins.kinds``).
FAMILY_KINDS: Mapping[str, frozenset[str]] = hook_kinds()

#: The registration hooks, in the order the catalogue calls them.
REGISTRATION_HOOKS: tuple[str, ...] = tuple(FAMILY_KINDS)
