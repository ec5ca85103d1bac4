"""``WebhookServer``: the ASGI app that receives every messaging channel's webhooks.

For each registered channel whose provider has webhook endpoints, a route
``{path_prefix}/{channel_id}[/{suffix}]`` (or the path given) runs, in this order:

1. **size** -- a ``Content-Length`` or a streamed body over ``max_body_bytes``: 413;
2. **verify** -- the provider's verifier on the raw bytes: 403 when the signature is missing,
   wrong or replayed (nothing is parsed before this);
3. **parse** -- the provider's parser: 400 for a malformed body;
4. **dedupe** -- items whose vendor id was accepted in the last ``dedupe_ttl_seconds`` are
   dropped (vendor retries); a request made only of retries is answered 200 at once;
5. **queue** -- the new items go to the bounded queue, all or none: 503 + ``Retry-After`` when
   it is full (nothing is remembered, so the vendor's retry is accepted);
6. **answer** -- the parser's acknowledgement (200), before any processing.

Workers hand items to the kit (:func:`roomkit.core.webhooks.process_webhook_item`).
``GET`` on a route is the provider's verification handshake (405 when it has none), unless
the endpoint lists ``GET`` in its methods (vendors that notify with ``GET``, such as Elastic
Email): then it is a webhook like a ``POST``. ``GET /healthz`` reports queue depth and
counters. Logs name routes, status codes and error types, never bodies, headers or secrets.

Mount it in your own Starlette / FastAPI app with ``Mount("/hooks", app=server.app)`` and give
your app ``lifespan=server.lifespan`` (or call :meth:`WebhookServer.start` /
:meth:`WebhookServer.shutdown` from your own lifespan) so the queue drains on shutdown.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from roomkit.channels.messaging import MessagingChannel
from roomkit.core.webhooks import process_webhook_item
from roomkit.errors import ConfigurationError, WebhookError
from roomkit.messaging.ttl import TTLCache
from roomkit.messaging.webhook import (
    WebhookEndpoint,
    WebhookItem,
    WebhookReply,
    WebhookRequest,
    dedupe_key,
)
from roomkit_server.settings import ServerSettings
from roomkit_server.work import Job, WorkQueue

if TYPE_CHECKING:
    from roomkit import RoomKit

__all__ = ["WebhookRoute", "WebhookServer"]

logger = logging.getLogger("roomkit.server")


@dataclass(frozen=True, slots=True)
class WebhookRoute:
    """One mounted route: its path, the channel it feeds and the provider's endpoint."""

    path: str
    channel_id: str
    endpoint: WebhookEndpoint


@dataclass
class _Rejections:
    signature: int = 0
    payload: int = 0
    too_large: int = 0
    queue_full: int = 0
    draining: int = 0
    error: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)


class _TooLarge(Exception):
    pass


