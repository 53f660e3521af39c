"""The snapshot pbx gets: agents' phones with md5 credentials, queue members by hand and by skill,
trunks, routes; and one publish per committed change, none when Redis is down or rolled back."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.db import transaction

from contactcenter.people.models import Agent, AgentSkill, HumanQueue, QueueMembership, Skill
from contactcenter.telephony.models import BusinessHours, Holiday, InboundRoute, OpeningWindow, Trunk
from contactcenter.telephony.publisher import publish_pbx_config
from contactcenter.telephony.snapshot import build_pbx_config
from pbx.api import CONFIG_CHANGED_CHANNEL, CONFIG_KEY, CONFIG_VERSION_KEY, PbxConfig
from pbx.api.telephony import agent_sip_password, md5_cred

SECRET = "the-installation-secret"


@pytest.fixture
def world(baseline, settings, make_campaign):
    settings.CONSOLE_SIP_SECRET = SECRET
    billing = HumanQueue.objects.create(name="billing", strategy="linear", required_skill=Skill.objects.create(name="bills"))
    asha = Agent.objects.create(name="asha", display_name="Asha", transport="webrtc")
    ravi = Agent.objects.create(name="ravi", static_contact="sip:ravi@127.0.0.1:5071", sip_password_generation=2)
    meena = Agent.objects.create(name="meena")
    QueueMembership.objects.create(agent=asha, queue=billing, penalty=4)
    QueueMembership.objects.create(agent=ravi, queue=baseline)
    AgentSkill.objects.create(agent=asha, skill=billing.required_skill, level=10)  # by hand wins: 4
    AgentSkill.objects.create(agent=meena, skill=billing.required_skill, level=7)  # penalty 3
    hours = BusinessHours.objects.create(name="office", timezone="Asia/Kolkata")
    OpeningWindow.objects.create(hours=hours, weekday=0, opens=dt.time(9), closes=dt.time(18))
    Holiday.objects.create(hours=hours, date=dt.date(2026, 3, 9), name="a holiday")
    campaign = make_campaign(policy={"name": "orders", "version": "3"})
    InboundRoute.objects.create(did="+918000100100", target="flow", campaign=campaign, hours=hours,
                                after_hours="voicemail")  # fmt: skip
    InboundRoute.objects.create(did="+918000100200", target="queue", queue=billing)
    InboundRoute.objects.create(did="+918000100300", target="queue", queue=billing, enabled=False)
    return campaign


def test_each_agent_has_its_own_sip_password_and_only_its_hash_reaches_asterisk(world) -> None:
    from asterisk_config.telephony import PJSIP_FILE, render_telephony
    from contactcenter.people.sip_credentials import sip_password

    agents = list(Agent.objects.filter(name__in=("asha", "meena")))  # both generation 0
    passwords = {a.name: sip_password(a) for a in agents}
    assert len(set(passwords.values())) == 2
    pjsip = render_telephony(build_pbx_config(1).pbx)[PJSIP_FILE]
    digests = [line for line in pjsip.splitlines() if line.startswith("password_digest")]
    assert len(digests) == len(set(digests)) == Agent.objects.count()  # one hash each, all different
    assert not any(password in pjsip for password in passwords.values())


def test_the_snapshot_describes_the_pbx(world) -> None:
    config = build_pbx_config(7)
    assert config.version == 7
    phones = {a.name: a for a in config.pbx.agents}
    salts = dict(Agent.objects.values_list("name", "sip_password_salt"))
    assert phones["asha"].md5_cred == md5_cred("asha", agent_sip_password(SECRET, "asha", 0, salt=salts["asha"]))
    assert phones["ravi"].md5_cred == md5_cred("ravi", agent_sip_password(SECRET, "ravi", 2, salt=salts["ravi"]))
    assert (phones["asha"].transport, phones["asha"].display_name) == ("webrtc", "Asha")
    assert phones["ravi"].static_contact == "sip:ravi@127.0.0.1:5071"
    queues = {q.name: q for q in config.pbx.queues}
    assert queues["billing"].strategy == "linear"
    assert [(m.agent, m.penalty) for m in queues["billing"].members] == [("asha", 4), ("meena", 3)]
    assert [(m.agent, m.penalty) for m in queues["support"].members] == [("agent1", 0), ("agent2", 0), ("ravi", 0)]
    assert [t.name for t in config.pbx.trunks] == ["trunk"] and config.pbx.failsafe_queue == "support"

    assert set(config.inbound) == {"918000100100", "918000100200"}  # the disabled one is not there
    flow = config.route_for("+918000100100")
    assert (flow.target, flow.flow, flow.policy, flow.campaign_id) == ("flow", "order_confirmation",
                                                                        {"name": "orders", "version": "3"}, world.pk)
    assert flow.escalation_queue == "support" and flow.after_hours == "voicemail"
    assert flow.lead["language"] == world.flow_language
    assert flow.open_at(dt.datetime(2026, 3, 2, 6, 0, tzinfo=dt.UTC))  # Monday 11:30 in Kolkata
    assert not flow.open_at(dt.datetime(2026, 3, 9, 6, 0, tzinfo=dt.UTC))  # the holiday
    assert not flow.open_at(dt.datetime(2026, 3, 3, 6, 0, tzinfo=dt.UTC))  # Tuesday: no window
    queue = config.route_for("918000100200")
    assert (queue.target, queue.escalation_queue, queue.hours) == ("queue", "billing", None)
    assert PbxConfig.model_validate_json(config.model_dump_json()) == config


def test_a_human_mode_campaigns_route_hands_callers_to_its_queue(world) -> None:
    world.dial_mode = "progressive"
    world.save()
    route = build_pbx_config(1).route_for("918000100100")
    assert isinstance(route.flow, dict) and route.flow_name == "connect_to_agent"


def test_a_save_publishes_once_per_transaction_after_the_commit(world, recording_redis, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            queue = HumanQueue.objects.create(name="sales", strategy="ringall")
            Agent.objects.get(name="meena").queues.add(queue)
            assert recording_redis.published == []  # not before the commit
    assert len(callbacks) == 1
    assert recording_redis.published == [(CONFIG_CHANGED_CHANNEL, "1")]
    config = PbxConfig.model_validate_json(recording_redis.values[CONFIG_KEY])
    assert [m.agent for m in next(q for q in config.pbx.queues if q.name == "sales").members] == ["meena"]
    with django_capture_on_commit_callbacks(execute=True):
        Trunk.objects.create(name="carrier", host="sip.carrier.example")
    assert recording_redis.published[-1] == (CONFIG_CHANGED_CHANNEL, "2") and recording_redis.values[CONFIG_VERSION_KEY] == "2"


def test_a_rolled_back_change_publishes_nothing_and_the_next_one_does(world, recording_redis,
                                                                      django_capture_on_commit_callbacks) -> None:  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            Skill.objects.create(name="french")
            raise RuntimeError("changed my mind")
    assert callbacks == [] and recording_redis.published == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        Skill.objects.create(name="french")
    assert len(callbacks) == 1 and recording_redis.published == [(CONFIG_CHANGED_CHANNEL, "1")]


def test_every_table_the_snapshot_reads_publishes(world, recording_redis, django_capture_on_commit_callbacks) -> None:
    changes = [lambda: Skill.objects.create(name="x"), lambda: AgentSkill.objects.filter(agent__name="meena").delete(),
               lambda: QueueMembership.objects.get(agent__name="asha").save(),
               lambda: Holiday.objects.all().delete(), lambda: OpeningWindow.objects.all().delete(),
               lambda: BusinessHours.objects.create(name="night"), lambda: InboundRoute.objects.filter(enabled=False).delete(),
               lambda: world.save(), lambda: Agent.objects.get(name="ravi").delete()]  # fmt: skip
    for number, change in enumerate(changes, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            change()
        assert len(recording_redis.published) == number, number


def test_redis_down_logs_and_the_save_stands(world, settings, monkeypatch, caplog, django_capture_on_commit_callbacks) -> None:
    from contactcenter.telephony import publisher
    from tests.telephony.conftest import RecordingRedis

    settings.PBX_CONFIG_PUBLISH = True
    monkeypatch.setattr(publisher, "redis_client", lambda: RecordingRedis(down=True))
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        HumanQueue.objects.create(name="sales")
    assert HumanQueue.objects.filter(name="sales").exists()
    assert "Redis is unreachable" in caplog.text


def test_an_inconsistent_snapshot_is_not_published(world, caplog) -> None:
    from tests.telephony.conftest import RecordingRedis

    HumanQueue.objects.filter(name="support").update(name="renamed")  # past validation: no fail-safe queue
    redis = RecordingRedis()
    with caplog.at_level(logging.ERROR):
        assert publish_pbx_config(redis) is None
    assert CONFIG_KEY not in redis.values and redis.published == []
    assert "inconsistent" in caplog.text


def test_the_command_prints_the_snapshot(world) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("pbx_config", stdout=out)
    assert PbxConfig.model_validate_json(out.getvalue()).pbx.failsafe_queue == "support"


def test_an_agents_state_or_a_campaigns_status_alone_publishes_nothing(world, recording_redis,
                                                                        django_capture_on_commit_callbacks) -> None:  # fmt: skip
    agent = Agent.objects.get(name="asha")
    with django_capture_on_commit_callbacks(execute=True):
        agent.state = "available"
        agent.save(update_fields=["state", "state_changed_at"])  # the console, at every click
        world.save(update_fields=["status", "updated_at"])  # a campaign started or paused
    assert recording_redis.published == []
    with django_capture_on_commit_callbacks(execute=True):
        agent.display_name = "Asha K"
        agent.save(update_fields=["display_name"])
    assert recording_redis.published == [(CONFIG_CHANGED_CHANNEL, "1")]
