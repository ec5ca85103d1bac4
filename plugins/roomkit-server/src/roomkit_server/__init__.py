"""roomkit-server: one ASGI app receiving every messaging channel's webhooks.

``WebhookServer(kit)`` mounts the verifier + parser of each channel's provider, answers fast,
queues the work (bounded), drops vendor retries and reports ``/healthz``; ``roomkit serve
CONFIG`` builds a kit, its channels and rooms from a TOML / JSON file and runs it with uvicorn.
"""

from __future__ import annotations

from roomkit_server.app import WebhookRoute, WebhookServer
from roomkit_server.config import ServeConfig, load_config
from roomkit_server.settings import ServerSettings
from roomkit_server.version import __version__

__all__ = [
    "ServeConfig",
    "ServerSettings",
    "WebhookRoute",
    "WebhookServer",
    "__version__",
    "load_config",
]