def _error(
    status: int, error: str, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    return JSONResponse({"error": error, "detail": detail}, status_code=status, headers=headers)


class WebhookServer:
    """Receives webhooks for the channels of ``kit`` (see the module docstring).

    ``own_kit=True`` closes the kit after the queue drained at shutdown (what
    ``roomkit serve`` does). ``clock`` (UNIX seconds) stamps requests for replay windows.
    """

    def __init__(
        self,
        kit: RoomKit,
        settings: ServerSettings | None = None,
        *,
        own_kit: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.kit = kit
        self.settings = settings or ServerSettings()
        self._own_kit = own_kit
        self._clock = clock
        self._routes: dict[str, WebhookRoute] = {}
        self._dedupe: TTLCache[tuple[str, str], bool] = TTLCache(
            self.settings.dedupe_max_entries, self.settings.dedupe_ttl_seconds
        )
        self._queue = WorkQueue(
            self._process,
            capacity=self.settings.queue_size,
            workers=self.settings.workers,
            item_timeout=self.settings.item_timeout_seconds,
            on_failure=self._forget,
        )
        self._received = 0
        self._duplicates = 0
        self._rejected = _Rejections()
        self._draining = False
        self._app: Starlette | None = None
        self._startup: list[Callable[[], Awaitable[None]]] = []
        self._started_once = False

    # -- routes --------------------------------------------------------------------------------
    def add_channel(
        self,
        channel_id: str,
        *,
        path: str | None = None,
        endpoints: Mapping[str, WebhookEndpoint] | None = None,
    ) -> list[WebhookRoute]:
        """Mount the webhook routes of the registered channel ``channel_id``.

        ``endpoints`` defaults to the channel provider's ``webhook_endpoints()``; ``path``
        to ``{path_prefix}/{channel_id}``. A suffixed endpoint (``"events"``) is mounted at
        ``{path}/events``. Returns the routes added (none for a send-only provider).
        """
        if self._app is not None:
            raise ConfigurationError("add channels before the app is built (server.app)")
        channel = self.kit.get_channel(channel_id)
        if endpoints is None:
            provider = channel.provider if isinstance(channel, MessagingChannel) else None
            endpoints = provider.webhook_endpoints() if provider is not None else {}
        base = path or f"{self.settings.path_prefix.rstrip('/')}/{channel_id}"
        if not base.startswith("/"):
            raise ConfigurationError(f"route path {base!r} must start with '/'")
        added = []
        for suffix, endpoint in endpoints.items():
            route_path = base.rstrip("/") + (f"/{suffix.strip('/')}" if suffix else "") or "/"
            if route_path in self._routes or route_path == self.settings.health_path:
                raise ConfigurationError(f"two webhook routes at {route_path!r}")
            route = WebhookRoute(route_path, channel_id, endpoint)
            self._routes[route_path] = route
            added.append(route)
        if not added:
            logger.info("channel %s has no webhook endpoints: not mounted", channel_id)
        return added

    @property
    def routes(self) -> list[WebhookRoute]:
        """The mounted webhook routes."""
        return list(self._routes.values())

    @property
    def app(self) -> Starlette:
        """The ASGI application (built on first access)."""
        if self._app is None:
            routes = [Route(self.settings.health_path, self._health, methods=["GET"])]
            for route in self._routes.values():
                methods = sorted({*route.endpoint.methods, "GET"})
                routes.append(Route(route.path, self._handler(route), methods=methods))
            self._app = Starlette(routes=routes, lifespan=self.lifespan)
        return self._app

    # -- lifecycle -------------------------------------------------------------------------------
    def on_startup(self, fn: Callable[[], Awaitable[None]]) -> None:
        """Run ``await fn()`` once, when the server first starts (before the workers)."""
        self._startup.append(fn)

    async def start(self) -> None:
        """Start the workers (done on the first request if the app's lifespan did not run)."""
        if not self._started_once:
            self._started_once = True
            for fn in self._startup:
                await fn()
        self._draining = False
        self._queue.start()

    async def shutdown(self, timeout: float | None = None) -> bool:
        """Refuse new webhooks (503), wait up to ``timeout`` (default
        ``drain_timeout_seconds``) for queued items, stop the workers and, with
        ``own_kit``, close the kit. ``False`` when items were left unprocessed."""
        self._draining = True
        limit = self.settings.drain_timeout_seconds if timeout is None else timeout
        drained = await self._queue.drain(limit)
        await self._queue.stop()
        if self._own_kit:
            await self.kit.close()
        return drained

    @asynccontextmanager
    async def lifespan(self, app: object = None) -> AsyncIterator[None]:
        """An ASGI lifespan: start on startup, drain and stop on shutdown."""
        await self.start()
        try:
            yield
        finally:
            await self.shutdown()

    # -- health ----------------------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """What ``/healthz`` reports."""
        stats = self._queue.stats
        rejected = self._rejected
        if self._draining:
            status = "draining"
        elif self._queue.running:
            status = "ok"
        else:
            status = "idle"
        return {
            "status": status,
            "queue_depth": self._queue.depth,
            "queue_capacity": self._queue.capacity,
            "workers": self._queue.workers,
            "received": self._received,
            "processed": stats.processed,
            "failed": stats.failed,
            "failures": dict(stats.failures),
            "dropped": stats.dropped,
            "duplicates": self._duplicates,
            "rejected": {
                "signature": rejected.signature,
                "payload": rejected.payload,
                "too_large": rejected.too_large,
                "queue_full": rejected.queue_full,
                "draining": rejected.draining,
                "error": rejected.error,
                "by_reason": dict(rejected.by_reason),
            },
            "routes": sorted(self._routes),
        }

    async def _health(self, request: Request) -> Response:
        body = self.health()
        return JSONResponse(body, status_code=503 if body["status"] == "draining" else 200)

    # -- requests --------------------------------------------------------------------------------
    def _handler(self, route: WebhookRoute) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            return await self._handle(route, request)

        return handle

    def _retry_after(self) -> dict[str, str]:
        return {"Retry-After": str(self.settings.retry_after_seconds)}

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > limit:
                    raise _TooLarge
            except ValueError:
                pass  # the server (uvicorn) rejects malformed lengths itself
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise _TooLarge
        return bytes(body)

    def _public_url(self, request: Request) -> str:
        base = self.settings.public_url
        if base is None:
            return str(request.url)
        query = request.url.query
        return f"{base}{request.url.path}" + (f"?{query}" if query else "")

    async def _handle(self, route: WebhookRoute, request: Request) -> Response:
        if not self._queue.running and not self._draining:
            await self.start()  # mounted in an app whose lifespan does not start us
        rejected = self._rejected
        if self._draining:
            rejected.draining += 1
            return _error(503, "draining", "the server is shutting down", self._retry_after())
        try:
            body = await self._read_body(request)
        except _TooLarge:
            rejected.too_large += 1
            logger.info(
                "webhook %s: 413 body over %d bytes", route.path, self.settings.max_body_bytes
            )
            return _error(413, "too_large", f"body over {self.settings.max_body_bytes} bytes")
        webhook = WebhookRequest(
            method=request.method,
            url=self._public_url(request),
            headers={k.lower(): v for k, v in request.headers.items()},
            body=body,
            query=dict(request.query_params),
            received_at=self._clock(),
        )
        endpoint = route.endpoint
        if request.method == "GET" and "GET" not in endpoint.methods:
            reply = endpoint.parser.handshake(webhook)
            if reply is None:
                return _error(405, "method_not_allowed", "this route takes POST")
            return self._reply(reply)
        try:
            endpoint.verifier.verify(webhook)
            items = list(endpoint.parser.parse(webhook, route.channel_id))
        except WebhookError as exc:
            return self._refused(route, exc)
        except ValueError as exc:  # a parser's own validation (pydantic ...)
            rejected.payload += 1
            logger.info("webhook %s: 400 %s", route.path, type(exc).__name__)
            return _error(400, "payload", f"malformed webhook ({type(exc).__name__})")
        except Exception as exc:
            rejected.error += 1
            logger.error(
                "webhook %s: 500, the provider's handler raised %s", route.path, type(exc).__name__
            )
            return _error(500, "error", "the webhook could not be handled")
        self._received += 1
        return self._enqueue(route, webhook, items)

    def _refused(self, route: WebhookRoute, exc: WebhookError) -> Response:
        rejected = self._rejected
        reason = getattr(exc, "reason", None)
        if exc.status_code in (401, 403):
            rejected.signature += 1
            key = f"signature_{reason or 'invalid'}"
            error = "signature"
        else:
            rejected.payload += 1
            key, error = "payload", "payload"
        rejected.by_reason[key] = rejected.by_reason.get(key, 0) + 1
        logger.info("webhook %s: %d %s", route.path, exc.status_code, key)
        return _error(exc.status_code, error, str(exc)[:200])

    def _enqueue(
        self, route: WebhookRoute, webhook: WebhookRequest, items: list[WebhookItem]
    ) -> Response:
        jobs: list[Job] = []
        seen: set[str] = set()
        for item in items:
            key = dedupe_key(item)
            if key is not None and (key in seen or (route.channel_id, key) in self._dedupe):
                self._duplicates += 1
                continue
            if key is not None:
                seen.add(key)
            jobs.append(Job(route.channel_id, item, key))
        if jobs and not self._queue.offer(jobs):
            self._rejected.queue_full += 1
            logger.warning(
                "webhook %s: 503 queue full (%d items)", route.path, self._queue.capacity
            )
            return _error(
                503, "queue_full", "too many webhooks waiting; retry later", self._retry_after()
            )
        for job in jobs:
            if job.key is not None:
                self._dedupe.put((route.channel_id, job.key), True)
        return self._reply(route.endpoint.parser.acknowledge(webhook, items))

    @staticmethod
    def _reply(reply: WebhookReply) -> Response:
        return Response(reply.body, status_code=reply.status_code, media_type=reply.media_type)

    def _forget(self, job: Job) -> None:
        if job.key is not None:
            self._dedupe.discard((job.channel_id, job.key))

    async def _process(self, channel_id: str, item: WebhookItem) -> object:
        return await process_webhook_item(self.kit, channel_id, item)

    def describe(self) -> str:
        """The routes as text (for ``roomkit serve --check``)."""
        lines = [f"GET  {self.settings.health_path}  (health)"]
        for route in self._routes.values():
            methods = ",".join(route.endpoint.methods)
            lines.append(
                f"{methods:4} {route.path}  -> channel {route.channel_id} ({route.endpoint.name})"
            )
        return "\n".join(lines)
