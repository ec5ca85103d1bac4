"""Turn an MCP ``CallToolResult`` into the text a model reads."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["result_text"]


def _block_text(block: Any) -> str:
    kind = getattr(block, "type", "")
    if kind == "text":
        return str(block.text)
    if kind in ("image", "audio"):
        return f"[{kind} {getattr(block, 'mime_type', '') or ''}]".replace(" ]", "]")
    if kind == "resource":
        resource = block.resource
        text = getattr(resource, "text", None)
        return str(text) if text is not None else f"[resource {resource.uri}]"
    if kind == "resource_link":
        return f"[resource {block.uri}]"
    return json.dumps(block.model_dump(mode="json", exclude_none=True))


def result_text(result: Any) -> str:
    """The text of a tool result: its content blocks, else its structured content as JSON.

    Images and audio are described (``[image image/png]``), not inlined: the model receives
    text, and base64 payloads would only waste its context.
    """
    parts = [_block_text(block) for block in result.content or []]
    text = "\n".join(p for p in parts if p)
    if not text and result.structured_content is not None:
        return json.dumps(result.structured_content)
    return text
