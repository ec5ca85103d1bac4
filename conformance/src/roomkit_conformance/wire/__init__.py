"""Wire fakes: local servers on 127.0.0.1 that speak a vendor's real protocol.

Plugin tests drive the vendor's real SDK against these over a real socket, never a patched SDK.

* :mod:`roomkit_conformance.wire.llm` -- LLM APIs (OpenAI, Anthropic, Mistral, Gemini) through
  an ``llmock`` subprocess, with scripted replies and faults (:class:`LLMockServer`,
  :class:`LLMockWire`, the ``llmock_server`` fixture).
* :mod:`roomkit_conformance.wire.silent` -- a server that accepts connections and never
  answers (:func:`silent_server`), to test time-outs against a stalled backend.

Only the standard library is imported here; ``llmock`` itself runs in its own process.
"""

from __future__ import annotations

from roomkit_conformance.wire.llm import LLMockServer, LLMockWire, free_port
from roomkit_conformance.wire.silent import silent_server

__all__ = ["LLMockServer", "LLMockWire", "free_port", "silent_server"]
