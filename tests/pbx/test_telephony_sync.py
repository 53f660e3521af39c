"""pbx applying Django's configuration to Asterisk: which files it writes and what it reloads."""

from __future__ import annotations

from pathlib import Path

from asterisk_config.telephony import EXTENSIONS_FILE, PJSIP_FILE, QUEUES_FILE
from pbx.api import CONFIG_KEY, AgentPhone, PbxConfig, QueueMember, QueueSpec, Telephony, md5_cred
from pbx.telephony_sync import TelephonySync


class FakeRedis:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    async def get(self, key: str) -> str | None:
        return self.values.get(key)


class Ami:
    """AmiLink.action's stand-in: records what each reload asked for (module, or the queues)."""

    def __init__(self) -> None:
        self.commands: list[str] = []
        self.failing = False

    async def __call__(self, fields: dict[str, str]) -> list[dict[str, str]]:
        if self.failing:
            raise ConnectionError("AMI is down")
        self.commands.append(fields.get("Module") or fields["Action"])
        return [{"Response": "Success"}]


def telephony(strategy: str = "rrmemory", penalty: int = 0, agents: tuple[str, ...] = ("agent1",)) -> Telephony:
    return Telephony(
        agents=tuple(AgentPhone(name=a, md5_cred=md5_cred(a, "pw")) for a in agents),
        queues=(QueueSpec(name="support", strategy=strategy,
                          members=tuple(QueueMember(agent=a, penalty=penalty) for a in agents)),),  # fmt: skip
    )


def setup(tmp_path: Path) -> tuple[FakeRedis, Ami, TelephonySync]:
    redis, cli = FakeRedis(), Ami()
    return redis, cli, TelephonySync(redis, cli, tmp_path)  # type: ignore[arg-type]


def publish(redis: FakeRedis, version: int, pbx: Telephony | None) -> None:
    redis.values[CONFIG_KEY] = PbxConfig(version=version, pbx=pbx).model_dump_json()


async def test_a_new_version_writes_the_files_and_reloads_their_modules_in_order(tmp_path: Path) -> None:
    redis, cli, sync = setup(tmp_path)
    publish(redis, 1, telephony())
    assert await sync.sync()
    assert cli.commands == ["res_pjsip.so", "pbx_config.so", "QueueReload"]
    assert "member => PJSIP/agent1,0," in (tmp_path / QUEUES_FILE).read_text()
    assert sync.applied_version == 1


async def test_only_what_changed_is_reloaded(tmp_path: Path) -> None:
    redis, cli, sync = setup(tmp_path)
    publish(redis, 1, telephony())
    await sync.sync()
    cli.commands.clear()
    publish(redis, 2, telephony(strategy="leastrecent", penalty=4))  # queues only
    await sync.sync()
    assert cli.commands == ["QueueReload"]
    assert "member => PJSIP/agent1,4," in (tmp_path / QUEUES_FILE).read_text()
    cli.commands.clear()
    publish(redis, 3, telephony(strategy="leastrecent", penalty=4))  # same text: nothing to do
    await sync.sync()
    assert cli.commands == []


async def test_a_removed_agent_leaves_the_files(tmp_path: Path) -> None:
    redis, cli, sync = setup(tmp_path)
    publish(redis, 1, telephony(agents=("agent1", "agent2")))
    await sync.sync()
    publish(redis, 2, telephony(agents=("agent1",)))
    await sync.sync()
    assert "[agent2]" not in (tmp_path / PJSIP_FILE).read_text()
    assert "agent2" not in (tmp_path / QUEUES_FILE).read_text()


async def test_old_versions_invalid_snapshots_and_snapshots_without_a_pbx_change_nothing(tmp_path: Path) -> None:
    redis, cli, sync = setup(tmp_path)
    publish(redis, 5, telephony())
    await sync.sync()
    cli.commands.clear()
    publish(redis, 4, telephony(strategy="random"))
    await sync.sync()
    redis.values[CONFIG_KEY] = '{"version": 9, "pbx": {"queues": [{"name": "bad name"}]}}'
    assert not await sync.sync() and "invalid snapshot" in (sync.last_error or "")
    publish(redis, 10, None)
    await sync.sync()
    assert cli.commands == [] and "strategy = rrmemory" in (tmp_path / QUEUES_FILE).read_text()
    assert sync.applied_version == 5


async def test_a_reload_that_fails_is_retried_on_the_next_sync(tmp_path: Path) -> None:
    redis, cli, sync = setup(tmp_path)
    cli.failing = True
    publish(redis, 1, telephony())
    assert not await sync.sync()
    assert sync.report()["pending_reloads"] == sorted([PJSIP_FILE, EXTENSIONS_FILE, QUEUES_FILE])
    cli.failing = False
    assert await sync.sync()  # same version: the files are written, the reloads still owed
    assert cli.commands == ["res_pjsip.so", "pbx_config.so", "QueueReload"]
    assert sync.report() == {"applied_version": 1, "pending_reloads": [], "last_error": None}
