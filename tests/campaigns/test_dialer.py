"""The dialer against a fake pbx link: what it dials, what it never dials, and how pbx's
events become lead outcomes (idempotently)."""

from __future__ import annotations

import time

import pytest

from contactcenter.campaigns import services
from contactcenter.campaigns.flows import CONNECT_TO_AGENT_FLOW
from contactcenter.campaigns.models import (
    AttemptStatus,
    CallAttempt,
    Campaign,
    Disposition,
    Lead,
    LeadStatus,
    WebhookDelivery,
)
from contactcenter.campaigns.pbx_events import apply_event
from contactcenter.people import services as people_services
from contactcenter.people.models import Agent, AgentState, DoNotCall
from pbx.api import (
    AgentConnected,
    AgentStateChanged,
    CallAnswered,
    CallEnded,
    CallEscalated,
    CallStarted,
    CommandRejected,
    QueueAbandoned,
)
from tests.campaigns.conftest import live_counts

pytestmark = pytest.mark.django_db(transaction=True)  # the dialer sends commands on commit


def end_call(clock, call_id: str, outcome: str, detail: str = "") -> str:
    at = clock.now.timestamp()
    apply_event(CallStarted(call_id=call_id, direction="outbound", at=at))
    if outcome not in ("no_answer", "busy", "failed"):
        apply_event(CallAnswered(call_id=call_id, at=at))
    return apply_event(CallEnded(call_id=call_id, outcome=outcome, detail=detail, at=at))


