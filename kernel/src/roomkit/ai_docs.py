"""Documentation for AI coding assistants, shipped inside the package.

``llms.txt`` is a compact map of the API and of the docs for a model's context window;
``AGENTS.md`` holds guidance for assistants writing code against RoomKit (and working on its
repository). Both are generated from ``docs/`` by ``scripts/gen_ai_docs.py`` (copies at the
repository root and in ``roomkit/_docs``; a test fails when they drift).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = ["get_agents_md", "get_ai_context", "get_llms_txt"]


@cache
def _read(name: str) -> str:
    return resources.files("roomkit").joinpath("_docs", name).read_text(encoding="utf-8")


def get_llms_txt() -> str:
    """The ``llms.txt`` overview of RoomKit's API."""
    return _read("llms.txt")


def get_agents_md() -> str:
    """The ``AGENTS.md`` guidance for AI coding assistants."""
    return _read("AGENTS.md")


def get_ai_context() -> str:
    """Both documents in one string, ready to paste into a model's context."""
    return f"{get_llms_txt().rstrip()}\n\n---\n\n{get_agents_md().rstrip()}\n"
