"""The webhook server's settings (the ``[server]`` table of a ``roomkit serve`` config)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = ["ServerSettings"]


class ServerSettings(BaseModel):
    """Limits and addresses of a :class:`~roomkit_server.app.WebhookServer`.

    * ``public_url`` -- the scheme and host vendors call (``https://hooks.example.com``); set it
      behind a proxy, since vendors such as Twilio sign the URL they called.
    * ``max_body_bytes`` -- larger bodies are refused with 413 before they are read whole.
    * ``queue_size`` / ``workers`` -- accepted items wait in a bounded queue served by this many
      workers; a full queue answers 503 with ``Retry-After: retry_after_seconds``.
    * ``dedupe_ttl_seconds`` / ``dedupe_max_entries`` -- how long (and how many) vendor message
      ids are remembered to drop vendor retries.
    * ``item_timeout_seconds`` -- longest processing of one item; ``drain_timeout_seconds`` --
      how long a shutdown waits for the queue to empty.
    """

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    public_url: str | None = None
    path_prefix: str = "/webhooks"
    health_path: str = "/healthz"
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    queue_size: int = Field(default=1000, ge=1)
    workers: int = Field(default=4, ge=1, le=256)
    retry_after_seconds: int = Field(default=5, ge=1)
    dedupe_ttl_seconds: float = Field(default=86_400.0, gt=0)
    dedupe_max_entries: int = Field(default=100_000, ge=1)
    item_timeout_seconds: float = Field(default=120.0, gt=0)
    drain_timeout_seconds: float = Field(default=30.0, ge=0)

    @field_validator("path_prefix", "health_path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError("must start with '/'")
        return value.rstrip("/") or "/"

    @field_validator("public_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value
