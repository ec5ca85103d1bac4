"""``NATSSource``: a NATS JetStream event source with a durable consumer, at-least-once.

The source pulls messages from a durable JetStream consumer in small batches and, for each,
``await emit(message)`` — which returns once the kit has stored the event (or recognised it
as a duplicate) — and only then acknowledges it. A message the kit could not process is
negatively acknowledged (redelivered after ``nak_delay``), unless the kit refused its content
for good (:class:`~roomkit.errors.InvalidContentError`: too large ...), which is terminated;
if the process dies between storing and acknowledging, JetStream redelivers after
``ack_wait``. Delivery is therefore at least once
end to end, and the kit's idempotency key makes it exactly once in the room: the key is the
payload's ``id``, else the publisher's ``Nats-Msg-Id`` header, else ``<stream>:<sequence>``
(the same for every redelivery). A message that cannot be parsed is reported (``ON_ERROR``,
stage ``source.parse``) and terminated (``term``: never redelivered).

The NATS client reconnects by itself (``max_reconnect_attempts``); pings every
``ping_interval`` seconds detect a stalled server. When the client gives up, :meth:`start`
raises and the kit restarts the source, which resumes from the durable consumer's position.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from roomkit.errors import ConfigurationError, InvalidContentError
from roomkit.models.event import InboundMessage
from roomkit.sources.base import BaseSourceProvider, EmitCallback, SourceStatus
from roomkit.sources.parsing import json_message

__all__ = ["NATSSource"]

Parser = Callable[[Msg], InboundMessage | None]

#: Errors of a fetch while the client is (re)connecting: wait and fetch again.
_TRANSIENT = (
    nats.errors.ConnectionReconnectingError,
    nats.errors.StaleConnectionError,
    nats.errors.NoRespondersError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.APIError,
    OSError,
)


class NATSSource(BaseSourceProvider):
    """Feeds channel ``channel_id`` from the JetStream ``subject`` through durable consumer
    ``durable`` (see the module doc).

    ``stream`` names the stream (looked up from the subject when omitted);
    ``create_stream=True`` creates it if missing. ``batch`` messages are fetched at a time,
    waiting at most ``fetch_timeout`` s; ``ack_wait`` is the consumer's redelivery delay.
    ``deliver_new=True`` makes a new consumer skip the messages already in the stream.
    ``parser(msg) -> InboundMessage | None`` reads other formats. Credentials (``token``,
    ``user`` / ``password``) are never logged.
    """

    def __init__(
        self,
        servers: str | Sequence[str],
        channel_id: str,
        subject: str,
        *,
        stream: str | None = None,
        durable: str = "roomkit",
        parser: Parser | None = None,
        create_stream: bool = False,
        batch: int = 10,
        fetch_timeout: float = 1.0,
        ack_wait: float = 30.0,
        nak_delay: float = 1.0,
        max_deliver: int = -1,
        deliver_new: bool = False,
        connect_timeout: float = 5.0,
        ping_interval: float = 20.0,
        max_outstanding_pings: int = 2,
        max_reconnect_attempts: int = 60,
        token: str | None = None,
        user: str | None = None,
        password: str | None = None,
        rate_limit: float | None = None,
    ) -> None:
        super().__init__(rate_limit=rate_limit)
        self.servers = [servers] if isinstance(servers, str) else list(servers)
        if not self.servers or not all(s.startswith(("nats://", "tls://")) for s in self.servers):
            raise ConfigurationError(f"NATSSource needs nats:// or tls:// servers, not {servers!r}")
        if not channel_id or not subject or not durable:
            raise ConfigurationError("NATSSource needs a channel_id, a subject and a durable name")
        if batch < 1 or fetch_timeout <= 0 or ack_wait <= 0 or connect_timeout <= 0:
            raise ConfigurationError(
                "batch must be >= 1; fetch_timeout, ack_wait and connect_timeout positive"
            )
        self.channel_id = channel_id
        self.subject = subject
        self.stream = stream
        self.durable = durable
        self._parser = parser
        self._create_stream = create_stream
        self._batch = batch
        self._fetch_timeout = fetch_timeout
        self._ack_wait = ack_wait
        self._nak_delay = nak_delay
        self._max_deliver = max_deliver
        self._deliver_new = deliver_new
        self._connect_timeout = connect_timeout
        self._connect = {
            "connect_timeout": connect_timeout,
            "ping_interval": ping_interval,
            "max_outstanding_pings": max_outstanding_pings,
            "max_reconnect_attempts": max_reconnect_attempts,
            "reconnect_time_wait": 0.5,
            "token": token,
            "user": user,
            "password": password,
        }
        self._nc: Client | None = None
        self.acked = 0
        self.naked = 0
        self.terminated = 0
        self.redelivered = 0

    @property
    def name(self) -> str:
        """``nats:<subject>``."""
        return f"nats:{self.subject}"

    async def start(self, emit: EmitCallback) -> None:
        """Connect, bind the durable consumer and process messages until :meth:`stop` or
        until the client gives up reconnecting (then this raises; the kit restarts it)."""
        self._begin()
        # the first connection gets connect_timeout; failing it, the kit retries with backoff
        async with asyncio.timeout(self._connect_timeout * 2):
            nc = await nats.connect(
                servers=self.servers,
                disconnected_cb=self._disconnected,
                reconnected_cb=self._reconnected,
                error_cb=self._client_error,
                **self._connect,
            )
        self._nc = nc
        try:
            subscription = await self._subscribe(nc)
            self._set_status(SourceStatus.CONNECTED)
            while not self._stopping.is_set():
                if nc.is_closed:
                    raise nats.errors.ConnectionClosedError
                try:
                    messages = await subscription.fetch(self._batch, timeout=self._fetch_timeout)
                except (TimeoutError, nats.errors.TimeoutError):
                    continue
                except _TRANSIENT as exc:
                    if self._stopping.is_set() or nc.is_closed:
                        break
                    self._set_status(SourceStatus.RECONNECTING, exc)
                    await asyncio.sleep(min(self._fetch_timeout, 0.5))
                    continue
                for msg in messages:
                    await self._process(emit, msg)
        except nats.errors.ConnectionClosedError:
            if not self._stopping.is_set():
                raise
        finally:
            self._nc = None
            if not nc.is_closed:
                await nc.close()

    async def _subscribe(self, nc: Client) -> Any:
        js = nc.jetstream()
        if self._create_stream:
            name = self.stream or self.durable
            try:
                await js.stream_info(name)
            except nats.js.errors.NotFoundError:
                await js.add_stream(StreamConfig(name=name, subjects=[self.subject]))
            self.stream = name
        config = ConsumerConfig(
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait,
            max_deliver=self._max_deliver,
            deliver_policy=DeliverPolicy.NEW if self._deliver_new else DeliverPolicy.ALL,
            max_ack_pending=max(self._batch * 10, 100),
        )
        return await js.pull_subscribe(
            self.subject,
            durable=self.durable,
            stream=self.stream,
            config=config,
            pending_msgs_limit=self._batch * 10,
        )

    async def _process(self, emit: EmitCallback, msg: Msg) -> None:
        if msg.metadata.num_delivered > 1:
            self.redelivered += 1
        try:
            message = self._parse(msg)
        except Exception as exc:
            await self._reject(emit, msg.data, exc)
            await msg.term()  # a message that cannot be read is never redelivered
            self.terminated += 1
            return
        if message is None:
            await self._ack(msg)
            return
        try:
            await self._emit(emit, message)
        except InvalidContentError:  # the kit refuses this content (too large ...): for good
            await msg.term()
            self.terminated += 1
            return
        except Exception:  # the kit reported it; JetStream redelivers it later
            await msg.nak(delay=self._nak_delay)
            self.naked += 1
            return
        await self._ack(msg)

    async def _ack(self, msg: Msg) -> None:
        """Acknowledge ``msg`` (the kit has stored it)."""
        await msg.ack()
        self.acked += 1

    def _parse(self, msg: Msg) -> InboundMessage | None:
        if self._parser is not None:
            return self._parser(msg)
        message = json_message(msg.data, self.channel_id)
        if message.idempotency_key is None:
            key = (msg.headers or {}).get("Nats-Msg-Id")
            if key is None:
                meta = msg.metadata
                key = f"{meta.stream}:{meta.sequence.stream}"
            message = message.model_copy(update={"idempotency_key": key})
        return message

    async def _disconnected(self) -> None:
        if not self._stopping.is_set():
            self._set_status(SourceStatus.RECONNECTING, "disconnected from NATS")

    async def _reconnected(self) -> None:
        self._set_status(SourceStatus.CONNECTED)

    async def _client_error(self, exc: Exception) -> None:
        if not self._stopping.is_set():
            self._set_status(self.status, exc)

    async def _on_stop(self) -> None:
        nc = self._nc
        if nc is not None and not nc.is_closed:
            await nc.close()

    def _health_metadata(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "stream": self.stream,
            "durable": self.durable,
            "acked": self.acked,
            "naked": self.naked,
            "terminated": self.terminated,
            "redelivered": self.redelivered,
        }
