from __future__ import annotations

import json

import pytest

from pbx.api import CallEnded, OriginateCall, SchemaError, parse_command, parse_event, to_fields


def test_commands_round_trip_through_stream_fields() -> None:
    command = OriginateCall(endpoint="PJSIP/+91@trunk", flow="order_confirmation", lead={"order_id": "A1"})
    assert parse_command(to_fields(command)) == command
    assert parse_command({k.encode(): v.encode() for k, v in to_fields(command).items()}) == command


def test_events_round_trip() -> None:
    event = CallEnded(call_id="c1", outcome="confirmed")
    assert parse_event(to_fields(event)) == event


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"v": "9", "type": "originate", "data": "{}"}, "schema version '9'"),
        ({"v": "1", "type": "originate", "data": "{nope"}, "not JSON"),
        ({"v": "1", "type": "originate", "data": json.dumps({"type": "originate", "flow": "f"})}, "endpoint"),
        ({"v": "1", "type": "x", "data": json.dumps({"type": "dance"})}, "type"),
        ({"v": "1", "type": "originate", "data": json.dumps({"type": "originate", "endpoint": "PJSIP/x",
                                                               "flow": "f", "timeout_s": 1})}, "timeout_s"),
    ],
)
def test_bad_commands_name_the_problem(fields, message) -> None:
    with pytest.raises(SchemaError, match=message):
        parse_command(fields)
