"""The scripted wire fake: routes, recorded requests, whole and streamed replies, hang-ups."""

from __future__ import annotations

import asyncio
import json

from roomkit_conformance.wire.scripted import ScriptedLLMServer, ScriptedReply


async def _exchange(server: ScriptedLLMServer, path: str, body: dict) -> tuple[bytes, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    data = json.dumps(body).encode()
    writer.write(
        f"POST {path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        f"authorization: Bearer k\r\ncontent-length: {len(data)}\r\n\r\n".encode()
        + data
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b"content-length" in head:
        length = int(head.split(b"content-length: ")[1].split(b"\r\n")[0])
        payload = await reader.readexactly(length)
    else:
        payload = await reader.read()
    writer.close()
    return head, payload


async def test_whole_replies_in_each_dialect() -> None:
    reply = ScriptedReply(
        text="Hi.", thinking="Greeting.", signature="c2ln", tool_calls=[("f", {})]
    )
    async with ScriptedLLMServer() as server:
        server.script(reply, reply, reply, reply)
        _, openai = await _exchange(server, "/openai/v1/chat/completions", {"model": "m"})
        message = json.loads(openai)["choices"][0]["message"]
        assert (message["content"], message["reasoning_content"]) == ("Hi.", "Greeting.")
        _, anthropic = await _exchange(server, "/anthropic/v1/messages", {"model": "m"})
        blocks = json.loads(anthropic)["content"]
        assert blocks[0] == {"type": "thinking", "thinking": "Greeting.", "signature": "c2ln"}
        _, mistral = await _exchange(server, "/mistral/v1/chat/completions", {"model": "m"})
        content = json.loads(mistral)["choices"][0]["message"]["content"]
        assert content[0]["type"] == "thinking"
        path = "/gemini/v1beta/models/gm:generateContent"
        _, gemini = await _exchange(server, path, {})
        parts = json.loads(gemini)["candidates"][0]["content"]["parts"]
        assert parts[0] == {"text": "Greeting.", "thought": True}
        assert parts[2]["thoughtSignature"] == "c2ln"  # on the function call
        assert json.loads(gemini)["modelVersion"] == "gm"
        assert [r.vendor for r in server.requests] == ["openai", "anthropic", "mistral", "gemini"]
        assert server.requests[0].headers["authorization"] == "Bearer k"


async def test_unknown_routes_are_404() -> None:
    async with ScriptedLLMServer() as server:
        head, _ = await _exchange(server, "/nowhere", {})
        assert head.startswith(b"HTTP/1.1 404")
        assert server.requests == []


async def test_a_stream_is_sent_in_pieces_to_the_end() -> None:
    async with ScriptedLLMServer() as server:
        server.script(ScriptedReply(text="one two three"))
        head, body = await _exchange(
            server, "/openai/v1/chat/completions", {"model": "m", "stream": True}
        )
        assert b"text/event-stream" in head
        events = [line for line in body.decode().split("\n") if line.startswith("data: ")]
        assert events[-1] == "data: [DONE]"
        deltas = [json.loads(e[6:])["choices"][0]["delta"].get("content") for e in events[:-1]]
        assert "".join(d for d in deltas if d) == "one two three"
        assert server.stats.streams_finished == 1
        assert not server.hung_up.is_set()


async def test_a_client_hanging_up_is_noticed() -> None:
    async with ScriptedLLMServer() as server:
        server.script(ScriptedReply(text="word " * 1000, interval=0.05))
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        body = json.dumps({"model": "m", "stream": True}).encode()
        writer.write(
            b"POST /openai/v1/chat/completions HTTP/1.1\r\nhost: x\r\n"
            + f"content-length: {len(body)}\r\n\r\n".encode()
            + body
        )
        await reader.readuntil(b"data: ")  # the stream has started
        writer.close()
        await asyncio.wait_for(server.hung_up.wait(), 10)
        assert server.stats.streams_finished == 0
