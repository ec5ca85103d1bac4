"""Microsoft Teams provider contract and its mock."""

from __future__ import annotations

from roomkit.providers.teams.base import TeamsProvider
from roomkit.providers.teams.mock import MockTeamsProvider

__all__ = ["MockTeamsProvider", "TeamsProvider"]
