"""A kit with a voice channel on the mock backend, for the VoiceChannel tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from roomkit import (
    Agent,
    ChannelCategory,
    ConversationPipeline,
    ConversationState,
    HookExecution,
    HookTrigger,
    MockAIProvider,
    PipelineStage,
    RoomKit,
    VoiceChannel,
    set_conversation_state,
)
from roomkit.testing import MockSTTProvider, MockTTSProvider, MockVoiceBackend
from roomkit.voice import VoiceSession
from roomkit.voice.interruption import InterruptionConfig
from roomkit.voice.pipeline import AudioPipelineConfig

from .conftest import ThresholdVAD, loud, quiet


class FakeClock:
    """Seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class VoiceKit:
    kit: RoomKit
    voice: VoiceChannel
    backend: MockVoiceBackend
    stt: MockSTTProvider
    tts: MockTTSProvider
    clock: FakeClock
    hooks: list[tuple[str, Any]] = field(default_factory=list)

    def record_hooks(self, *triggers: HookTrigger) -> None:
        """Record ``(trigger, payload)`` of each trigger, in line (sync hooks)."""
        for trigger in triggers:

            async def hook(payload: Any, ctx: Any, trigger: HookTrigger = trigger) -> None:
                self.hooks.append((str(trigger), payload))

            self.kit.add_hook(trigger, hook, execution=HookExecution.SYNC, name=f"record-{trigger}")

    def fired(self) -> list[str]:
        return [name for name, _ in self.hooks]

    async def speak(self, session: VoiceSession, loud_frames: int = 10) -> None:
        """The caller says something: loud frames then enough quiet for the VAD to end it."""
        for _ in range(loud_frames):
            await self.backend.simulate_audio_received(session, loud())
        for _ in range(4):
            await self.backend.simulate_audio_received(session, quiet())


def make_voice_kit(
    *,
    transcripts: list[str] | None = None,
    interruption: InterruptionConfig | None = None,
    pipeline: AudioPipelineConfig | None = None,
    stt: MockSTTProvider | None = None,
    tts: MockTTSProvider | None = None,
    **channel_kwargs: Any,
) -> VoiceKit:
    clock = FakeClock()
    backend = MockVoiceBackend()
    stt = stt or MockSTTProvider(transcripts or ["I need investment advice"])
    tts = tts or MockTTSProvider()
    voice = VoiceChannel(
        "voice",
        stt=stt,
        tts=tts,
        backend=backend,
        pipeline=pipeline or AudioPipelineConfig(vad=ThresholdVAD()),
        interruption=interruption,
        clock=clock,
        **channel_kwargs,
    )
    kit = RoomKit()
    kit.register_channel(voice)
    return VoiceKit(kit, voice, backend, stt, tts, clock)


async def seed_agents(vk: VoiceKit, room_id: str = "room-1") -> tuple[Agent, Agent]:
    """The seed README's triage -> advisor pipeline on ``room_id``, voices per agent."""
    kit = vk.kit
    triage = Agent(
        "agent-triage",
        provider=MockAIProvider(
            responses=["Let me transfer you to our advisor."],
            tool_calls=[
                {
                    "name": "handoff_conversation",
                    "arguments": {"target": "agent-advisor", "reason": "investment question"},
                    "id": "call-1",
                }
            ],
        ),
        role="Triage receptionist",
        voice="voice-triage",
        system_prompt="You triage incoming requests.",
    )
    advisor = Agent(
        "agent-advisor",
        provider=MockAIProvider(responses=["Hello, I am your financial advisor."]),
        role="Financial advisor",
        voice="voice-advisor",
        greeting="Greet the caller and offer help with investments.",
        system_prompt="You advise on investments.",
    )
    kit.register_channel(triage)
    kit.register_channel(advisor)
    pipeline = ConversationPipeline(
        stages=[
            PipelineStage(phase="intake", agent_id="agent-triage", next="handling"),
            PipelineStage(phase="handling", agent_id="agent-advisor", next=None),
        ]
    )
    pipeline.install(kit, [triage, advisor], greet_on_handoff=True, voice_channel_id="voice")
    await kit.create_room(room_id=room_id)
    await kit.attach_channel(room_id, "voice")
    await kit.attach_channel(room_id, "agent-triage", category=ChannelCategory.INTELLIGENCE)
    await kit.attach_channel(room_id, "agent-advisor", category=ChannelCategory.INTELLIGENCE)
    room = await kit.get_room(room_id)
    room = set_conversation_state(
        room, ConversationState(phase="intake", active_agent_id="agent-triage")
    )
    await kit.store.update_room(room)
    return triage, advisor
