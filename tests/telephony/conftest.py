"""The PBX's configuration tests: the rows migrations make (a transactional test's flush empties
them), and a stand-in for Redis that records what the publisher writes."""

from __future__ import annotations

import pytest

from contactcenter.people.models import HumanQueue
from contactcenter.telephony.models import Trunk


@pytest.fixture
def baseline(db) -> HumanQueue:
    Trunk.objects.get_or_create(name="trunk", defaults={"host": "127.0.0.1", "port": 5070})
    return HumanQueue.objects.get_or_create(name="support")[0]


class RecordingRedis:
    """What the publisher calls on Redis (incr, a set and a publish in one pipeline), recorded."""

    def __init__(self, down: bool = False) -> None:
        self.values: dict[str, str] = {}
        self.published: list[tuple[str, str]] = []
        self.down = down

    def incr(self, key: str) -> int:
        import redis

        if self.down:
            raise redis.ConnectionError("Connection refused")
        self.values[key] = str(int(self.values.get(key, "0")) + 1)
        return int(self.values[key])

    def pipeline(self, transaction: bool = True) -> RecordingRedis:
        return self

    def set(self, key: str, value: str) -> None:
        self.values[key] = value

    def publish(self, channel: str, message: str) -> None:
        self.published.append((channel, message))

    def execute(self) -> None:
        pass


@pytest.fixture
def recording_redis(monkeypatch, settings) -> RecordingRedis:
    from contactcenter.telephony import publisher

    fake = RecordingRedis()
    settings.PBX_CONFIG_PUBLISH = True
    monkeypatch.setattr(publisher, "redis_client", lambda: fake)
    return fake


# make_campaign and its queue (tests/campaigns/conftest.py).
from tests.campaigns.conftest import make_campaign, queue  # noqa: E402,F401
