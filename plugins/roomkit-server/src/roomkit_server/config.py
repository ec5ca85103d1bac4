"""The ``roomkit serve`` configuration file (TOML, or JSON).

::

    [server]                       # ServerSettings: host, port, public_url, limits ...
    port = 8080

    [kit]                          # RoomKit.from_config: store, lock_manager, settings
    store = { name = "sqlite", config = { path = "rooms.db" } }

    [plugins]
    require = ["twilio"]           # fail at start unless these plugins load

    [[channels]]
    id = "sms"
    kind = "sms"                   # sms rcs email http messenger whatsapp telegram teams
                                   # whatsapp_personal, or ai (an AIChannel)
    provider = "twilio"            # the plugin component of that kind
    path = "/sms"                  # optional; default {path_prefix}/{id}
    options = { from_number = "+15550001111" }               # channel factory arguments
    provider_config = { auth_token = { env = "TWILIO_AUTH_TOKEN" } }

    [[rooms]]
    id = "support"
    [[rooms.attach]]
    channel = "sms"
    to = "+15551234567"            # the recipient (binding metadata "to")

Secrets never need to be in the file: any value written ``{ env = "NAME" }`` is read from the
environment variable ``NAME`` when the file is loaded (a missing variable is an error naming
it, never its value).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from roomkit.errors import ConfigurationError
from roomkit.plugins.factory import describe_config_errors
from roomkit_server.settings import ServerSettings

__all__ = [
    "AttachConfig",
    "ChannelConfig",
    "ChannelKind",
    "PluginsConfig",
    "RoomConfig",
    "ServeConfig",
    "load_config",
    "resolve_env",
]

ChannelKind = Literal[
    "sms",
    "rcs",
    "email",
    "http",
    "messenger",
    "whatsapp",
    "telegram",
    "teams",
    "whatsapp_personal",
    "ai",
]

_STRICT = ConfigDict(extra="forbid")


class ChannelConfig(BaseModel):
    """One channel: its kind, the provider component that serves it, and their settings."""

    model_config = _STRICT

    id: str = Field(min_length=1)
    kind: ChannelKind
    provider: str = Field(min_length=1)
    provider_config: dict[str, Any] = Field(default_factory=dict)
    options: dict[str, Any] = Field(default_factory=dict)
    path: str | None = None


class AttachConfig(BaseModel):
    """A channel attached to a room; ``to`` names the recipient of transport channels."""

    model_config = _STRICT

    channel: str = Field(min_length=1)
    to: str | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class RoomConfig(BaseModel):
    """A room created at start (kept when it already exists) with its channels."""

    model_config = _STRICT

    id: str = Field(min_length=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    attach: list[AttachConfig] = Field(default_factory=list)


class PluginsConfig(BaseModel):
    """Plugins that must be installed and healthy for the server to start."""

    model_config = _STRICT

    require: list[str] = Field(default_factory=list)


class ServeConfig(BaseModel):
    """A whole ``roomkit serve`` configuration."""

    model_config = _STRICT

    server: ServerSettings = Field(default_factory=ServerSettings)
    kit: dict[str, Any] = Field(default_factory=dict)
    plugins: PluginsConfig = Field(default_factory=PluginsConfig)
    channels: list[ChannelConfig] = Field(min_length=1)
    rooms: list[RoomConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_names(self) -> ServeConfig:
        ids = [c.id for c in self.channels]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"channel ids must be unique: {duplicates}")
        for room in self.rooms:
            for attach in room.attach:
                if attach.channel not in ids:
                    raise ValueError(
                        f"room {room.id!r} attaches unknown channel {attach.channel!r}; "
                        f"channels: {ids}"
                    )
        return self


def resolve_env(value: Any, where: str = "config") -> Any:
    """``value`` with every ``{"env": "NAME"}`` replaced by the environment variable."""
    if isinstance(value, dict):
        if set(value) == {"env"} and isinstance(value["env"], str):
            name = value["env"]
            if name not in os.environ:
                raise ConfigurationError(
                    f"{where} reads the environment variable {name}, which is not set"
                )
            return os.environ[name]
        return {k: resolve_env(v, f"{where}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_env(v, f"{where}[{n}]") for n, v in enumerate(value)]
    return value


def load_config(path: str | Path) -> ServeConfig:
    """Read and validate a ``.toml`` or ``.json`` configuration file."""
    file = Path(path)
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {file}: {exc.strerror or exc}") from None
    try:
        if file.suffix.lower() == ".json":
            data = json.loads(raw)
        elif file.suffix.lower() == ".toml":
            data = tomllib.loads(raw.decode("utf-8"))
        else:
            raise ConfigurationError(f"{file}: use a .toml or .json file")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"{file} is not valid {file.suffix[1:].upper()}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(f"{file} must hold a table / object at the top")
    data = resolve_env(data)
    try:
        return ServeConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigurationError(
            f"invalid configuration in {file}:\n{describe_config_errors(exc)}"
        ) from None
