"""``roomkit console [TARGET | --demo]``: serve the dev console for a kit under uvicorn.

``TARGET`` names the kit as ``module:attribute`` or ``path/to/file.py:attribute``; the
attribute is a :class:`~roomkit.RoomKit` or a function (plain or async, no arguments) that
returns one. ``--demo`` serves the triage / handoff demo of :mod:`roomkit_console.demo`.
The kernel's ``roomkit`` command imports this module only when ``console`` is used.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import inspect
import logging
import sys
from pathlib import Path
from typing import Any

import uvicorn

from roomkit import RoomKit
from roomkit.errors import ConfigurationError
from roomkit_console.app import LOOPBACK, ConsoleApp
from roomkit_console.demo import build_demo_kit

__all__ = ["DEFAULT_PORT", "console", "load_target"]

DEFAULT_PORT = 8765
MAX_WS_FRAME = 65_536


def _load_module(spec: str) -> Any:
    if spec.endswith(".py") or "/" in spec or "\\" in spec:
        path = Path(spec)
        if not path.is_file():
            raise ConfigurationError(f"no such file: {spec}")
        module_spec = importlib.util.spec_from_file_location(f"_roomkit_console_{path.stem}", path)
        if module_spec is None or module_spec.loader is None:
            raise ConfigurationError(f"cannot import {spec}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = module
        module_spec.loader.exec_module(module)
        return module
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise ConfigurationError(f"cannot import {spec!r}: {exc}") from None


async def load_target(target: str) -> RoomKit:
    """The kit named by ``module:attribute`` (or ``file.py:attribute``)."""
    module_name, sep, attribute = target.rpartition(":")
    if not sep or not module_name or not attribute:
        raise ConfigurationError(
            f"console target {target!r} must look like 'module:attribute' or 'app.py:kit'"
        )
    module = _load_module(module_name)
    value = getattr(module, attribute, None)
    if value is None:
        raise ConfigurationError(f"{module_name!r} has no attribute {attribute!r}")
    if not isinstance(value, RoomKit) and callable(value):
        value = value()
        if inspect.isawaitable(value):
            value = await value
    if not isinstance(value, RoomKit):
        raise ConfigurationError(
            f"{target!r} must be a RoomKit or a function returning one, got {type(value).__name__}"
        )
    return value


async def _serve(
    target: str | None, demo: bool, host: str, port: int, allow_remote: bool, log_level: str
) -> int:
    if demo == (target is not None):
        raise ConfigurationError("give either a TARGET (module:attribute) or --demo")
    kit = await build_demo_kit() if demo else await load_target(str(target))
    console_app = ConsoleApp(kit, allow_remote=allow_remote)
    config = uvicorn.Config(
        console_app.app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        ws_max_size=MAX_WS_FRAME,
    )
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    print(f"roomkit console: http://{shown}:{port}/", file=sys.stderr, flush=True)
    try:
        await server.serve()
    finally:
        await console_app.close()
        await kit.close()
    return 0


def console(
    target: str | None = None,
    *,
    demo: bool = False,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    allow_remote: bool = False,
    log_level: str = "warning",
) -> int:
    """Serve the console until interrupted; returns the exit code."""
    if host not in LOOPBACK and not allow_remote:
        print(
            f"roomkit console: binding {host}, but only loopback clients are answered "
            "(--allow-remote lets others in: anyone who reaches it can read and write rooms)",
            file=sys.stderr,
        )
    logging.basicConfig(level=log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    return asyncio.run(_serve(target, demo, host, port, allow_remote, log_level))
