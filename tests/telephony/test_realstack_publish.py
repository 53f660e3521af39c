"""Against a real Redis: a saved queue publishes a version pbx's contract reads, announced on the channel."""

from __future__ import annotations

import time

import pytest
import redis
from django.db import transaction

from contactcenter.people.models import Agent, HumanQueue
from pbx.api import CONFIG_CHANGED_CHANNEL, CONFIG_KEY, CONFIG_VERSION_KEY, PbxConfig

pytestmark = pytest.mark.realstack


@pytest.mark.django_db(transaction=True)
def test_a_save_publishes_a_version_the_contract_reads(redis_server, settings) -> None:
    settings.REDIS_URL = redis_server.url
    settings.CONSOLE_SIP_SECRET = "the-installation-secret"
    HumanQueue.objects.get_or_create(name="support")  # the fail-safe queue (a flush removed the migration's)
    settings.PBX_CONFIG_PUBLISH = True
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    listener = client.pubsub(ignore_subscribe_messages=True)
    listener.subscribe(CONFIG_CHANGED_CHANNEL)
    before = int(client.get(CONFIG_VERSION_KEY) or 0)
    try:
        _save_and_read(client, listener, before)
    finally:
        # The session's Redis is shared: later tests expect no snapshot there.
        client.delete(CONFIG_KEY, CONFIG_VERSION_KEY)


def _save_and_read(client: redis.Redis, listener, before: int) -> None:
    queue = HumanQueue.objects.create(name="claims", strategy="ringall", wrap_up_s=15)
    with transaction.atomic():
        Agent.objects.create(name="agent9").queues.add(queue)

    announced = []
    deadline = time.monotonic() + 5
    while len(announced) < 2 and time.monotonic() < deadline:
        if (message := listener.get_message(timeout=0.5)) is not None:
            announced.append(int(message["data"]))
    listener.close()
    assert announced == [before + 1, before + 2]  # one per transaction: the queue, then the agent with its queue
    config = PbxConfig.model_validate_json(client.get(CONFIG_KEY))
    assert config.version == before + 2
    claims = next(q for q in config.pbx.queues if q.name == "claims")
    assert (claims.strategy, claims.wrap_up_s, [m.agent for m in claims.members]) == ("ringall", 15, ["agent9"])
