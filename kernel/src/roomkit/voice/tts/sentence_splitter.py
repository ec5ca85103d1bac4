"""Cut a stream of text tokens (an LLM reply) into sentences to speak one by one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

__all__ = ["split_sentences"]

# A sentence ends at . ! ? (or their CJK forms) followed by whitespace, optionally after a
# closing quote or bracket.
_BOUNDARY = re.compile(r"[.!?\u3002\uff01\uff1f][\"')\]\u201d\u2019]*\s+")
# Abbreviations whose period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "vs", "etc", "e.g", "i.e", "no", "approx"}
)
#: Text buffered without any boundary before it is spoken anyway (keeps latency bounded).
MAX_BUFFER_CHARS = 400


def _is_abbreviation(text: str, end: int) -> bool:
    head = text[:end].rstrip(".!?\"')]\u201d\u2019 \t\n")
    word = head.rsplit(None, 1)[-1].lower() if head.split() else ""
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


async def split_sentences(
    token_stream: AsyncIterator[str], min_chunk_chars: int = 20
) -> AsyncIterator[str]:
    """Yield complete sentences from ``token_stream`` as soon as they end.

    Sentences shorter than ``min_chunk_chars`` are joined with the next one (a very short
    utterance sounds choppy); abbreviations such as "Dr." and single initials do not end a
    sentence; whatever remains when the stream ends is yielded last. A run of more than
    ``MAX_BUFFER_CHARS`` characters without a boundary is yielded at its last space.
    """
    buffer = ""
    pending = ""
    async for token in token_stream:
        buffer += token
        while True:
            cut = _next_boundary(buffer)
            if cut is None:
                if len(buffer) > MAX_BUFFER_CHARS:
                    space = buffer.rfind(" ", 0, MAX_BUFFER_CHARS)
                    cut = space + 1 if space > 0 else MAX_BUFFER_CHARS
                else:
                    break
            sentence, buffer = buffer[:cut].strip(), buffer[cut:]
            pending = f"{pending} {sentence}".strip() if pending else sentence
            if len(pending) >= min_chunk_chars:
                yield pending
                pending = ""
    rest = f"{pending} {buffer.strip()}".strip()
    if rest:
        yield rest


def _next_boundary(text: str) -> int | None:
    for match in _BOUNDARY.finditer(text):
        if text[match.start()] == "." and _is_abbreviation(text, match.start() + 1):
            continue
        return match.end()
    return None
