"""Real services (PostgreSQL, Redis ...) in plugin tests: skip where absent, fail in CI.

Plugin tests use the real server on 127.0.0.1. When it cannot be reached, a developer's run
skips the test with a reason, while CI (``CI=true``) or ``--roomkit-strict-services`` fails it,
so a missing service never passes silently.
"""

from __future__ import annotations

import os
import socket
from typing import NoReturn

import pytest

__all__ = ["STRICT_SERVICES_OPTION", "port_open", "service_unavailable", "strict_services"]

STRICT_SERVICES_OPTION = "roomkit_strict_services"


def strict_services(config: pytest.Config | None = None) -> bool:
    """Whether an unreachable service must fail the test (CI or the command-line option)."""
    if os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}:
        return True
    if config is not None:
        return bool(config.getoption(STRICT_SERVICES_OPTION, default=False))
    return False


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    """Whether a TCP connection to ``host:port`` succeeds within ``timeout`` seconds."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def service_unavailable(reason: str, config: pytest.Config | None = None) -> NoReturn:
    """Skip (locally) or fail (CI / strict) the current test because a service is missing."""
    if strict_services(config):
        pytest.fail(f"required service unavailable: {reason}")
    pytest.skip(f"service unavailable: {reason}")
