"""Range checks of an AI channel's numeric settings, each failure naming what to fix."""

from __future__ import annotations

from roomkit.errors import ConfigurationError

__all__ = ["check_settings"]


def check_settings(
    *,
    max_tool_rounds: int,
    tool_timeout: float,
    temperature: float | None,
    max_context_events: int,
    tool_loop_timeout_seconds: float,
    tool_loop_warn_after: int,
    thinking_budget: int | None,
) -> None:
    """Raise :class:`ConfigurationError` naming the first setting out of range."""
    problems = [
        (max_tool_rounds < 0, f"max_tool_rounds must be >= 0, got {max_tool_rounds}"),
        (tool_timeout <= 0, f"tool_timeout must be > 0 seconds, got {tool_timeout}"),
        (
            temperature is not None and not 0.0 <= temperature <= 2.0,
            f"temperature must be within 0..2, got {temperature}",
        ),
        (max_context_events < 1, f"max_context_events must be >= 1, got {max_context_events}"),
        (
            tool_loop_timeout_seconds <= 0,
            f"tool_loop_timeout_seconds must be > 0, got {tool_loop_timeout_seconds}",
        ),
        (
            tool_loop_warn_after < 1,
            f"tool_loop_warn_after must be >= 1, got {tool_loop_warn_after}",
        ),
        (
            thinking_budget is not None and thinking_budget < 1,
            f"thinking_budget must be a positive number of tokens, got {thinking_budget}",
        ),
    ]
    for failed, message in problems:
        if failed:
            raise ConfigurationError(message)
