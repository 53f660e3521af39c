"""The feeder skips what it cannot read or fold, with a log line, and goes on."""

from __future__ import annotations

import json
import logging

import pytest

from contactcenter.wallboard import feeder as feeders
from contactcenter.wallboard.board import Board, Section
from contactcenter.wallboard.config import FeederConfig
from contactcenter.wallboard.feeder import Feeder
from contactcenter.wallboard.messages import BoardMessage
from pbx.api import CallStarted, to_fields


def _feeder() -> Feeder:
    feeder = Feeder(FeederConfig(redis_url="redis://127.0.0.1:1/0"), layer=None)
    feeder.board = Board(day_start=0.0)
    return feeder


@pytest.mark.parametrize("fields", [
    {b"v": b"1", b"type": b"call.started", b"data": b"{not json"},
    {b"v": b"9", b"type": b"call.started", b"data": b"{}"},
    {b"v": b"1", b"type": b"call.teleported", b"data": json.dumps({"type": "call.teleported"}).encode()},
    {b"v": b"1", b"type": b"call.started", b"data": json.dumps({"type": "call.started", "direction": "sideways"}).encode()},
    {},
    {b"v": b"1", b"data": json.dumps([1, 2]).encode()},
])  # fmt: skip
def test_entries_that_are_not_events_are_skipped_with_a_log_line(fields, caplog) -> None:
    feeder = _feeder()
    with caplog.at_level(logging.WARNING, logger="contactcenter.wallboard.feeder"):
        assert feeder._fold(b"1-1", fields) == frozenset()
    assert feeder.skipped == 1 and feeder.last_id == "1-1"
    assert "skipping stream entry 1-1" in caplog.text
    good = to_fields(CallStarted(call_id="c1", at=10.0, direction="outbound"))
    assert Section.TODAY in feeder._fold(b"1-2", good)
    assert feeder.applied == 1 and "c1" in feeder.board.calls


def test_an_event_the_board_cannot_fold_is_skipped_not_fatal(monkeypatch, caplog) -> None:
    feeder = _feeder()

    def broken(board, event):
        raise RuntimeError("a bug in the reducer")

    monkeypatch.setattr(feeders, "apply_event", broken)
    with caplog.at_level(logging.ERROR, logger="contactcenter.wallboard.feeder"):
        # Only the chart's point of the event's step, taken before folding it, is new (with the
        # figures that move with the clock).
        assert feeder._fold("2-1", to_fields(CallStarted(call_id="c1", direction="inbound"))) == {
            Section.CHARTS, Section.TODAY, Section.AGENTS}
    assert feeder.skipped == 1 and "could not be applied" in caplog.text and len(feeder.history.samples) == 1


def test_messages_say_what_they_are() -> None:
    message = BoardMessage("patch", "e1", 4, 12.34567, {"today": {"total": 1}})
    assert message.to_json() == {"type": "patch", "epoch": "e1", "seq": 4, "server_time": 12.346, "feeder": "live",
                                 "sections": {"today": {"total": 1}}}  # fmt: skip
