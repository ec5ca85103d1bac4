"""The assistant-facing docs ship inside the package and describe this project."""

from __future__ import annotations

from roomkit import get_agents_md, get_ai_context, get_llms_txt


def test_llms_txt_describes_the_api() -> None:
    text = get_llms_txt()
    assert text.startswith("# RoomKit")
    for name in ("AIChannel", "ConversationPipeline", "HandoffHandler", "MockAIProvider"):
        assert name in text


def test_agents_md_and_combined_context() -> None:
    agents = get_agents_md()
    assert "MockAIProvider" in agents
    combined = get_ai_context()
    assert combined.index(get_llms_txt().rstrip()) < combined.index(agents.rstrip())
