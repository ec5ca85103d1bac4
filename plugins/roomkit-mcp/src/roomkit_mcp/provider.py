"""``MCPToolProvider``: the tools of a Model Context Protocol server, for RoomKit agents.

One MCP session per provider, opened on first use and owned by a background task (the
``mcp`` client's task groups must be entered and left by the same task); any task may call
tools through it. The ``mcp`` package is imported when the session opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from roomkit.errors import ConfigurationError, ProviderError
from roomkit.models.room import AITool
from roomkit.providers.ai.support import Redactor, resolve_config, secrets_of
from roomkit.tools.compose import UnknownToolError
from roomkit_mcp.config import MCPConfig
from roomkit_mcp.results import result_text

__all__ = ["MCPConfig", "MCPToolProvider"]

ToolHandler = Callable[[str, dict[str, Any]], Awaitable[str]]

# JSON-RPC error codes of the MCP SDK that mean "the session broke", not "the call was wrong":
# CONNECTION_CLOSED and REQUEST_TIMEOUT.
_TRANSIENT_CODES = frozenset({-32000, -32001})


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

    def __init__(self, server_url: str | MCPConfig | None = None, **options: Any) -> None:
        if isinstance(server_url, MCPConfig):
            if options:
                raise ConfigurationError("pass either an MCPConfig or keyword options, not both")
            self.config = server_url
        else:
            if server_url is not None:
                options["server_url"] = server_url
            # Validation errors are described without input values (headers are secrets).
            self.config = resolve_config(MCPConfig, None, options)
        self._redactor = Redactor([*secrets_of(self.config), *_url_secrets(self.server_url)])
        self._lock = asyncio.Lock()
        self._client: Any = None
        self._task: asyncio.Task[None] | None = None
        self._stop: asyncio.Event | None = None
        self._tools: dict[str, Any] = {}

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
                if allowed is None or tool.name in allowed:
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
        return [
            AITool(
                name=name,
                description=tool.description or tool.title or "",
                parameters=dict(tool.input_schema or {"type": "object", "properties": {}}),
            )
            for name, tool in self._tools.items()
        ]

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> str:
        """Run tool ``name`` (as listed, prefix included) and return its result as text.

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

        try:
            async with asyncio.timeout(self.config.timeout):
                result = await client.call_tool(tool.name, arguments)
        except TimeoutError as exc:
            raise self._error(
                f"tool {name!r} timed out after {self.config.timeout:g}s on", exc, retryable=True
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
