"""The base of every audio pipeline stage, and the rule that keeps stage state per session.

A stage object processes exactly **one** audio stream. The object you put in
:class:`~roomkit.voice.pipeline.AudioPipelineConfig` is a *template*: the pipeline never feeds
it audio; for every session it asks the template for a new instance with
:meth:`AudioStage.for_session` and binds that instance to the session. State a stage keeps on
``self`` (filters, buffers, VAD hangover, DTMF debouncing ...) therefore cannot leak from one
call into another -- RoomKit 0.6.7's energy VAD shared one state across all calls.

By default :meth:`~AudioStage.for_session` builds a new instance with the arguments the
template was constructed with. Override it to share read-only resources (a loaded model) with
the new instance; it must return a fresh object. :func:`bind_stage` refuses an instance that
already serves another session, and the conformance suite interleaves two sessions to catch
state kept anywhere else (class attributes, module globals).

Stages run synchronously on the event loop thread, once per 10-30 ms frame: keep ``process``
to bounded, cheap work (microseconds to well under a millisecond). A stage doing model
inference sets ``blocking = True``; ``AudioPipeline.process_inbound_async`` then runs the
session's chain in a worker thread so the event loop never waits on it.
"""

from __future__ import annotations

from abc import ABC
from typing import Any, ClassVar, Self

from roomkit.errors import VoiceSessionError

__all__ = ["AudioStage", "bind_stage"]


class AudioStage(ABC):
    """Base class of the pipeline stage contracts (VAD, AEC, AGC, denoiser ...)."""

    #: True when ``process`` does heavy work (model inference): the pipeline's async path then
    #: runs the chain off the event loop.
    blocking: ClassVar[bool] = False
    #: Sample rates (Hz) the stage accepts; ``None`` means any. Other rates raise
    #: :class:`~roomkit.errors.AudioFormatError` (configure a resampler in front).
    supported_sample_rates: ClassVar[frozenset[int] | None] = None

    _stage_args: tuple[tuple[Any, ...], dict[str, Any]]
    _stage_session: str | None

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        self = super().__new__(cls)
        # Remembered so for_session() can build a sibling with the same configuration.
        self._stage_args = (args, kwargs)
        self._stage_session = None
        return self

    @property
    def name(self) -> str:
        """A short name for logs and errors (the class name unless overridden)."""
        return type(self).__name__

    @property
    def session_id(self) -> str | None:
        """The session this instance is bound to (``None`` for a template)."""
        return getattr(self, "_stage_session", None)

    def for_session(self, session: Any) -> Self:
        """A new instance of this stage for one ``session`` (a :class:`VoiceSession`).

        The default calls the class again with the template's constructor arguments.
        Override to share expensive read-only resources; always return a new object.
        """
        args, kwargs = getattr(self, "_stage_args", ((), {}))
        return type(self)(*args, **kwargs)

    def reset(self) -> None:  # noqa: B027 - optional hook
        """Forget the stream's state (between utterances, or after a cancelled one)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources held by this instance."""


def bind_stage(template: AudioStage, session: Any) -> AudioStage:
    """Ask ``template`` for its per-session instance and bind it to ``session``.

    Raises :class:`~roomkit.errors.VoiceSessionError` when the stage hands back the template
    itself or an instance already bound to a session: the two sessions would share state.
    """
    instance = template.for_session(session)
    session_id = str(getattr(session, "id", session))
    bound = getattr(instance, "_stage_session", None)
    if instance is template or bound is not None:
        what = "the template itself" if instance is template else f"bound to session {bound!r}"
        raise VoiceSessionError(
            f"{template.name}.for_session() returned an instance that is {what}; it must "
            f"return a new object per session so no state is shared (session {session_id!r})"
        )
    instance._stage_session = session_id
    return instance
