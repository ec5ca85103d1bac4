"""``roomkit serve CONFIG``: build everything from a config file and run it under uvicorn.

The kernel's ``roomkit`` command imports this module only when ``serve`` is used.
uvicorn's access log is off: query strings may carry vendor tokens (``hub.verify_token``).
"""

from __future__ import annotations

import logging
import sys

import uvicorn

from roomkit_server.build import build_server
from roomkit_server.config import load_config

__all__ = ["serve"]


def serve(
    config_path: str,
    *,
    host: str | None = None,
    port: int | None = None,
    check: bool = False,
    log_level: str = "info",
) -> int:
    """Run the server described by ``config_path`` until interrupted; ``check`` only builds
    it and prints its routes. Returns the exit code."""
    config = load_config(config_path)
    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if overrides:
        config = config.model_copy(update={"server": config.server.model_copy(update=overrides)})
    server = build_server(config)
    settings = config.server
    if check:
        print(f"configuration OK: {len(config.channels)} channels, {len(config.rooms)} rooms")
        print(server.describe())
        return 0
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    print(
        f"roomkit serve: http://{settings.host}:{settings.port} "
        f"({len(server.routes)} webhook routes)",
        file=sys.stderr,
        flush=True,
    )
    uvicorn_config = uvicorn.Config(
        server.app,
        host=settings.host,
        port=settings.port,
        log_level=log_level,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=int(settings.drain_timeout_seconds) + 5,
    )
    uvicorn.Server(uvicorn_config).run()
    return 0
