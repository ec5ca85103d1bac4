"""``MCPToolProvider``: the tools of a Model Context Protocol server, for RoomKit agents.

One MCP session per provider, opened on first use and owned by a background task (the
``mcp`` client's task groups must be entered and left by the same task); any task may call
tools through it. The ``mcp`` package is imported when the session opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from roomkit.errors import ConfigurationError, ProviderError, RoomKitError
from roomkit.models.room import AITool
from roomkit.providers.ai.support import Redactor, resolve_config, secrets_of
from roomkit.tools.compose import UnknownToolError
from roomkit_mcp.config import MCPConfig
from roomkit_mcp.results import result_text

__all__ = ["MCPConfig", "MCPNotConnectedError", "MCPToolProvider"]

ToolHandler = Callable[[str, dict[str, Any]], Awaitable[str]]

# JSON-RPC error codes of the MCP SDK that mean "the session broke", not "the call was wrong":
# CONNECTION_CLOSED and REQUEST_TIMEOUT.
_TRANSIENT_CODES = frozenset({-32000, -32001})


class MCPNotConnectedError(RoomKitError, RuntimeError):
    """A synchronous accessor (``get_tools``, ``tool_names`` ...) was used before the session
    was opened: ``await provider.connect()`` or ``async with provider:`` first."""


class MCPToolProvider:
    """Lists an MCP server's tools as :class:`AITool` and runs them for the model.

    ::

        mcp = MCPToolProvider(server_url="http://localhost:3000/mcp")
        tools = await mcp.list_tools()                     # -> AIConfig(tools=tools)
        handler = compose_tool_handlers(mcp.handler, my_custom_handler)
        ...
        await mcp.close()

    :attr:`handler` is a RoomKit tool handler: it runs tools this server provides and raises
    :class:`~roomkit.tools.compose.UnknownToolError` for any other name, so that
    :func:`~roomkit.tools.compose.compose_tool_handlers` asks the next handler. A tool that
    reports an error (``isError``) returns ``{"error": ...}`` as its result, so the model sees
    it; a server that cannot be reached raises a retryable
    :class:`~roomkit.errors.ProviderError`.
    """

    name = "mcp"

    def __init__(
        self,
        url: str | MCPConfig | None = None,
        *,
        transport: str = "streamable_http",
        tool_filter: Callable[[str], bool] | None = None,
        headers: Mapping[str, str] | None = None,
        **options: Any,
    ) -> None:
        """``url`` (or ``server_url=``) is the server's endpoint, or an :class:`MCPConfig`;
        ``options`` are further :class:`MCPConfig` fields. ``tool_filter(name) -> bool``
        keeps only the tools it accepts. ``transport`` must be ``"streamable_http"`` (the
        only MCP transport this plugin speaks).
        """
        if transport != "streamable_http":
            raise ConfigurationError(
                f"MCP transport {transport!r} is not supported: roomkit-mcp speaks MCP "
                "Streamable HTTP (transport='streamable_http')"
            )
        if tool_filter is not None and not callable(tool_filter):
            raise ConfigurationError("tool_filter must be a function(name) -> bool")
        if isinstance(url, MCPConfig):
            if options or headers is not None:
                raise ConfigurationError("pass either an MCPConfig or keyword options, not both")
            self.config = url
        else:
            if url is not None:
                if "server_url" in options:
                    raise ConfigurationError("pass the MCP server's url once (url or server_url)")
                options["server_url"] = url
            if headers is not None:
                options["headers"] = headers  # checked by MCPConfig (values never echoed)
            # Validation errors are described without input values (headers are secrets).
            self.config = resolve_config(MCPConfig, None, options)
        self.tool_filter = tool_filter
        self._redactor = Redactor([*secrets_of(self.config), *_url_secrets(self.server_url)])
        self._lock = asyncio.Lock()
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._tools: dict[str, Any] = {}

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        transport: str = "streamable_http",
        tool_filter: Callable[[str], bool] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> MCPToolProvider:
        """A provider for the server at ``url`` (the RoomKit 0.6.7 constructor)."""
        return cls(url, transport=transport, tool_filter=tool_filter, headers=headers)

    @property
    def server_url(self) -> str:
        """The MCP endpoint this provider talks to."""
        return self.config.server_url

    @property
    def connected(self) -> bool:
        """Whether a session is open."""
        return self._client is not None and self._task is not None and not self._task.done()

    # -- session lifecycle -----------------------------------------------------------

    def _shown(self, exc: BaseException) -> BaseException | None:
        """``exc`` to chain to an error, or ``None`` when it would print a secret."""
        return None if self._redactor.leaks(str(exc)) else exc

    def _error(self, action: str, exc: BaseException, *, retryable: bool) -> ProviderError:
        while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
            exc = exc.exceptions[0]
        detail = " ".join(str(exc).split())[:300] or type(exc).__name__
        error = ProviderError(
            f"mcp: {action} {self.config.server_url}: {detail}",
            provider=self.name,
            retryable=retryable,
        )
        return self._redactor.error(error, exc)

    async def _run_session(self, ready: asyncio.Future[None], stop: asyncio.Event) -> None:
        import httpx2
        import mcp
        from mcp.client.streamable_http import streamable_http_client

        headers = {k: v.get_secret_value() for k, v in self.config.headers.items()}
        timeout = httpx2.Timeout(self.config.connect_timeout, read=self.config.timeout + 5.0)
        try:
            async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
                transport = streamable_http_client(self.config.server_url, http_client=http)
                async with mcp.Client(
                    transport, read_timeout_seconds=self.config.timeout
                ) as client:
                    self._client = client
                    if not ready.done():
                        ready.set_result(None)
                    await stop.wait()
        except Exception as exc:
            if not ready.done():
                ready.set_exception(exc)
        finally:
            self._client = None

    async def connect(self) -> None:
        """Open the session and fetch the tool list (done automatically on first use).

        Raises:
            ProviderError: the server cannot be reached or did not answer in
                ``connect_timeout`` seconds (retryable).
        """
        async with self._lock:
            if self.connected:
                return
            await self._shutdown()
            loop = asyncio.get_running_loop()
            ready: asyncio.Future[None] = loop.create_future()
            self._stop = asyncio.Event()
            self._task = asyncio.create_task(
                self._run_session(ready, self._stop), name=f"roomkit-mcp:{self.server_url}"
            )
            try:
                async with asyncio.timeout(self.config.connect_timeout):
                    await asyncio.shield(ready)
                    await self._refresh_tools()
            except TimeoutError as exc:
                await self._shutdown()
                raise self._error("timed out connecting to", exc, retryable=True) from self._shown(
                    exc
                )
            except ProviderError:
                await self._shutdown()
                raise
            except Exception as exc:
                await self._shutdown()
                raise self._error("cannot connect to", exc, retryable=True) from self._shown(exc)

    async def _shutdown(self) -> None:
        task, self._task = self._task, None
        if self._stop is not None:
            self._stop.set()
        if task is not None and not task.done():
            try:
                async with asyncio.timeout(5.0):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._client = None

    async def close(self) -> None:
        """End the session (the provider reconnects if used again)."""
        async with self._lock:
            await self._shutdown()
            self._tools = {}

    async def __aenter__(self) -> MCPToolProvider:
        await self.connect()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # -- tools -------------------------------------------------------------------------

    async def _refresh_tools(self) -> None:
        client = self._client
        if client is None:
            raise self._error("no session with", ConnectionError("session closed"), retryable=True)
        tools: dict[str, Any] = {}
        cursor: str | None = None
        while True:
            page = await client.list_tools(cursor=cursor)
            for tool in page.tools:
                allowed = self.config.allowed_tools
                if allowed is not None and tool.name not in allowed:
                    continue
                if self.tool_filter is not None and not self.tool_filter(tool.name):
                    continue
                tools[self.config.tool_prefix + tool.name] = tool
            cursor = page.next_cursor
            if not cursor:
                break
        self._tools = tools

    async def list_tools(self, *, refresh: bool = False) -> list[AITool]:
        """The server's tools as :class:`AITool` (cached; ``refresh=True`` asks again)."""
        await self.connect()
        if refresh:
            try:
                async with asyncio.timeout(self.config.timeout):
                    await self._refresh_tools()
            except ProviderError:
                raise
            except Exception as exc:
                raise self._error("cannot list tools of", exc, retryable=True) from self._shown(exc)
        return self._ai_tools()

    def _ai_tools(self) -> list[AITool]:
        return [
            AITool(
                name=name,
                description=tool.description or tool.title or "",
                parameters=dict(tool.input_schema or {"type": "object", "properties": {}}),
            )
            for name, tool in self._tools.items()
        ]

    def _require_session(self, what: str) -> None:
        if not self.connected:
            raise MCPNotConnectedError(
                f"MCPToolProvider.{what} needs an open session with {self.server_url}: "
                "use 'async with provider:' or 'await provider.connect()' first"
            )

    def get_tools(self) -> list[AITool]:
        """The tools listed when the session opened (synchronous; see :meth:`list_tools`).

        Raises:
            MCPNotConnectedError: the session is not open.
        """
        self._require_session("get_tools()")
        return self._ai_tools()

    def get_tools_as_dicts(self) -> list[dict[str, Any]]:
        """:meth:`get_tools` as ``{"name", "description", "parameters"}`` dicts."""
        self._require_session("get_tools_as_dicts()")
        return [tool.model_dump() for tool in self._ai_tools()]

    @property
    def tool_names(self) -> list[str]:
        """Names of the tools listed when the session opened (prefix included)."""
        self._require_session("tool_names")
        return list(self._tools)

    def as_tool_handler(self) -> ToolHandler:
        """A tool handler for the AI channel (the same as :attr:`handler`)."""
        return self.call_tool

    async def call_tool(
        self, name: str, arguments: dict[str, Any], *, timeout: float | None = None
    ) -> str:
        """Run tool ``name`` (as listed, prefix included) and return its result as text;
        ``timeout`` (seconds) replaces the configured one for this call.

        Raises:
            UnknownToolError: the server does not provide ``name`` (or it is not allowed).
            ProviderError: the call failed in transport or timed out (retryable), or the
                server rejected the request (not retryable).
        """
        await self.connect()
        tool = self._tools.get(name)
        if tool is None:
            raise UnknownToolError(name, f"MCP server {self.server_url} has no tool {name!r}")
        client = self._client
        if client is None:
            raise self._error("lost the session with", ConnectionError(), retryable=True)
        from mcp.shared.exceptions import MCPError

        if timeout is not None and timeout <= 0:
            raise ConfigurationError(f"call_tool() timeout must be > 0 seconds, got {timeout}")
        limit = self.config.timeout if timeout is None else timeout
        try:
            async with asyncio.timeout(limit):
                result = await client.call_tool(tool.name, arguments, read_timeout_seconds=limit)
        except TimeoutError as exc:
            raise self._error(
                f"tool {name!r} timed out after {limit:g}s on", exc, retryable=True
            ) from self._shown(exc)
        except MCPError as exc:
            if exc.code not in _TRANSIENT_CODES:
                raise self._error(
                    f"tool {name!r} was rejected by", exc, retryable=False
                ) from self._shown(exc)
            async with self._lock:
                await self._shutdown()
            raise self._error(f"tool {name!r} failed on", exc, retryable=True) from self._shown(exc)
        except Exception as exc:
            async with self._lock:
                await self._shutdown()
            raise self._error(f"tool {name!r} failed on", exc, retryable=True) from self._shown(exc)
        text = result_text(result)
        if result.is_error:
            return json.dumps({"error": text or f"tool {name!r} failed"})
        return text

    @property
    def handler(self) -> ToolHandler:
        """A tool handler for :func:`~roomkit.tools.compose.compose_tool_handlers`."""
        return self.call_tool


def _url_secrets(url: str) -> list[str]:
    """The password of a URL's ``user:password@`` part, if any."""
    password = urlsplit(url).password
    return [password] if password else []
