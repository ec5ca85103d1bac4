"""compose_email: the text, HTML, attachments and headers email providers send."""

from __future__ import annotations

import base64

import pytest

from roomkit.errors import InvalidContentError
from roomkit.models.content import (
    AudioContent,
    CompositeContent,
    MediaContent,
    RichButton,
    RichCard,
    RichContent,
    TextContent,
)
from roomkit.providers.email.compose import compose_email
from roomkit_conformance.suites.messaging import sample_event


def test_text_is_escaped_into_html_paragraphs() -> None:
    parts = compose_email(sample_event(TextContent(body="a < b\nline two\n\nnext & last")))
    assert parts.text == "a < b\nline two\n\nnext & last"
    assert parts.html == "<p>a &lt; b<br>line two</p><p>next &amp; last</p>"
    assert not parts.empty
    assert compose_email(sample_event(TextContent(body="  "))).empty


def test_rich_html_markdown_buttons_and_cards() -> None:
    html = compose_email(
        sample_event(RichContent(body="<h1>Hi</h1><p>see <b>this</b></p>", format="html"))
    )
    assert (html.text, html.html) == ("Hi\nsee this", "<h1>Hi</h1><p>see <b>this</b></p>")
    rich = RichContent(
        body="**Order** shipped",
        plain_text="Order shipped",
        buttons=[RichButton(label="Track", url="https://t.example/1"), RichButton(label="OK")],
        cards=[RichCard(title="Box", body="2 kg", image_url="https://i.example/box.png")],
    )
    parts = compose_email(sample_event(rich))
    assert parts.text.split("\n\n") == [
        "Order shipped",
        "Track: https://t.example/1",
        "OK",
        "Box\n2 kg",
        "Box: https://i.example/box.png",
    ]
    assert "<p>**Order** shipped</p>" in parts.html
    assert '<a href="https://t.example/1">Track</a>' in parts.html
    assert '<img src="https://i.example/box.png" alt="Box">' in parts.html
    assert parts.links == ["https://t.example/1", "https://i.example/box.png"]


def test_data_urls_are_attached_and_other_media_linked() -> None:
    pdf = "data:application/pdf;base64," + base64.b64encode(b"%PDF").decode()
    content = CompositeContent(
        parts=[
            TextContent(body="your files"),
            MediaContent(url=pdf, mime_type="application/pdf", filename="a.pdf", caption="invoice"),
            MediaContent(url="data:text/plain,hello%20there", mime_type="text/plain"),
            MediaContent(url="https://m.example/cat.png", mime_type="image/png", caption="cat"),
            AudioContent(url="https://m.example/v.ogg", mime_type="audio/ogg", transcript="hi"),
        ]
    )
    parts = compose_email(sample_event(content))
    assert [(a.filename, a.mime_type, a.data) for a in parts.attachments] == [
        ("a.pdf", "application/pdf", b"%PDF"),
        ("attachment.txt", "text/plain", b"hello there"),
    ]
    assert parts.attachments[0].base64() == base64.b64encode(b"%PDF").decode()
    assert parts.links == ["https://m.example/cat.png", "https://m.example/v.ogg"]
    assert '<img src="https://m.example/cat.png" alt="https://m.example/cat.png">' in parts.html
    assert "invoice" in parts.text
    assert "hi" in parts.text


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        ("data:application/pdf;base64," + base64.b64encode(b"x" * 100).decode(), "over 64"),
        ("data:application/pdf;base64,***", "not valid base64"),
        ("data:application/pdf;base64", "no ','"),
    ],
)
def test_bad_attachments_are_refused(url: str, fragment: str) -> None:
    with pytest.raises(InvalidContentError, match=fragment):
        compose_email(
            sample_event(MediaContent(url=url, mime_type="application/pdf")),
            max_attachment_bytes=64,
        )


def test_threading_headers_and_no_header_injection() -> None:
    metadata = {
        "email": {
            "message_id": "<m2@x>",
            "in_reply_to": "<m1@x>",
            "references": ["<m0@x>", "<m1@x>"],
        }
    }
    parts = compose_email(sample_event(TextContent(body="re"), metadata=metadata))
    assert parts.headers == {
        "Message-ID": "<m2@x>",
        "In-Reply-To": "<m1@x>",
        "References": "<m0@x> <m1@x>",
    }
    assert compose_email(sample_event(TextContent(body="x"))).headers == {}
    evil = {"email": {"in_reply_to": "<m1@x>\nBcc: victim@example.com"}}
    with pytest.raises(InvalidContentError, match="line break"):
        compose_email(sample_event(TextContent(body="x"), metadata=evil))
