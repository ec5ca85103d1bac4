"""Wire fakes: local servers on 127.0.0.1 that speak a vendor's real protocol.

Plugin tests drive the vendor's real SDK against these over a real socket, never a patched SDK.

* :mod:`roomkit_conformance.wire.http` -- the base of HTTP vendor fakes (:class:`WireServer`:
  a threaded server on 127.0.0.1 recording requests and answering from a script: HTTP
  errors with ``Retry-After``, hung and dropped answers). Messaging vendors' fakes subclass it.
* :mod:`roomkit_conformance.wire.llm` -- LLM APIs (OpenAI, Anthropic, Mistral, Gemini) through
  an ``llmock`` subprocess, with scripted replies and faults (:class:`LLMockServer`,
  :class:`LLMockWire`, the ``llmock_server`` fixture).
* messaging vendors, each a :class:`WireServer` with webhook builders signed as the vendor
  signs: :mod:`~roomkit_conformance.wire.twilio`, :mod:`~roomkit_conformance.wire.telnyx`,
  :mod:`~roomkit_conformance.wire.sinch`, :mod:`~roomkit_conformance.wire.sendgrid`,
  :mod:`~roomkit_conformance.wire.elasticemail`, :mod:`~roomkit_conformance.wire.voicemeup`,
  :mod:`~roomkit_conformance.wire.webhook`, and the chat apps
  :mod:`~roomkit_conformance.wire.messenger`, :mod:`~roomkit_conformance.wire.whatsapp`
  (Meta's shared pieces in :mod:`~roomkit_conformance.wire.meta`) and
  :mod:`~roomkit_conformance.wire.telegram` (what the npm ``telegram-test-api`` emulator
  does not cover), and :mod:`~roomkit_conformance.wire.botframework` (Teams: the Bot
  Framework's OpenID keys, token endpoint and Bot Connector API; needs ``PyJWT[crypto]``).
* :mod:`roomkit_conformance.wire.proxy` -- a TCP proxy that drops, stalls or corrupts the
  connections between a client and a real server (:class:`FaultProxy`), for source tests.
* :mod:`roomkit_conformance.wire.silent` -- a server that accepts connections and never
  answers (:func:`silent_server`), to test time-outs against a stalled backend.
* :mod:`roomkit_conformance.wire.relay` -- a TCP relay in front of a real backend that a
  test can cut and restore (:func:`tcp_relay`): an outage of a server other tests share.
* :mod:`roomkit_conformance.wire.scripted` -- an in-process server for what llmock lacks:
  reasoning (thinking blocks, ``reasoning_content``, thought parts) and streams that trickle
  one piece every ``interval`` seconds (:class:`ScriptedLLMServer`, :class:`ScriptedReply`).

Only the standard library is imported here; ``llmock`` itself runs in its own process.
"""

from __future__ import annotations

from roomkit_conformance.wire.http import RecordedRequest, WireResponse, WireServer
from roomkit_conformance.wire.llm import LLMockServer, LLMockWire, free_port
from roomkit_conformance.wire.proxy import FaultProxy
from roomkit_conformance.wire.relay import TcpRelay, tcp_relay
from roomkit_conformance.wire.scripted import ScriptedLLMServer, ScriptedReply
from roomkit_conformance.wire.silent import silent_server

__all__ = [
    "FaultProxy",
    "LLMockServer",
    "LLMockWire",
    "RecordedRequest",
    "ScriptedLLMServer",
    "ScriptedReply",
    "TcpRelay",
    "WireResponse",
    "WireServer",
    "free_port",
    "silent_server",
    "tcp_relay",
]
