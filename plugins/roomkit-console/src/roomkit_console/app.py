"""The console's ASGI app and ``mount_console`` for an existing Starlette app.

Routes (relative to where the app is mounted): ``GET /`` the page, ``/static/*`` its script
and style (shipped in the package: no build step, nothing fetched from elsewhere), ``GET
/api/rooms`` the rooms as JSON and ``/ws`` the WebSocket of a console tab.

The console lets whoever reaches it read every room and speak in it, so it only answers
loopback clients (127.0.0.1, ::1) unless ``allow_remote=True``, refuses WebSocket handshakes
whose ``Origin`` is another site (a page on the internet cannot drive a console open on a
developer's machine) and sends a Content-Security-Policy that allows nothing but itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from roomkit.errors import ConfigurationError
from roomkit_console.monitor import ConsoleMonitor
from roomkit_console.session import ConsoleSession
from roomkit_console.static_files import index_html

if TYPE_CHECKING:
    from roomkit import RoomKit

__all__ = ["LOOPBACK", "ConsoleApp", "mount_console"]

logger = logging.getLogger("roomkit.console")

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})

_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_HEADERS = {
    "Content-Security-Policy": _CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ConsoleApp:
    """The dev console for ``kit``: ``.app`` is the ASGI app, ``.monitor`` what feeds it.

    The monitor's hooks and observers are registered on the kit at once; :meth:`close`
    removes them. ``console_channel`` names the WebSocket channel the console registers and
    attaches to a room that has no WebSocket channel of its own to chat through.
    """

    def __init__(
        self,
        kit: RoomKit,
        *,
        allow_remote: bool = False,
        console_channel: str = "console",
        queue_size: int = 1_000,
        backlog: int = 200,
    ) -> None:
        self.kit = kit
        self.allow_remote = allow_remote
        self.console_channel = console_channel
        self.monitor = ConsoleMonitor(kit, queue_size=queue_size, backlog=backlog)
        self.monitor.start()
        self.sessions = 0
        self.app = Starlette(
            routes=[
                Route("/", self._index, methods=["GET"]),
                Route("/api/rooms", self._rooms, methods=["GET"]),
                WebSocketRoute("/ws", self._websocket),
                Mount("/static", app=StaticFiles(packages=[("roomkit_console", "static")])),
            ],
        )

    async def close(self) -> None:
        """Unregister the monitor from the kit."""
        await self.monitor.stop()

    # -- guards ------------------------------------------------------------------------------
    def _allowed(self, conn: HTTPConnection) -> bool:
        if self.allow_remote:
            return True
        client = conn.client
        return client is not None and client.host in LOOPBACK

    @staticmethod
    def _same_origin(websocket: WebSocket) -> bool:
        origin = websocket.headers.get("origin")
        if origin is None:  # not a browser (a script or a test client): nothing to forge
            return True
        host = websocket.headers.get("host", "")
        return urlsplit(origin).netloc.lower() == host.lower()

    # -- handlers ----------------------------------------------------------------------------
    async def _index(self, request: Request) -> Response:
        if not self._allowed(request):
            return Response("the console answers loopback clients only", status_code=403)
        return HTMLResponse(index_html(), headers=_HEADERS)

    async def _rooms(self, request: Request) -> Response:
        if not self._allowed(request):
            return Response("the console answers loopback clients only", status_code=403)
        rooms = await self.kit.list_rooms(limit=200)
        return JSONResponse(
            [{"id": r.id, "status": str(r.status)} for r in rooms], headers=_HEADERS
        )

    async def _websocket(self, websocket: WebSocket) -> None:
        if not self._allowed(websocket) or not self._same_origin(websocket):
            await websocket.close(code=1008)
            return
        self.sessions += 1
        try:
            await ConsoleSession(self.monitor, websocket, self.console_channel).run()
        finally:
            self.sessions -= 1


def mount_console(
    app: Any,
    kit: RoomKit | None = None,
    *,
    path: str = "/console",
    allow_remote: bool = False,
    console_channel: str = "console",
) -> ConsoleApp:
    """Mount the console at ``path`` of a Starlette app (or of a ``WebhookServer``, whose
    kit is used when ``kit`` is not given) and return it.

    Mount it before the app first serves a request. The console answers loopback clients only
    unless ``allow_remote=True``.
    """
    target = app
    if kit is None:
        kit = getattr(app, "kit", None)
        if kit is None:
            raise ConfigurationError("mount_console needs the kit: mount_console(app, kit)")
    if not isinstance(target, Starlette):
        inner = getattr(target, "app", None)
        if not isinstance(inner, Starlette):
            raise ConfigurationError(
                "mount_console needs a Starlette app (or a WebhookServer); "
                f"got {type(app).__name__}"
            )
        target = inner
    if not path.startswith("/") or path == "/":
        raise ConfigurationError(f"console path {path!r} must start with '/' and not be '/'")
    console = ConsoleApp(kit, allow_remote=allow_remote, console_channel=console_channel)
    target.router.routes.append(Mount(path.rstrip("/"), app=console.app))
    return console
