"""roomkit-console: the browser dev console of RoomKit.

``roomkit console --demo`` (or ``roomkit console module:kit``) serves a page on 127.0.0.1
where a developer picks a room, chats in it as a user over a WebSocket and watches every
stored event, hook trigger, handoff, tool call, delivery status and ephemeral event live.
``mount_console(app, kit)`` adds the same page to an existing Starlette app (the webhook
server's, for instance).
"""

from __future__ import annotations

from roomkit_console.app import ConsoleApp, mount_console
from roomkit_console.monitor import DEFAULT_TRIGGERS, ConsoleMonitor, Record, Subscription
from roomkit_console.version import __version__

__all__ = [
    "DEFAULT_TRIGGERS",
    "ConsoleApp",
    "ConsoleMonitor",
    "Record",
    "Subscription",
    "__version__",
    "mount_console",
]
