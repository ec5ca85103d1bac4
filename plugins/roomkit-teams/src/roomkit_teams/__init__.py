"""roomkit-teams: Microsoft Teams through the Bot Framework (botbuilder-core).

Names load on first use, so importing the package does not import botbuilder.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_teams.version import __version__

__all__ = [
    "BotFrameworkTeamsProvider",
    "ConversationReferenceStore",
    "InMemoryConversationReferenceStore",
    "SQLiteConversationReferenceStore",
    "TeamsConfig",
    "__version__",
    "is_bot_added",
    "parse_teams_activity",
    "parse_teams_reactions",
    "parse_teams_webhook",
]

_WHERE = {
    "BotFrameworkTeamsProvider": "roomkit_teams.provider",
    "ConversationReferenceStore": "roomkit_teams.references",
    "InMemoryConversationReferenceStore": "roomkit_teams.references",
    "SQLiteConversationReferenceStore": "roomkit_teams.references",
    "TeamsConfig": "roomkit_teams.config",
    "is_bot_added": "roomkit_teams.activities",
    "parse_teams_activity": "roomkit_teams.activities",
    "parse_teams_reactions": "roomkit_teams.activities",
    "parse_teams_webhook": "roomkit_teams.activities",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())

if TYPE_CHECKING:
    from roomkit_teams.activities import (
        is_bot_added,
        parse_teams_activity,
        parse_teams_reactions,
        parse_teams_webhook,
    )
    from roomkit_teams.config import TeamsConfig
    from roomkit_teams.provider import BotFrameworkTeamsProvider
    from roomkit_teams.references import (
        ConversationReferenceStore,
        InMemoryConversationReferenceStore,
        SQLiteConversationReferenceStore,
    )
