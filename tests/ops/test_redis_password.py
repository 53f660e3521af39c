"""The stack's Redis asks for the installation's password, and one started before it had one
is named, not silently left open or restarted under the processes connected to it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import redis

from contactcenter.site.config import ConfigError
from ops.stack.redis_server import RedisServer

pytestmark = pytest.mark.realstack


def _server(base: Path, port: int, password: str = "") -> RedisServer:
    return RedisServer(port, base / "redis", base / "redis.log", base / "redis.pid", password=password)


def test_a_client_without_the_password_is_refused_and_ps_never_shows_it(tmp_path: Path) -> None:
    password = "0123456789abcdef0123456789abcdef"
    with RedisServer.running_throwaway(tmp_path, password=password) as server:
        assert server.ping()
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(server.address).set("k", "v")
        with pytest.raises(redis.AuthenticationError):
            redis.Redis.from_url(server.url.replace(password, "f" * 32)).get("k")
        client = redis.Redis.from_url(server.url)
        client.set("k", "v")
        assert client.get("k") == b"v"
        command_line = subprocess.run(["ps", "-o", "args=", "-p", str(server.process.pid())],
                                      capture_output=True, text=True, check=True).stdout  # fmt: skip
        assert "redis-server" in command_line and password not in command_line
        assert oct(server.auth_file.stat().st_mode & 0o777) == "0o600"
        assert password not in server.process.spec.log_file.read_text()


def test_a_redis_left_running_without_a_password_gets_a_clear_restart_message(tmp_path: Path) -> None:
    from ops.stack.processes import free_port

    port = free_port()
    old = _server(tmp_path, port)  # what an installation before the password runs
    old.start()
    try:
        upgraded = _server(tmp_path, port, password="a" * 32)
        with pytest.raises(ConfigError, match=r"without the password.*stack down.*stack up"):
            upgraded.start()
        assert old.answers_without_password()  # left as it was: its clients keep working
    finally:
        old.stop()
    upgraded.start()  # after `stack down`, `stack up` starts it with the password
    try:
        assert upgraded.ping() and not upgraded.answers_without_password()
    finally:
        upgraded.stop()
