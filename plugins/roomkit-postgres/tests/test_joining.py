"""The joining participant's text from a template equals dumping the model each time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from roomkit_postgres._joining import JoiningTexts

from roomkit.models.participant import Participant


@pytest.mark.parametrize(
    "joined_at",
    [
        datetime(2026, 12, 2, 5, 28, 2, 811232, tzinfo=UTC),
        datetime(2020, 1, 1, tzinfo=UTC),
        datetime(2020, 1, 1, 1, 2, 3, 500, tzinfo=timezone(timedelta(hours=5))),
        datetime(2020, 1, 1),
    ],
)
def test_template_text_equals_the_models_dump(joined_at: datetime) -> None:
    texts = JoiningTexts()
    for participant_id in ('u"quoted', "u"):
        expected = Participant(
            id=participant_id, room_id="r", channel_id="ws", joined_at=joined_at
        ).model_dump_json()
        assert texts.text("r", participant_id, "ws", joined_at) == expected
        assert texts.text("r", participant_id, "ws", joined_at) == expected  # from the template


def test_templates_are_bounded() -> None:
    texts = JoiningTexts(size=2)
    now = datetime.now(UTC)
    for i in range(5):
        texts.text("r", f"u{i}", "ws", now)
    assert len(texts._templates) == 2
    assert (
        texts.text("r", "u0", "ws", now)
        == Participant(id="u0", room_id="r", channel_id="ws", joined_at=now).model_dump_json()
    )
