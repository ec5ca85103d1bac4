"""DeliveryMode and the not-found errors added for RoomKit 0.6.7 code."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from roomkit.errors import (
    IdentityNotFoundError,
    ParticipantNotFoundError,
    RoomKitError,
    RoomNotFoundError,
)
from roomkit.models.enums import DeliveryMode


def test_delivery_mode_values_serialise_as_plain_strings() -> None:
    class Caps(BaseModel):
        mode: DeliveryMode = DeliveryMode.BROADCAST

    assert [m.value for m in DeliveryMode] == ["broadcast", "direct", "round_robin"]
    assert json.loads(Caps(mode=DeliveryMode.DIRECT).model_dump_json()) == {"mode": "direct"}
    assert Caps.model_validate({"mode": "round_robin"}).mode is DeliveryMode.ROUND_ROBIN
    with pytest.raises(ValueError):
        DeliveryMode("multicast")


@pytest.mark.parametrize("error", [IdentityNotFoundError, ParticipantNotFoundError])
def test_not_found_errors_are_roomkit_errors(error: type[RoomKitError]) -> None:
    with pytest.raises(RoomKitError, match="p-1"):
        raise error("no participant 'p-1' in room 'r'")
    assert not issubclass(error, RoomNotFoundError)