def test_dials_due_leads_with_everything_the_flow_needs(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign(caller_id="+911800100100", policy={"name": "strict", "version": "1"})
    leads = [make_lead(campaign, f"+9198000000{i:02d}", first_name=f"C{i}") for i in range(5)]
    decisions = dialer.tick()
    assert decisions[campaign.pk].calls == 3  # max_concurrent_calls
    assert [c.lead_id for c in pbx.commands] == [leads[0].pk, leads[1].pk, leads[2].pk]
    command = pbx.commands[0]
    assert command.endpoint == "PJSIP/+919800000000@trunk"
    assert command.flow == "order_confirmation" and command.escalation_queue == "support"
    assert command.lead == {"language": "en-IN", "currency": "rupees", "first_name": "C0", "order_id": "A1001",
                            "item": "a steel water bottle", "amount": "499"}  # fmt: skip
    assert command.caller_id == "+911800100100" and command.policy["name"] == "strict"
    assert command.campaign_id == campaign.pk and command.variables["CC_AMD"] == "0"
    attempt = CallAttempt.objects.get(call_id=command.call_id)
    assert (attempt.command_id, attempt.number, attempt.status) == (command.command_id, 1, AttemptStatus.QUEUED)
    assert attempt.command_sent_at is not None
    assert Lead.objects.get(pk=leads[0].pk).status == LeadStatus.DIALING

    assert dialer.tick()[campaign.pk].calls == 0  # three lines busy
    assert end_call(dialer.clock, command.call_id, "confirmed") == "ended"
    assert dialer.tick()[campaign.pk].calls == 1
    assert pbx.commands[-1].lead_id == leads[3].pk


def test_events_are_idempotent_and_settle_the_lead_once(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(webhook_url="https://example.test/hook")
    lead = make_lead(campaign, "+919800000001")
    dialer.tick()
    call_id = pbx.commands[0].call_id
    events = [CallStarted(call_id=call_id, direction="outbound", at=clock.now.timestamp()),
              CallAnswered(call_id=call_id, at=clock.now.timestamp() + 3),
              CallEnded(call_id=call_id, outcome="confirmed", at=clock.now.timestamp() + 30)]  # fmt: skip
    assert [apply_event(e) for e in events] == ["updated", "updated", "ended"]
    assert [apply_event(e) for e in events] == ["already_ended"] * 3
    # Out of order (answered after ended) changes nothing either.
    lead.refresh_from_db()
    assert (lead.status, lead.outcome, lead.attempts) == (LeadStatus.DONE, "confirmed", 1)
    assert WebhookDelivery.objects.filter(lead=lead).count() == 1
    attempt = CallAttempt.objects.get(call_id=call_id)
    assert attempt.answered_at is not None and attempt.status == AttemptStatus.ENDED
    assert apply_event(CallEnded(call_id="someone-elses", outcome="confirmed")) == "not_ours"


def test_dnc_added_after_import_is_checked_at_dial_time(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign()
    blocked = make_lead(campaign, "+919800000001")
    fine = make_lead(campaign, "+919800000002")
    people_services.do_add_dnc("+91 98000 00001", reason="asked by email")
    dialer.tick()
    assert [c.lead_id for c in pbx.commands] == [fine.pk]
    blocked.refresh_from_db()
    assert (blocked.status, blocked.outcome, blocked.attempts) == (LeadStatus.BLOCKED, "do_not_call", 0)


def test_opt_out_during_a_call_blocks_the_number_for_every_campaign(dialer, pbx, make_campaign, make_lead) -> None:
    first, second = make_campaign(), make_campaign(type="payment_reminder")
    make_lead(first, "+919800000001")
    other = make_lead(second, "+919800000001", fields={"amount": "100", "due_date": "Friday"})
    Campaign.objects.filter(pk=second.pk).update(status="paused")
    dialer.tick()
    assert end_call(dialer.clock, pbx.commands[0].call_id, "opt_out") == "ended"
    entry = DoNotCall.objects.get(phone="+919800000001")
    assert (entry.source, entry.campaign_id, entry.call_id) == ("opt_out", first.pk, pbx.commands[0].call_id)
    services.do_change_campaign_status(second.pk, "start")
    dialer.tick()
    assert len(pbx.commands) == 1
    other.refresh_from_db()
    assert (other.status, other.outcome) == (LeadStatus.BLOCKED, "do_not_call")


def test_calling_window_is_the_leads_local_time(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(calling_windows=[{"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "21:00"}])
    india = make_lead(campaign, "+919800000001")  # 11:30 Monday there
    la = make_lead(campaign, "+14155550100")  # 22:00 Sunday there
    dialer.tick()
    assert [c.lead_id for c in pbx.commands] == [india.pk]
    la.refresh_from_db()
    assert la.status == LeadStatus.PENDING and la.not_before_reason == "outside_window"
    assert la.next_attempt_at.isoformat() == "2026-03-02T17:00:00+00:00"  # Monday 09:00 in Los Angeles
    clock.advance(hours=10, minutes=59)
    dialer.tick()
    assert len(pbx.commands) == 1
    clock.advance(minutes=1)
    dialer.tick()
    assert [c.lead_id for c in pbx.commands] == [india.pk, la.pk]


def test_invalid_numbers_are_never_dialled(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign()
    # Written past the validation (an old row, a raw SQL fix): the dialer checks again.
    bad = Lead.objects.create(campaign=campaign, phone="+9112345", first_name="X", time_zones=["Asia/Kolkata"],
                              fields={"order_id": "1", "item": "x", "amount": "1"})  # fmt: skip
    dialer.tick()
    assert pbx.commands == []
    bad.refresh_from_db()
    assert (bad.status, bad.outcome) == (LeadStatus.BLOCKED, "invalid_number")


def test_retries_follow_the_outcome_rules_and_the_attempt_limits(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(max_attempts_total=2, max_attempts_per_day=2, min_gap_minutes=30,
                             retry_minutes={"no_answer": 60, "busy": 10})  # fmt: skip
    lead = make_lead(campaign, "+919800000001")
    dialer.tick()
    end_call(clock, pbx.commands[0].call_id, "busy")
    lead.refresh_from_db()
    # busy says 10 minutes, but attempts are at least 30 minutes apart.
    assert lead.status == LeadStatus.PENDING and lead.outcome == "busy"
    assert (lead.next_attempt_at - clock.now).total_seconds() == 30 * 60
    clock.advance(minutes=29)
    dialer.tick()
    assert len(pbx.commands) == 1
    clock.advance(minutes=1)
    dialer.tick()
    assert len(pbx.commands) == 2 and pbx.commands[1].call_id != pbx.commands[0].call_id
    end_call(clock, pbx.commands[1].call_id, "no_answer")
    lead.refresh_from_db()
    assert (lead.status, lead.outcome, lead.attempts) == (LeadStatus.DONE, "no_answer", 2)  # limit reached


def test_a_command_that_could_not_be_sent_is_sent_again_with_the_same_ids(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign(max_concurrent_calls=1)
    make_lead(campaign, "+919800000001")
    pbx.fail_sends = 1
    dialer.tick()
    attempt = CallAttempt.objects.get()
    assert pbx.commands == [] and attempt.command_sent_at is None
    dialer.tick()
    assert [c.call_id for c in pbx.commands] == [attempt.call_id]
    assert [c.command_id for c in pbx.commands] == [attempt.command_id]
    dialer.tick()
    assert len(pbx.commands) == 1


def test_no_dialling_while_pbx_is_not_reporting(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign()
    make_lead(campaign, "+919800000001")
    pbx.counts = None
    decision = dialer.tick()[campaign.pk]
    assert decision.calls == 0 and "not reporting" in decision.explanation
    assert pbx.commands == []


def test_site_ai_capacity_counts_pbx_live_calls(pbx, make_campaign, make_lead, clock) -> None:
    from contactcenter.campaigns.dialer import Dialer
    campaign = make_campaign(max_concurrent_calls=10)
    for i in range(6):
        make_lead(campaign, f"+9198000000{i:02d}")
    pbx.counts = live_counts(dialing=1, with_bot=1, screening=1)  # 2 AI calls
    Dialer(pbx, clock=clock, site_max_ai_lines=5).tick()
    assert len(pbx.commands) == 2
    assert Campaign.objects.get(pk=campaign.pk).pacing["bound"] == "site"


def test_a_campaign_stored_with_an_unconfigured_trunk_waits_and_the_others_dial(
        dialer, pbx, make_campaign, make_lead) -> None:  # fmt: skip
    # Saved before trunks were checked (an update past validation): never reaches a dial string.
    bad, good = make_campaign(max_concurrent_calls=2), make_campaign(max_concurrent_calls=2)
    Campaign.objects.filter(pk=bad.pk).update(trunk="trunk/sip:anyone@anywhere")
    make_lead(bad, "+919800000001")
    make_lead(good, "+919800000002")
    decisions = dialer.tick()
    assert decisions[bad.pk].calls == 0 and "is not a trunk name" in decisions[bad.pk].explanation
    assert Campaign.objects.get(pk=bad.pk).pacing["bound"] == "configuration"
    assert [c.campaign_id for c in pbx.commands] == [good.pk]


def test_live_counts_pbx_wrote_without_a_state_stop_the_dialling(make_campaign, make_lead, clock) -> None:
    # A pbx whose "with_bot" state was renamed must not look like a pbx with no AI calls.
    from contactcenter.campaigns.dialer import Dialer
    from contactcenter.campaigns.pbx_link import RedisPbxLink

    class Redis:
        def __init__(self, hash_: dict[str, str]) -> None:
            self.hash, self.sent = hash_, []

        def hgetall(self, key: str) -> dict[bytes, bytes]:
            return {k.encode(): v.encode() for k, v in self.hash.items()}

    written = live_counts(with_bot=4).to_hash()
    written["bot"] = written.pop("with_bot")
    campaign = make_campaign(max_concurrent_calls=10)
    make_lead(campaign, "+919800000001")
    link = RedisPbxLink(Redis(written))
    assert link.live_counts() is None
    decision = Dialer(link, clock=clock).tick()[campaign.pk]
    assert decision.calls == 0 and "not reporting" in decision.explanation


def test_pacing_reports_when_it_is_human_bound(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign(max_concurrent_calls=10, escalation_rate_prior=0.5)
    Agent.objects.filter(name="agent2").update(state=AgentState.OFFLINE)
    for i in range(6):
        make_lead(campaign, f"+9198000000{i:02d}")
    dialer.tick()
    assert len(pbx.commands) == 1  # 1 free agent, 50%: a 2nd call would leave an escalation nobody 1 time in 4
    pacing = Campaign.objects.get(pk=campaign.pk).pacing
    assert pacing["human_bound"] is True and pacing["bound"] == "humans"
    assert "human-bound" in pacing["explanation"]


def test_inbound_callers_waiting_in_the_campaigns_queue_take_its_free_agents(dialer, pbx, make_campaign,
                                                                             make_lead) -> None:  # fmt: skip
    campaign = make_campaign(max_concurrent_calls=10, escalation_rate_prior=0.5)
    Agent.objects.filter(name="agent2").update(state=AgentState.OFFLINE)
    for i in range(6):
        make_lead(campaign, f"+9198000000{i:02d}")
    pbx.inbound = {"sales": 3}  # another queue's callers change nothing here
    pbx.counts = live_counts()
    assert dialer.tick()[campaign.pk].calls == 1  # as without inbound callers: 1 free agent, 50%
    pbx.commands.clear()
    pbx.inbound = {"support": 1, "sales": 3}  # one inbound caller waits for the one free agent
    decision = dialer.tick()[campaign.pk]
    assert decision.calls == 0 and pbx.commands == []
    assert "1 waiting" in decision.explanation


def test_inbound_waiting_counts_pbx_stopped_writing_are_not_counted(pbx) -> None:
    from contactcenter.campaigns.dialer import Dialer

    pbx.inbound = {"support": 1}
    assert Dialer(pbx, live_max_age_s=5)._inbound_waiting() == {"support": 1}
    assert Dialer(pbx, live_max_age_s=5, wall_clock=lambda: time.time() + 60)._inbound_waiting() == {}


def test_human_modes_connect_the_answered_call_to_the_queue(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign(dial_mode="progressive", max_concurrent_calls=10)
    for i in range(4):
        make_lead(campaign, f"+9198000000{i:02d}")
    dialer.tick()
    assert len(pbx.commands) == 2  # one per free agent
    assert all(c.flow == CONNECT_TO_AGENT_FLOW for c in pbx.commands)
    preview = make_campaign(dial_mode="preview")
    make_lead(preview, "+919800000099")
    assert dialer.tick()[preview.pk].calls == 0


def test_escalation_agent_events_and_disposition(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(webhook_url="https://example.test/hook")
    lead = make_lead(campaign, "+919800000001")
    dialer.tick()
    call_id = pbx.commands[0].call_id
    at = clock.now.timestamp()
    apply_event(CallStarted(call_id=call_id, direction="outbound", at=at))
    apply_event(CallAnswered(call_id=call_id, at=at + 2))
    apply_event(CallEscalated(call_id=call_id, queue="support", reason="anger", score=0.8, at=at + 20))
    assert CallAttempt.objects.get().status == AttemptStatus.WAITING_AGENT
    apply_event(AgentStateChanged(call_id=call_id, agent="agent1", state="on_call", queue="support", at=at + 25))
    apply_event(AgentConnected(call_id=call_id, agent="agent1", queue="support", at=at + 25))
    attempt = CallAttempt.objects.get()
    assert (attempt.status, attempt.agent, attempt.escalation_reason) == (AttemptStatus.WITH_AGENT, "agent1", "anger")
    assert Agent.objects.get(name="agent1").state == AgentState.ON_CALL
    apply_event(CallEnded(call_id=call_id, outcome="escalated", detail="anger", at=at + 90))
    apply_event(AgentStateChanged(agent="agent1", state="available", queue="support", at=at + 91))
    assert Agent.objects.get(name="agent1").state == AgentState.AVAILABLE
    lead.refresh_from_db()
    assert (lead.status, lead.outcome) == (LeadStatus.DONE, "escalated")
    Disposition.objects.create(code="call-back", label="Call back", final=False, retry_after_minutes=120)
    services.do_set_disposition(attempt.pk, "call-back", "wants a call on Monday", now=clock.now)
    lead.refresh_from_db()
    assert (lead.status, lead.disposition.code, lead.not_before_reason) == (LeadStatus.PENDING, "call-back", "disposition")
    assert WebhookDelivery.objects.filter(lead=lead).count() == 1  # the disposition reopened the lead


def test_a_rejected_command_finishes_the_lead_as_failed(dialer, pbx, make_campaign, make_lead) -> None:
    campaign = make_campaign()
    lead = make_lead(campaign, "+919800000001")
    dialer.tick()
    command = pbx.commands[0]
    assert apply_event(CommandRejected(command_id=command.command_id, error="flow: unknown")) == "rejected"
    lead.refresh_from_db()
    assert (lead.status, lead.outcome) == (LeadStatus.DONE, "failed")


def test_the_campaign_completes_when_every_lead_is_finished(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign()
    make_lead(campaign, "+919800000001")
    dialer.tick()
    end_call(clock, pbx.commands[0].call_id, "confirmed")
    dialer.tick()
    assert Campaign.objects.get(pk=campaign.pk).status == "completed"


def test_answering_machine_settings_travel_with_the_command(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(amd_enabled=True, amd_action="voicemail", voicemail_message="Please call us back.",
                             retry_minutes={"voicemail": 240})  # fmt: skip
    lead = make_lead(campaign, "+919800000001")
    dialer.tick()
    variables = pbx.commands[0].variables
    assert (variables["CC_AMD"], variables["CC_AMD_ACTION"], variables["CC_VOICEMAIL_MESSAGE"]) == (
        "1", "voicemail", "Please call us back.")  # fmt: skip
    assert variables["CC_SAFE_HARBOUR"].startswith("Sorry we missed you")
    end_call(clock, pbx.commands[0].call_id, "voicemail")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.PENDING and (lead.next_attempt_at - clock.now).total_seconds() == 4 * 3600


def test_a_local_trunk_dials_the_number_through_a_dialplan_context(queue) -> None:  # queue: and the trunk
    from contactcenter.campaigns.pbx_link import trunk_dial_plan

    assert trunk_dial_plan("trunk", "+919800000001") == "PJSIP/+919800000001@trunk"
    assert trunk_dial_plan("local:cc-sim-reactive", "+919800000001") == "Local/+919800000001@cc-sim-reactive"


def test_a_big_tick_records_and_sends_its_leads_in_chunks(dialer, pbx, make_campaign, make_lead, clock) -> None:
    from contactcenter.campaigns.dialer import CHUNK

    campaign = make_campaign(max_concurrent_calls=2 * CHUNK + 5, escalation_rate_prior=0.001)
    for i in range(2 * CHUNK + 10):
        make_lead(campaign, f"+91980000{i:04d}")
    DoNotCall.objects.create(phone="+919800000007")  # checked inside the chunk's transaction
    dialer.tick()
    assert len(pbx.commands) == 2 * CHUNK + 5  # the line limit, across chunks
    attempts = CallAttempt.objects.all()
    assert {a.call_id for a in attempts} == {c.call_id for c in pbx.commands}
    assert all(a.command_sent_at is not None and a.number == 1 for a in attempts)
    assert "PJSIP/+919800000007@trunk" not in {c.endpoint for c in pbx.commands}
    dialled = Lead.objects.filter(status=LeadStatus.DIALING)
    assert dialled.count() == 2 * CHUNK + 5 and {lead.attempts for lead in dialled} == {1}
    assert {lead.last_attempt_at for lead in dialled} == {clock.now}
    assert Lead.objects.get(phone="+919800000007").status == LeadStatus.BLOCKED


def test_a_lead_already_being_called_does_not_stop_the_rest_of_its_chunk(dialer, pbx, make_campaign,
                                                                         make_lead, clock) -> None:  # fmt: skip
    campaign = make_campaign(max_concurrent_calls=5)
    leads = [make_lead(campaign, f"+9198000000{i:02d}") for i in range(4)]
    # Another dialer's live attempt on a lead this one still sees as pending: the chunk's insert
    # breaks the one-live-attempt rule, and the leads are then dialled one by one.
    CallAttempt.objects.create(campaign=campaign, lead=leads[1], number=1, call_id="other", command_id="other",
                               dial_mode="ai_first", endpoint="PJSIP/x@trunk", created_at=clock.now)  # fmt: skip
    Lead.objects.filter(pk=leads[1].pk).update(attempts=0)
    placed = dialer.dial_leads(campaign, [lead.pk for lead in leads], clock.now)
    assert [a.lead_id for a in placed] == [leads[0].pk, leads[2].pk, leads[3].pk]
    assert [c.lead_id for c in pbx.commands] == [leads[0].pk, leads[2].pk, leads[3].pk]


def test_a_chunk_dialled_one_by_one_still_stops_at_its_limit(dialer, pbx, make_campaign, make_lead, clock) -> None:
    campaign = make_campaign(max_concurrent_calls=5)
    leads = [make_lead(campaign, f"+9198000000{i:02d}") for i in range(4)]
    CallAttempt.objects.create(campaign=campaign, lead=leads[0], number=1, call_id="other", command_id="other",
                               dial_mode="ai_first", endpoint="PJSIP/x@trunk", created_at=clock.now)  # fmt: skip
    Lead.objects.filter(pk=leads[0].pk).update(attempts=0)
    placed = dialer.dial_leads(campaign, [lead.pk for lead in leads], clock.now, limit=2)
    assert [a.lead_id for a in placed] == [leads[1].pk, leads[2].pk]
    assert len(pbx.commands) == 2 and Lead.objects.get(pk=leads[3].pk).status == LeadStatus.PENDING


def _progress_of(call_id: str) -> tuple:
    attempt = CallAttempt.objects.get(call_id=call_id)
    return (attempt.status, attempt.started_at, attempt.answered_at, attempt.escalated_at, attempt.escalation_queue,
            attempt.escalation_reason, attempt.agent, attempt.agent_connected_at, attempt.abandoned, attempt.outcome,
            Lead.objects.get(pk=attempt.lead_id).status)  # fmt: skip


def test_a_read_applied_in_runs_ends_as_if_applied_event_by_event(dialer, pbx, make_campaign, make_lead,
                                                                  clock) -> None:  # fmt: skip
    """apply_events batches runs of started/answered/escalated events; the outcome must be the
    one apply_event gives one event at a time, on twin calls, including repeats, events out of
    order, a call that is not ours, and events after a call ended."""
    import random

    from contactcenter.campaigns.pbx_events import apply_events

    campaign = make_campaign(max_concurrent_calls=8, escalation_rate_prior=0.01)  # 8 calls on 2 free agents
    for i in range(8):
        make_lead(campaign, f"+9198000000{i:02d}")
    dialer.tick()
    ids = [c.call_id for c in pbx.commands]
    batched, single = ids[:4], ids[4:]
    at = clock.now.timestamp()

    def script(call_ids: list[str]) -> list:
        a, b, c, d = call_ids
        return [
            CallStarted(call_id=a, direction="outbound", at=at), CallStarted(call_id=b, direction="outbound", at=at + 1),
            CallAnswered(call_id=b, at=at + 3),  # c: answered before its start arrives
            CallAnswered(call_id=c, at=at + 4), CallStarted(call_id=c, direction="outbound", at=at + 2),
            CallStarted(call_id=a, direction="outbound", at=at + 9),  # a repeat changes nothing
            CallAnswered(call_id=a, at=at + 5), CallEscalated(call_id=a, queue="support", reason="anger", at=at + 6),
            CallStarted(call_id="not-ours", direction="outbound", at=at),
            AgentConnected(call_id=a, agent="agent1", queue="support", at=at + 7),
            CallEnded(call_id=b, outcome="confirmed", at=at + 8),
            CallAnswered(call_id=b, at=at + 9),  # after its end: ignored
            CallStarted(call_id=d, direction="outbound", at=at + 1), CallAnswered(call_id=d, at=at + 2),
            CallEscalated(call_id=d, queue="support", reason="human_request", at=at + 3),
            QueueAbandoned(call_id=d, queue="support", at=at + 4),
        ]  # fmt: skip

    results = apply_events(script(batched))
    assert results == [apply_event(event) for event in script(single)]
    assert results.count("updated") >= 8 and "not_ours" in results and "already_ended" in results
    for twin_batched, twin_single in zip(batched, single):
        assert _progress_of(twin_batched) == _progress_of(twin_single)
    assert [_progress_of(c)[0] for c in batched] == [AttemptStatus.WITH_AGENT, AttemptStatus.ENDED,
                                                     AttemptStatus.WITH_BOT, AttemptStatus.WAITING_AGENT]  # fmt: skip
    assert CallAttempt.objects.get(call_id=batched[3]).abandoned

    # A shuffled burst of starts and answers: batched or not, the same end state.
    rng = random.Random(7)
    for twin_batched, twin_single in zip(batched, single):
        CallAttempt.objects.filter(call_id__in=[twin_batched, twin_single]).update(
            status=AttemptStatus.QUEUED, started_at=None, answered_at=None, escalated_at=None)
    burst = [e for i, c in enumerate(batched) for e in (CallStarted(call_id=c, direction="outbound", at=at + i),
                                                         CallAnswered(call_id=c, at=at + 10 + i))]  # fmt: skip
    rng.shuffle(burst)
    twins = dict(zip(batched, single))
    apply_events(burst)
    for event in burst:
        apply_event(event.model_copy(update={"call_id": twins[event.call_id]}))
    for twin_batched, twin_single in twins.items():
        assert _progress_of(twin_batched) == _progress_of(twin_single)


def test_the_consumer_applies_a_read_and_acknowledges_it_only_once_committed(dialer, pbx, make_campaign,
                                                                           make_lead, clock) -> None:  # fmt: skip
    from contactcenter.campaigns.pbx_events import EventConsumer
    from pbx.api import to_fields

    campaign = make_campaign(max_concurrent_calls=3)
    for i in range(3):
        make_lead(campaign, f"+9198000000{i:02d}")
    dialer.tick()
    at = clock.now.timestamp()
    events = [e for c in pbx.commands for e in (CallStarted(call_id=c.call_id, direction="outbound", at=at),
                                                CallAnswered(call_id=c.call_id, at=at + 1))]  # fmt: skip
    entries = [(f"{i}-0".encode(), {k.encode(): str(v).encode() for k, v in to_fields(e).items()})
               for i, e in enumerate(events)]  # fmt: skip
    entries.insert(2, (b"99-0", {b"type": b"call.nonsense"}))  # skipped with a warning, still acknowledged

    class Stream:
        acked: list[bytes] = []
        fail = True

        def xreadgroup(self, *args, **kwargs):
            return [(b"cc:pbx:events", list(entries))]

        def xack(self, stream, group, *ids):
            self.acked += ids

    stream = Stream()

    def failing(batch):
        from contactcenter.campaigns.pbx_events import apply_events

        apply_events(batch)
        raise RuntimeError("the database went away mid-read")

    with pytest.raises(RuntimeError):
        EventConsumer(stream, apply=failing).poll()
    assert stream.acked == [] and set(CallAttempt.objects.values_list("status", flat=True)) == {AttemptStatus.QUEUED}
    consumer = EventConsumer(stream)
    assert consumer.poll() == len(events)
    assert len(stream.acked) == len(entries)
    assert set(CallAttempt.objects.values_list("status", flat=True)) == {AttemptStatus.WITH_BOT}


def test_a_trunk_dials_only_its_destinations_and_no_more_calls_than_its_channels(dialer, pbx, make_campaign,
                                                                                  make_lead) -> None:  # fmt: skip
    from contactcenter.telephony.models import Trunk

    Trunk.objects.update_or_create(name="india", defaults={"host": "127.0.0.1", "max_channels": 2,
                                                           "destination_patterns": ["_+91XXXXXXXXXX"]})  # fmt: skip
    campaign = make_campaign(max_concurrent_calls=10, escalation_rate_prior=0.01, trunk="india")
    foreign = make_lead(campaign, "+442079460123")
    for i in range(4):
        make_lead(campaign, f"+9198000000{i:02d}")
    dialer.tick()
    # Two channels on the trunk: two calls, both to Indian numbers; the UK number (outside its
    # calling window now, too) is finished as one the trunk does not carry.
    assert len(pbx.commands) == 2 and all(c.endpoint.startswith("PJSIP/+91") for c in pbx.commands)
    foreign.refresh_from_db()
    assert (foreign.status, foreign.outcome) == (LeadStatus.BLOCKED, "not_on_trunk")
    pbx.commands.clear()
    dialer.tick()
    assert pbx.commands == []  # both channels still held by the live calls
