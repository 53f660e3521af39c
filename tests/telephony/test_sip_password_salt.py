"""Each agent row's SIP password has a random salt of its own: an agent deleted and made again under
the same name does not get the old phone's password back, rotating replaces the salt, and agents
from before salts keep the password their phones were provisioned with."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from contactcenter.people import services
from contactcenter.people.models import Agent
from contactcenter.people.sip_credentials import sip_password
from contactcenter.telephony.snapshot import telephony
from pbx.api.telephony import agent_sip_password, md5_cred

SECRET = "the-installation-secret"


def before_salts(name: str, generation: int) -> str:
    """The derivation phones were provisioned with before salts, written out independently."""
    message = f"webrtc:{name}" if generation == 0 else f"sip:{name}:{generation}"
    return hmac.new(SECRET.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]


def digests() -> dict[str, str]:
    return {phone.name: phone.md5_cred for phone in telephony().agents}


@pytest.fixture
def secret(settings) -> str:
    settings.CONSOLE_SIP_SECRET = SECRET
    return SECRET


def test_the_salt_is_part_of_the_derivation() -> None:
    assert agent_sip_password(SECRET, "asha") == before_salts("asha", 0)
    assert agent_sip_password(SECRET, "asha", 3) == before_salts("asha", 3)
    salted = agent_sip_password(SECRET, "asha", 0, salt="0123456789abcdef")
    assert salted not in {before_salts("asha", 0), agent_sip_password(SECRET, "asha", 0, salt="fedcba9876543210"),
                          agent_sip_password(SECRET, "ravi", 0, salt="0123456789abcdef")}  # fmt: skip


@pytest.mark.django_db
def test_an_agent_made_again_under_a_deleted_ones_name_gets_a_new_password(secret) -> None:
    first = Agent.objects.create(name="asha")
    old_password, old_digest = sip_password(first), digests()["asha"]
    first.delete()
    again = Agent.objects.create(name="asha")
    assert again.sip_password_salt and again.sip_password_salt != first.sip_password_salt
    assert sip_password(again) != old_password
    # Asterisk gets the new one's hash: the old phone's digest no longer matches.
    assert digests()["asha"] == md5_cred("asha", sip_password(again)) != old_digest


@pytest.mark.django_db
def test_every_agent_gets_its_own_salt_and_password(secret) -> None:
    agents = [Agent.objects.create(name=f"agent{n}") for n in range(5)]
    assert len({a.sip_password_salt for a in agents}) == 5
    assert len({sip_password(a) for a in agents}) == 5


@pytest.mark.django_db
def test_rotating_replaces_the_salt_and_the_password(secret) -> None:
    agent = Agent.objects.create(name="asha", sip_password_salt="")  # even one from before salts
    old_password, old_digest = sip_password(agent), digests()["asha"]
    rotated = services.do_rotate_sip_password(agent)
    stored = Agent.objects.get(name="asha")
    assert stored.sip_password_generation == 1 and len(stored.sip_password_salt) == 16
    assert sip_password(rotated) == sip_password(stored) != old_password
    assert digests()["asha"] != old_digest
    salt, password = stored.sip_password_salt, sip_password(stored)
    again = services.do_rotate_sip_password(stored)
    assert again.sip_password_salt != salt and sip_password(again) != password


@pytest.mark.django_db
def test_an_agent_from_before_salts_keeps_its_phones_password(secret) -> None:
    old = Agent.objects.create(name="asha", sip_password_salt="")
    older = Agent.objects.create(name="ravi", sip_password_salt="", sip_password_generation=2)
    assert sip_password(old) == before_salts("asha", 0)
    assert sip_password(older) == before_salts("ravi", 2)
    assert digests() == {"asha": md5_cred("asha", before_salts("asha", 0)),
                         "ravi": md5_cred("ravi", before_salts("ravi", 2))}  # fmt: skip


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


@pytest.mark.django_db(transaction=True)
def test_migrating_leaves_existing_agents_unsalted(secret) -> None:
    old = _migrate([("people", "0007_prealert_reservations_auto_answer")])
    OldAgent = old.get_model("people", "Agent")
    OldAgent.objects.create(name="asha")
    OldAgent.objects.create(name="ravi", sip_password_generation=1)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert dict(Agent.objects.values_list("name", "sip_password_salt")) == {"asha": "", "ravi": ""}
    assert sip_password(Agent.objects.get(name="asha")) == before_salts("asha", 0)
    assert sip_password(Agent.objects.get(name="ravi")) == before_salts("ravi", 1)
    assert Agent.objects.create(name="meena").sip_password_salt  # made after: salted
