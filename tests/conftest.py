"""Fixtures that start real servers (Asterisk, Redis, a Celery worker) on free ports.

Each is session-scoped: started once when a test first needs it, stopped at the end of the
session, leaving no process behind. They use the same classes as ``manage.py stack``
(``ops.stack``), which benchmarks use too: one harness for real servers.
"""

from __future__ import annotations

import random
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from asterisk_config.render import AsteriskSettings
from contactcenter.site.config import StackConfig
from ops.stack.asterisk import AsteriskInstance
from ops.stack.celery_worker import CeleryWorker
from ops.stack.processes import free_port
from ops.stack.redis_server import RedisServer
from pbx.api import AgentPhone, QueueMember, QueueSpec, Telephony, TrunkSpec, agent_sip_password, md5_cred

# The test installation's agent secret (Django's ``CONSOLE_SIP_SECRET``): every test agent's
# password is derived from it and the agent's name, so no two agents share one.
AGENT_SECRET = "test-agent-secret"
# The agent console's browser softphone (WebRTC), alone in the "web" queue so it never takes
# calls meant for agent1/agent2. A test's Django row for it gets this salt
# (``Agent.sip_password_salt``), so the console derives the password this Asterisk holds.
WEB_AGENT = "webagent1"
WEB_AGENT_SALT = "5a17ed0f0c0de5a1"
WEB_QUEUE = "web"


def password_of(agent: str, salt: str = "") -> str:
    """A test agent's own SIP password, derived as Django derives it (people.sip_credentials)."""
    return agent_sip_password(AGENT_SECRET, agent, salt=salt)


@pytest.fixture(scope="session")
def asterisk_root() -> Path:
    root = StackConfig.from_env().asterisk_root
    if not (root / "usr" / "sbin" / "asterisk").exists():
        pytest.fail(f"Asterisk is not installed in {root}; run `make setup` (or `bash deploy/local/setup.sh`)")
    return root


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    with RedisServer.running_throwaway(tmp_path_factory.mktemp("redis")) as server:
        yield server


@pytest.fixture(scope="session")
def sim_agent_port() -> int:
    """Where the simulated agent (sipp) answers calls for agent1 (a static contact)."""
    return free_port(udp=True)


def build_test_telephony(sim_agent_port: int, trunk_port: int) -> Telephony:
    def queue(name: str, members: tuple[str, ...], **options: object) -> QueueSpec:
        return QueueSpec(name=name, members=tuple(QueueMember(agent=m) for m in members), **options)

    return Telephony(
        agents=(
            AgentPhone(name="agent1", md5_cred=md5_cred("agent1", password_of("agent1")),
                       static_contact=f"sip:agent1@127.0.0.1:{sim_agent_port}"),
            AgentPhone(name="agent2", md5_cred=md5_cred("agent2", password_of("agent2"))),
            AgentPhone(name=WEB_AGENT, md5_cred=md5_cred(WEB_AGENT, password_of(WEB_AGENT, WEB_AGENT_SALT)),
                       transport="webrtc"),
        ),  # fmt: skip
        queues=(
            queue("support", ("agent1",), max_wait_s=20, strategy="linear"),
            queue("sales", ("agent2",), max_wait_s=5),
            queue(WEB_QUEUE, (WEB_AGENT,), max_wait_s=60, ring_timeout_s=30),
        ),
        # Simulated customers answer on trunk_port (ops.simulator.sip_customers).
        trunks=(TrunkSpec(name="trunk", host="127.0.0.1", port=trunk_port),),
        # agent2 never registers: fail-safe calls wait there without ringing the simulated agent.
        failsafe_queue="sales",
    )


@pytest.fixture(scope="session")
def trunk_port() -> int:
    """Where the trunk's carrier answers (the test's simulated customers or carrier)."""
    return free_port(udp=True)


