"""A Redis server of our own: its own port and data directory, never the system's instance."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from contactcenter.site.config import ConfigError, redis_url_with_password
from ops.stack.processes import ManagedProcess, ProcessSpec, free_port, wait_for


class RedisServer:
    """``password``: every client must send it (``requirepass``); the stack's Redis has the
    installation's. It reaches redis-server in a 0600 config file, never on the command line
    that ``ps`` shows to every user of the machine."""

    def __init__(self, port: int, data_dir: Path, log_file: Path, pid_file: Path, persistent: bool = True,
                 password: str = "") -> None:  # fmt: skip
        if any(c in password for c in '"\\\n\r'):
            raise ConfigError("the Redis password must not hold quotes, backslashes or line breaks")
        self.port = port
        self.password = password
        self.data_dir = data_dir
        binary = shutil.which("redis-server") or "redis-server"
        # redis-server reads a config file only as its first argument.
        auth = (str(self.auth_file),) if password else ()
        argv = [
            binary, *auth, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
            "--daemonize", "no", "--logfile", "", "--save", "",
            # Commands to pbx wait in a stream: with the append-only file none is lost on a restart.
            "--appendonly", "yes" if persistent else "no",
        ]  # fmt: skip
        self.process = ManagedProcess(
            ProcessSpec(name="redis", argv=tuple(argv), log_file=log_file, pid_file=pid_file, cwd=data_dir)
        )

    @classmethod
    def throwaway(cls, directory: Path, password: str = "") -> RedisServer:
        """For tests and benchmarks: a free port, everything under ``directory``, nothing kept on disk."""
        return cls(free_port(), directory / "data", directory / "redis.log", directory / "redis.pid",
                   persistent=False, password=password)  # fmt: skip

    @classmethod
    @contextmanager
    def running_throwaway(cls, directory: Path, password: str = "") -> Iterator[RedisServer]:
        """A :meth:`throwaway` server, started, and stopped when the block ends."""
        server = cls.throwaway(directory, password)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    @property
    def auth_file(self) -> Path:
        return self.data_dir / "auth.conf"

    @property
    def address(self) -> str:
        """The URL without the password: what may be shown or logged."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def url(self) -> str:
        return redis_url_with_password(self.address, self.password)

    def _answers(self, url: str) -> bool:
        client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def ping(self) -> bool:
        return self._answers(self.url)

    def answers_without_password(self) -> bool:
        """Whether it serves a client that sends no password (a Redis started before it had one)."""
        return self._answers(self.address)

    def _write_auth_file(self) -> None:
        fd = os.open(self.auth_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a file left by an older start keeps its mode through O_CREAT
        with os.fdopen(fd, "w") as f:
            f.write(f'requirepass "{self.password}"\n')

    def start(self, timeout: float = 10.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.password and self.process.running() and self.answers_without_password():
            # Started by a version without the password; the stack's other processes, if up, still
            # connect without one, so Redis alone cannot be restarted under them.
            raise ConfigError(
                f"Redis on port {self.port} (pid {self.process.pid()}) runs without the password this "
                "installation now gives it (var/secrets.json); restart the stack once to apply it: "
                "`python manage.py stack down` then `python manage.py stack up`"
            )
        if self.password:
            self._write_auth_file()
        self.process.start()
        try:
            wait_for(self.ping, timeout, "Redis", alive=self.process.running)
        except ConfigError as exc:
            raise ConfigError(f"{exc}; last lines of {self.process.spec.log_file}:\n{self.process.log_tail()}") from None

    def stop(self) -> bool:
        return self.process.stop()
