"""Configuration of :class:`~roomkit_mcp.provider.MCPToolProvider`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

__all__ = ["MCPConfig"]


class MCPConfig(BaseModel):
    """Where the MCP server is and how long to wait for it.

    ``server_url`` is the server's Streamable HTTP endpoint (often ending in ``/mcp``).
    ``headers`` are sent with every request (e.g. ``Authorization``) and never printed.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    server_url: str
    headers: dict[str, SecretStr] = Field(default_factory=dict)
    #: Seconds to open the session (connect, handshake, first tool listing).
    connect_timeout: float = Field(default=10.0, gt=0)
    #: Seconds one tool call (or tool listing) may take.
    timeout: float = Field(default=30.0, gt=0)
    #: Only these tools are exposed (all when ``None``).
    allowed_tools: frozenset[str] | None = None
    #: Prepended to tool names the model sees (``"crm_"`` turns ``lookup`` into ``crm_lookup``).
    tool_prefix: str = Field(default="", pattern=r"^[A-Za-z0-9_-]*$")

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"server_url must start with http:// or https://, got {value!r}")
        return value
