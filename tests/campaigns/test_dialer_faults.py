"""The dialer through faults: calls Asterisk lost (a restart), attempts pbx never ended, and
its own database locked or unreachable."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import OperationalError, connection

from contactcenter.campaigns import pacing
from contactcenter.campaigns.models import AttemptStatus, CallAttempt, Lead, LeadStatus
from contactcenter.campaigns.pbx_events import apply_event
from contactcenter.campaigns.stale_attempts import STALE_CAUSE, end_stale_attempts
from pbx.api import CallAnswered, CallEnded, CallOutcome, CallStarted
from pbx.calls.reconcile import LOST_CAUSE

pytestmark = pytest.mark.django_db(transaction=True)  # the dialer sends commands on commit


def _started(clock, call_id: str, answered: bool) -> None:
    at = clock.now.timestamp()
    apply_event(CallStarted(call_id=call_id, direction="outbound", at=at))
    if answered:
        apply_event(CallAnswered(call_id=call_id, at=at + 2))


def test_after_asterisk_restarted_a_reached_customer_is_not_called_again(dialer, pbx, make_campaign, make_lead,
                                                                          clock) -> None:  # fmt: skip
    campaign = make_campaign(max_concurrent_calls=2)
    reached, ringing, waiting = (make_lead(campaign, f"+91980000000{i}") for i in range(3))
    dialer.tick()
    by_lead = {command.lead_id: command.call_id for command in pbx.commands}
    assert set(by_lead) == {reached.pk, ringing.pk}
    _started(clock, by_lead[reached.pk], answered=True)
    _started(clock, by_lead[ringing.pk], answered=False)
    assert dialer.tick()[campaign.pk].calls == 0  # both lines busy

    # pbx, reconnected to a restarted Asterisk, ends both calls (pbx.calls.reconcile.lost_outcome).
    at = clock.now.timestamp() + 10
    for lead, outcome in ((reached, CallOutcome.DROPPED), (ringing, CallOutcome.FAILED)):
        assert apply_event(CallEnded(call_id=by_lead[lead.pk], outcome=outcome, cause=LOST_CAUSE, at=at)) == "ended"
    reached.refresh_from_db()
    ringing.refresh_from_db()
    assert (reached.status, reached.outcome) == (LeadStatus.DONE, CallOutcome.DROPPED)
    assert ringing.status == LeadStatus.PENDING and ringing.next_attempt_at is not None

    # The lines are free again: the next lead is dialled at once, the unanswered one when its retry is due.
    dialer.tick()
    assert [command.lead_id for command in pbx.commands[2:]] == [waiting.pk]
    clock.advance(hours=3)
    apply_event(CallEnded(call_id=pbx.commands[-1].call_id, outcome="confirmed", at=clock.now.timestamp()))
    dialer.tick()
    dialled = [command.lead_id for command in pbx.commands]
    assert dialled.count(ringing.pk) == 2 and dialled.count(reached.pk) == 1


def test_attempts_pbx_never_ended_are_ended_by_the_sweep(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(max_concurrent_calls=3)
    for i in range(3):
        make_lead(campaign, f"+91980000001{i}")
    dialer.tick()
    ringing, answered, recent = (command.call_id for command in pbx.commands)
    _started(clock, ringing, answered=False)
    _started(clock, answered, answered=True)
    clock.advance(minutes=20)
    _started(clock, recent, answered=False)  # started 20 min later: still within a ring's time

    assert end_stale_attempts(clock.now) == 1  # the ring nobody ended; the answered call may still be on
    clock.advance(hours=4)
    apply_event(CallEnded(call_id=recent, outcome="no_answer", at=clock.now.timestamp()))
    assert end_stale_attempts(clock.now) == 1

    attempts = {a.call_id: a for a in CallAttempt.objects.all()}
    assert (attempts[ringing].outcome, attempts[ringing].cause) == (CallOutcome.FAILED, STALE_CAUSE)
    assert attempts[answered].outcome == CallOutcome.DROPPED
    assert Lead.objects.get(pk=attempts[ringing].lead_id).status == LeadStatus.PENDING  # retried
    assert Lead.objects.get(pk=attempts[answered].lead_id).status == LeadStatus.DONE  # reached: not re-dialled
    assert not Lead.objects.filter(status=LeadStatus.DIALING).exists()
    # pbx's own word, arriving late, changes nothing.
    assert apply_event(CallEnded(call_id=answered, outcome="confirmed", at=clock.now.timestamp())) == "already_ended"


def _refuse(execute, sql, params, many, context):
    raise OperationalError("database is locked")


def test_without_its_database_the_dialer_dials_nothing_then_catches_up_before_pacing(
        dialer, pbx, make_campaign, make_lead, clock, caplog) -> None:  # fmt: skip
    campaign = make_campaign()
    make_lead(campaign, "+919800000021")
    caplog.set_level(logging.WARNING, "contactcenter.dialer")
    with connection.execute_wrapper(_refuse):
        for _ in range(3):
            with pytest.raises(OperationalError):
                dialer.tick()
            dialer.outage.failed(OperationalError("database is locked"))  # what `manage.py dialer` does
    assert pbx.commands == [] and dialer.outage.paused
    assert [r.getMessage() for r in caplog.records] == [
        "database unavailable (OperationalError: database is locked): dialling paused until it answers"]

    first = dialer.tick()[campaign.pk]
    assert (first.calls, first.bound) == (0, pacing.Bound.DATABASE) and pbx.commands == []
    campaign.refresh_from_db()
    assert campaign.pacing["bound"] == "database" and "unavailable" in campaign.pacing["explanation"]
    assert "dialling resumes" in caplog.records[-1].getMessage()
    dialer.tick()
    assert len(pbx.commands) == 1  # dialling resumed


def test_commands_sent_but_not_marked_sent_are_never_sent_again(dialer, pbx, make_campaign, make_lead,
                                                                monkeypatch) -> None:  # fmt: skip
    campaign = make_campaign()
    make_lead(campaign, "+919800000031")
    real_mark = dialer._mark_sent

    def locked(pks):
        raise OperationalError("database is locked")

    monkeypatch.setattr(dialer, "_mark_sent", locked)
    dialer.tick()
    assert len(pbx.commands) == 1 and CallAttempt.objects.get().command_sent_at is None
    monkeypatch.setattr(dialer, "_mark_sent", real_mark)
    dialer.tick()
    assert len(pbx.commands) == 1  # not resent: pbx may have ended that call already
    assert CallAttempt.objects.get().command_sent_at is not None


def test_an_attempt_started_long_ago_but_answered_recently_is_left_alone(dialer, pbx, make_campaign, make_lead,
                                                                         clock) -> None:  # fmt: skip
    campaign = make_campaign()
    make_lead(campaign, "+919800000041")
    dialer.tick()
    call_id = pbx.commands[0].call_id
    apply_event(CallStarted(call_id=call_id, direction="outbound", at=clock.now.timestamp()))
    clock.advance(hours=3)
    apply_event(CallAnswered(call_id=call_id, at=clock.now.timestamp()))
    assert end_stale_attempts(clock.now + dt.timedelta(hours=1)) == 0
    assert CallAttempt.objects.get().status == AttemptStatus.WITH_BOT


def test_a_dialer_started_while_redis_is_down_waits_instead_of_exiting(settings, caplog) -> None:
    from django.core.management import call_command

    from ops.stack.processes import free_port

    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    with caplog.at_level(logging.WARNING, logger="contactcenter.dialer"):
        call_command("dialer", "--once")  # before: ConnectionError out of the command at start
    assert any("dialer pass failed" in r.getMessage() for r in caplog.records)