@contextmanager
def throwaway_asterisk(asterisk_root: Path, base: Path, telephony: Telephony) -> Iterator[AsteriskInstance]:
    """An Asterisk instance of its own on free ports, removed afterwards."""
    name = f"test-{uuid.uuid4().hex[:8]}"
    # A random block of RTP ports, so parallel sessions (or a running stack) do not collide.
    rtp_start = random.randrange(20000, 29000, 200)
    settings = AsteriskSettings(
        instance=name,
        instance_dir=f"/srv/contactcenter/{name}",
        http_port=free_port(),
        ami_port=free_port(),
        sip_port=free_port(udp=True),
        rtp_start=rtp_start,
        rtp_end=rtp_start + 199,
        web_port=free_port(),
        ari_app="cctest",
        ari_user="tester",
        ari_password=uuid.uuid4().hex,
        ami_user="tester",
        ami_secret=uuid.uuid4().hex,
        telephony=telephony,
    )
    instance = AsteriskInstance(asterisk_root, settings, base / "asterisk.log", base / "asterisk.pid")
    instance.start()
    try:
        yield instance
    finally:
        instance.stop()
        shutil.rmtree(asterisk_root / settings.instance_dir.lstrip("/"), ignore_errors=True)


@pytest.fixture(scope="session")
def asterisk_server(asterisk_root: Path, sim_agent_port: int, trunk_port: int,
                    tmp_path_factory: pytest.TempPathFactory) -> Iterator[AsteriskInstance]:  # fmt: skip
    telephony = build_test_telephony(sim_agent_port, trunk_port)
    with throwaway_asterisk(asterisk_root, tmp_path_factory.mktemp("asterisk"), telephony) as instance:
        yield instance


@pytest.fixture(scope="session")
def celery_worker_process(redis_server: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryWorker]:
    """A real ``celery worker`` process consuming our queues from the test Redis."""
    worker = CeleryWorker(redis_server.url, tmp_path_factory.mktemp("celery")).start(timeout=60)
    yield worker
    worker.stop()


@pytest.fixture(scope="session", autouse=True)
def _static_files_indexed_once_per_tree() -> Iterator[None]:
    """Django's test client builds its middleware anew for every ``Client``, and WhiteNoise then
    reads the headers of every file under STATIC_ROOT again (≈30 ms a client; 60 % of
    tests/test_access.py, which makes thousands). A server indexes the tree once per process;
    here it is indexed once per state of the tree (each file's path, size and mtime) and of the
    settings and options WhiteNoise reads, so a test that collects files or changes a setting
    still gets an index of its own, built by WhiteNoise's own code."""
    from django.conf import settings
    from whitenoise.base import WhiteNoise, scantree

    original = WhiteNoise.update_files_dictionary
    indexed: dict[tuple, dict] = {}

    def update_files_dictionary(self: WhiteNoise, root: str, prefix: str) -> None:
        tree = tuple(sorted((path, st.st_size, st.st_mtime_ns) for path, st in scantree(root)))
        options = tuple(sorted((k, repr(v)) for k, v in vars(self).items()
                               if k not in ("files", "directories", "application", "get_response", "media_types")))
        read = tuple(repr(getattr(settings, name, None)) for name in sorted(dir(settings))
                     if name.startswith("WHITENOISE_") or name in ("DEBUG", "STATIC_URL", "STORAGES"))  # fmt: skip
        key = (type(self), root, prefix, tree, options, read, tuple(sorted(self.media_types.types_map.items())))
        if key not in indexed:
            before = dict(self.files)
            original(self, root, prefix)
            indexed[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(indexed[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoise, "update_files_dictionary", update_files_dictionary)
        yield


@pytest.fixture(autouse=True)
def _quick_password_hashes(settings) -> None:
    """Users a test makes (pytest-django's ``admin_user`` too) get a hash that takes microseconds;
    Django's default spends ≈0.3 s a password by design. No test is about the hasher, and
    ``manage.py`` run as a subprocess (the real-stack tests' users) keeps the site's own."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _pbx_config_stays_home(settings) -> None:
    """Saving a queue or an agent publishes the PBX's configuration to Redis: not from a test
    (unless it asks), whose rows would otherwise reach a stack running beside it. Nor does an
    agent's state change nudge a wallboard (``contactcenter.wallboard.nudge``)."""
    settings.PBX_CONFIG_PUBLISH = False
    settings.WALLBOARD_NUDGE = False
