"""Content transcoding to channel capabilities."""

from __future__ import annotations

from roomkit import (
    AudioContent,
    ChannelCapabilities,
    ChannelMediaType,
    CompositeContent,
    DeleteContent,
    EditContent,
    LocationContent,
    MediaContent,
    RichButton,
    RichCard,
    RichContent,
    TemplateContent,
    TextContent,
    VideoContent,
)
from roomkit.core.transcoding import content_to_text, split_text, transcode

TEXT_ONLY = ChannelCapabilities()


def test_plain_text_passes_through_unchanged() -> None:
    content = TextContent(body="hi")
    assert transcode(content, TEXT_ONLY)[0] is content


def test_rich_to_text_keeps_buttons_cards_and_replies() -> None:
    rich = RichContent(
        body="# Title\nSee [docs](https://d.test) and **bold** `code`",
        buttons=[RichButton(label="Yes"), RichButton(label="Site", url="https://s.test")],
        cards=[RichCard(title="Card", body="text", buttons=[RichButton(label="Buy")])],
        quick_replies=["a", "b"],
    )
    (out,) = transcode(rich, TEXT_ONLY)
    assert isinstance(out, TextContent)
    assert out.body.splitlines() == [
        "Title",
        "See docs (https://d.test) and bold code",
        "",
        "Card",
        "text",
        "1. Buy",
        "1. Yes",
        "2. Site (https://s.test)",
        "Replies: a | b",
    ]


def test_rich_plain_text_and_html() -> None:
    assert content_to_text(RichContent(body="**x**", plain_text="plain")) == "plain"
    html = RichContent(body="<p>Hello&amp;bye</p><br>there", format="html")
    assert content_to_text(html) == "Hello&bye\n\nthere"


def test_media_location_audio_video_template() -> None:
    assert content_to_text(MediaContent(url="u", mime_type="image/png")) == "u"
    assert content_to_text(AudioContent(url="a.wav", transcript="said")) == "said"
    assert content_to_text(AudioContent(url="a.wav")) == "Audio: a.wav"
    assert content_to_text(VideoContent(url="v.mp4")) == "Video: v.mp4"
    loc = LocationContent(latitude=45.5, longitude=-73.5, label="Office")
    assert content_to_text(loc) == "Location: Office (45.500000, -73.500000)"
    tpl = TemplateContent(template_id="order", parameters={"n": "3"})
    assert content_to_text(tpl) == "[order] n=3"


def test_supported_media_is_kept() -> None:
    caps = ChannelCapabilities(media_types=[ChannelMediaType.TEXT, ChannelMediaType.LOCATION])
    loc = LocationContent(latitude=1, longitude=2)
    assert transcode(loc, caps) == [loc]
    assert isinstance(transcode(loc, TEXT_ONLY)[0], TextContent)


def test_composite_is_flattened_and_texts_merged() -> None:
    caps = ChannelCapabilities(media_types=[ChannelMediaType.TEXT, ChannelMediaType.MEDIA])
    photo = MediaContent(url="p", mime_type="image/jpeg")
    composite = CompositeContent(
        parts=[TextContent(body="a"), RichContent(body="**b**"), photo, TextContent(body="c")]
    )
    out = transcode(composite, caps)
    assert [getattr(p, "body", None) for p in out] == ["a\nb", None, "c"]
    assert out[1] is photo


def test_edit_and_delete_fallbacks() -> None:
    edit = EditContent(target_event_id="e1", new_content=TextContent(body="fixed"))
    assert transcode(edit, TEXT_ONLY)[0].body == "Correction: fixed"
    assert transcode(edit, ChannelCapabilities(supports_edit=True)) == [edit]
    assert transcode(DeleteContent(target_event_id="e1"), TEXT_ONLY) == []


def test_split_text() -> None:
    assert split_text("short", 10) == ["short"]
    assert split_text("aaaa bbbb cccc", 9) == ["aaaa bbbb", "cccc"]
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]
    parts = split_text("word " * 100, 50)
    assert all(len(p) <= 50 for p in parts)
    assert " ".join(parts).split() == ["word"] * 100


def test_cards_and_too_many_buttons_become_text_where_the_channel_cannot_show_them() -> None:
    from roomkit.models.content import RichButton, RichCard, RichContent
    from roomkit.models.enums import ChannelMediaType
    from roomkit.models.room import ChannelCapabilities

    rich_only = [ChannelMediaType.TEXT, ChannelMediaType.RICH]
    three = ChannelCapabilities(media_types=rich_only, supports_buttons=True, max_buttons=3)
    buttons = [RichButton(label=f"Size {n}", value=str(n)) for n in range(4)]
    (many,) = transcode(RichContent(body="Pick one", buttons=buttons), three)
    assert isinstance(many, TextContent)
    assert "1. Size 0" in many.body
    assert "4. Size 3" in many.body
    few = RichContent(body="Pick one", buttons=buttons[:3])
    assert transcode(few, three) == [few]
    card = RichContent(body="Our pick", cards=[RichCard(title="Tee", body="Cotton")])
    (flat,) = transcode(card, three)
    assert isinstance(flat, TextContent)
    assert "Tee" in flat.body
    cards = ChannelCapabilities(media_types=rich_only, supports_cards=True)
    assert transcode(card, cards) == [card]
