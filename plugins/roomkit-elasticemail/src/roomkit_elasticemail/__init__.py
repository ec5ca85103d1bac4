"""roomkit-elasticemail: email through Elastic Email's REST API v4, and its delivery
notifications as delivery statuses.

Names load on first use: importing the package does not import httpx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from roomkit.lazy import lazy_exports
from roomkit_elasticemail.version import __version__

__all__ = [
    "ElasticEmailConfig",
    "ElasticEmailNotificationParser",
    "ElasticEmailProvider",
    "NotificationTokenVerifier",
    "__version__",
    "parse_notification",
]

_EXPORTS = {
    "ElasticEmailConfig": "roomkit_elasticemail.config",
    "ElasticEmailNotificationParser": "roomkit_elasticemail.notifications",
    "ElasticEmailProvider": "roomkit_elasticemail.provider",
    "NotificationTokenVerifier": "roomkit_elasticemail.notifications",
    "parse_notification": "roomkit_elasticemail.notifications",
}

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())

if TYPE_CHECKING:
    from roomkit_elasticemail.config import ElasticEmailConfig
    from roomkit_elasticemail.notifications import (
        ElasticEmailNotificationParser,
        NotificationTokenVerifier,
        parse_notification,
    )
    from roomkit_elasticemail.provider import ElasticEmailProvider
