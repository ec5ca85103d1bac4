"""Pipelines: a conversation moves through phases, each owned by one agent.

``pipeline.install(kit, agents)`` wires the whole orchestration in one call: a
:class:`~roomkit.orchestration.router.ConversationRouter` that sends each message to the
active agent, and a :class:`~roomkit.orchestration.handoff.HandoffHandler` whose
``handoff_conversation`` tool is registered on every agent and only allows the moves the
stages' ``next`` (and ``can_return_to``) links describe.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from pydantic import Field

from roomkit.channels.engine import RoomEngine
from roomkit.deferred import DeferredModel
from roomkit.errors import ChannelNotRegisteredError, ConfigurationError
from roomkit.models.conversation import ConversationState
from roomkit.orchestration.handoff import HandoffHandler, HandoffRule
from roomkit.orchestration.router import (
    ConversationRouter,
    RoutingConditions,
    RoutingFunction,
    RoutingRule,
)

if TYPE_CHECKING:
    from roomkit.channels.agent import Agent

__all__ = ["ConversationPipeline", "PipelineStage"]


class PipelineStage(DeferredModel):
    """One phase of a pipeline: the agent that owns it and the phase that follows.

    ``next=None`` marks a final stage. ``can_return_to`` lists earlier phases the agent may
    hand the conversation back to.
    """

    phase: str = Field(min_length=1)
    agent_id: str = Field(min_length=1)
    next: str | None = None
    can_return_to: list[str] = Field(default_factory=list)
    description: str | None = None


class ConversationPipeline:
    """An ordered list of stages; the first stage (or ``default_phase``) is where
    conversations start. ``supervisor_id`` names an agent that sees every message.

    Raises :class:`~roomkit.errors.ConfigurationError` (a ``ValueError``) for an empty list,
    repeated phases or a link to an unknown phase.
    """

    def __init__(
        self,
        stages: Sequence[PipelineStage],
        default_phase: str | None = None,
        supervisor_id: str | None = None,
    ) -> None:
        stages = list(stages)
        if not stages or not all(isinstance(s, PipelineStage) for s in stages):
            raise ConfigurationError("ConversationPipeline() needs a list of PipelineStage")
        phases = [s.phase for s in stages]
        if len(set(phases)) != len(phases):
            raise ConfigurationError(f"pipeline phases must be unique, got {phases}")
        known = set(phases)
        for stage in stages:
            for link in [stage.next, *stage.can_return_to]:
                if link is not None and link not in known:
                    raise ConfigurationError(
                        f"stage {stage.phase!r} links to unknown phase {link!r} "
                        f"(phases: {', '.join(phases)})"
                    )
        if default_phase is not None and default_phase not in known:
            raise ConfigurationError(
                f"default_phase {default_phase!r} is not a phase of the pipeline "
                f"(phases: {', '.join(phases)})"
            )
        self._stages = stages
        self.default_phase = default_phase or phases[0]
        self.supervisor_id = supervisor_id

    @property
    def stages(self) -> list[PipelineStage]:
        """The stages, in order."""
        return list(self._stages)

    @property
    def first(self) -> PipelineStage:
        """The entry stage (``default_phase``'s)."""
        stage = self.stage(self.default_phase)
        assert stage is not None
        return stage

    def stage(self, phase: str) -> PipelineStage | None:
        """The stage of ``phase``."""
        return next((s for s in self._stages if s.phase == phase), None)

    def stage_for_agent(self, agent_id: str) -> PipelineStage | None:
        """The first stage owned by ``agent_id``."""
        return next((s for s in self._stages if s.agent_id == agent_id), None)

    def get_phase_map(self) -> dict[str, str]:
        """Agent id -> the phase it owns (its first stage)."""
        mapping: dict[str, str] = {}
        for stage in self._stages:
            mapping.setdefault(stage.agent_id, stage.phase)
        return mapping

    phase_map = get_phase_map

    def get_allowed_transitions(self) -> dict[str, set[str]]:
        """Phase -> the phases it may move to (its ``next`` and ``can_return_to`` links)."""
        return {
            s.phase: {p for p in [s.next, *s.can_return_to] if p is not None} for s in self._stages
        }

    def allowed_targets(self) -> dict[str, set[str]]:
        """Agent id -> agents it may hand off to (``next`` and ``can_return_to`` links)."""
        allowed: dict[str, set[str]] = {}
        for stage in self._stages:
            targets = allowed.setdefault(stage.agent_id, set())
            for phase in [stage.next, *stage.can_return_to]:
                linked = self.stage(phase) if phase is not None else None
                if linked is not None and linked.agent_id != stage.agent_id:
                    targets.add(linked.agent_id)
        return allowed

    def initial_state(self) -> ConversationState:
        """The state a room starts in: the first phase, its agent active."""
        return ConversationState(phase=self.first.phase, active_agent_id=self.first.agent_id)

    def to_router(self) -> ConversationRouter:
        """A router with one rule per stage (messages in a phase go to its agent, earlier
        stages first), the first stage's agent as default and the pipeline's supervisor."""
        rules: list[RoutingRule | RoutingFunction] = [
            RoutingRule(
                agent_id=stage.agent_id,
                conditions=RoutingConditions(phases={stage.phase}),
                priority=index,
            )
            for index, stage in enumerate(self._stages)
        ]
        return ConversationRouter(
            rules,
            default_agent_id=self.first.agent_id,
            supervisor_id=self.supervisor_id,
            agent_ids={s.agent_id for s in self._stages},
        )

    def install(
        self,
        kit: RoomEngine,
        agents: Sequence[Agent],
        *,
        agent_aliases: Mapping[str, str] | None = None,
        hook_priority: int = -1000,
        greet_on_handoff: bool = False,
        voice_channel_id: str | None = None,
        greeting_prompt: str | None = None,
        routing_rules: Iterable[RoutingRule | RoutingFunction] = (),
        handoff_rules: Iterable[HandoffRule] = (),
    ) -> tuple[ConversationRouter, HandoffHandler]:
        """Wire routing and handoffs for ``agents`` on ``kit``; returns ``(router, handoff)``.

        The router follows the room's active agent (moved by handoffs), starting with the
        first stage's; ``routing_rules`` may pick an agent for single messages. Handoffs may
        only follow the stages' links. ``greeting_prompt`` replaces the agents' greeting
        instruction when ``greet_on_handoff`` is set. Every stage's agent must be among
        ``agents``: raises :class:`~roomkit.errors.ConfigurationError` otherwise.
        """
        by_id = {a.channel_id: a for a in agents}
        missing = sorted({s.agent_id for s in self._stages} - set(by_id))
        if missing:
            raise ConfigurationError(
                f"pipeline stages name agents that were not passed to install(): {missing}"
            )
        router = ConversationRouter(
            list(routing_rules),
            default_agent_id=self.first.agent_id,
            supervisor_id=self.supervisor_id,
            agent_ids=by_id,
        )
        handoff = router.install(
            kit,
            agents,
            agent_aliases=agent_aliases,
            phase_map=self.get_phase_map(),
            hook_priority=hook_priority,
            allowed_targets=self.allowed_targets(),
            handoff_rules=handoff_rules,
            greet_on_handoff=greet_on_handoff,
            voice_channel_id=voice_channel_id,
            greeting_prompt=greeting_prompt,
        )
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
