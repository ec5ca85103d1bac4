"""Pipelines: a conversation moves through phases, each owned by one agent.

``pipeline.install(kit, agents)`` wires the whole orchestration in one call: a
:class:`~roomkit.orchestration.router.ConversationRouter` that sends each message to the
active agent, and a :class:`~roomkit.orchestration.handoff.HandoffHandler` whose
``handoff_conversation`` tool is registered on every agent and only allows the moves the
stages' ``next`` (and ``can_return_to``) links describe.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, model_validator

from roomkit.channels.engine import RoomEngine
from roomkit.errors import ChannelNotRegisteredError, ConfigurationError
from roomkit.models.conversation import ConversationState
from roomkit.orchestration.handoff import HandoffHandler, HandoffRule
from roomkit.orchestration.router import ConversationRouter, RoutingRule

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent

__all__ = ["ConversationPipeline", "PipelineStage"]


class PipelineStage(BaseModel):
    """One phase of a pipeline: the agent that owns it and the phase that follows.

    ``next=None`` marks a final stage. ``can_return_to`` lists earlier phases the agent may
    hand the conversation back to.
    """

    phase: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    next: str | None = None
    can_return_to: list[str] = Field(default_factory=list)
    description: str | None = None


class ConversationPipeline(BaseModel):
    """An ordered list of stages; the first stage is where conversations start."""

    stages: list[PipelineStage] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_links(self) -> ConversationPipeline:
        phases = [s.phase for s in self.stages]
        if len(set(phases)) != len(phases):
            raise ValueError(f"pipeline phases must be unique, got {phases}")
        known = set(phases)
        for stage in self.stages:
            for link in [stage.next, *stage.can_return_to]:
                if link is not None and link not in known:
                    raise ValueError(
                        f"stage {stage.phase!r} links to unknown phase {link!r} "
                        f"(phases: {', '.join(phases)})"
                    )
        return self

    @property
    def first(self) -> PipelineStage:
        """The entry stage."""
        return self.stages[0]

    def stage(self, phase: str) -> PipelineStage | None:
        """The stage of ``phase``."""
        return next((s for s in self.stages if s.phase == phase), None)

    def stage_for_agent(self, agent_id: str) -> PipelineStage | None:
        """The first stage owned by ``agent_id``."""
        return next((s for s in self.stages if s.agent_id == agent_id), None)

    def phase_map(self) -> dict[str, str]:
        """Agent id -> the phase it owns (its first stage)."""
        mapping: dict[str, str] = {}
        for stage in self.stages:
            mapping.setdefault(stage.agent_id, stage.phase)
        return mapping

    def allowed_targets(self) -> dict[str, set[str]]:
        """Agent id -> agents it may hand off to (``next`` and ``can_return_to`` links)."""
        allowed: dict[str, set[str]] = {}
        for stage in self.stages:
            targets = allowed.setdefault(stage.agent_id, set())
            for phase in [stage.next, *stage.can_return_to]:
                linked = self.stage(phase) if phase is not None else None
                if linked is not None and linked.agent_id != stage.agent_id:
                    targets.add(linked.agent_id)
        return allowed

    def initial_state(self) -> ConversationState:
        """The state a room starts in: the first phase, its agent active."""
        return ConversationState(phase=self.first.phase, active_agent_id=self.first.agent_id)

    def install(
        self,
        kit: RoomEngine,
        agents: Sequence[Agent],
        *,
        greet_on_handoff: bool = False,
        voice_channel_id: str | None = None,
        routing_rules: Iterable[RoutingRule] = (),
        handoff_rules: Iterable[HandoffRule] = (),
    ) -> tuple[ConversationRouter, HandoffHandler]:
        """Wire routing and handoffs for ``agents`` on ``kit``; returns ``(router, handoff)``.

        Every stage's agent must be among ``agents``. Raises
        :class:`~roomkit.errors.ConfigurationError` otherwise.
        """
        by_id = {a.channel_id: a for a in agents}
        missing = sorted({s.agent_id for s in self.stages} - set(by_id))
        if missing:
            raise ConfigurationError(
                f"pipeline stages name agents that were not passed to install(): {missing}"
            )
        router = ConversationRouter(
            default_agent_id=self.first.agent_id, agent_ids=by_id, rules=list(routing_rules)
        )
        router.install(kit, agents)
        handoff = HandoffHandler(
            kit,
            router,
            agents=agents,
            phase_map=self.phase_map(),
            allowed_targets=self.allowed_targets(),
            rules=handoff_rules,
            greet_on_handoff=greet_on_handoff,
            voice_channel_id=voice_channel_id,
        )
        handoff.install_tools(agents)
        if voice_channel_id is not None:
            _share_voice_map(kit, voice_channel_id, handoff.voice_map)
        return router, handoff


def _share_voice_map(kit: RoomEngine, channel_id: str, voices: dict[str, str]) -> None:
    """Give the voice channel each agent's TTS voice (if it is registered and takes them)."""
    try:
        channel = kit.get_channel(channel_id)
    except ChannelNotRegisteredError:
        return  # registered later: it reads the agents' voices itself
    update = getattr(channel, "update_voice_map", None)
    if update is not None and voices:
        update(voices)
