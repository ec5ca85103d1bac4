"""Scripted failures for the voice test doubles."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["ErrorScript"]


class ErrorScript:
    """Raises on demand: one exception on every call, or a list consumed one per call
    (``None`` entries mean "succeed this time")."""

    def __init__(self, errors: BaseException | Sequence[BaseException | None] | None) -> None:
        if isinstance(errors, BaseException):
            self.always: BaseException | None = errors
            self.queue: list[BaseException | None] = []
        else:
            self.always = None
            self.queue = list(errors or [])

    def check(self) -> None:
        """Raise the scripted error for this call, if any."""
        if self.always is not None:
            raise self.always
        if self.queue:
            error = self.queue.pop(0)
            if error is not None:
                raise error
