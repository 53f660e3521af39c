"""A Redis server of our own: its own port and data directory, never the system's instance."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from contactcenter.site.config import ConfigError
from ops.stack.processes import ManagedProcess, ProcessSpec, free_port, wait_for


class RedisServer:
    def __init__(self, port: int, data_dir: Path, log_file: Path, pid_file: Path, persistent: bool = True) -> None:
        self.port = port
        binary = shutil.which("redis-server") or "redis-server"
        argv = [
            binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(data_dir),
            "--daemonize", "no", "--logfile", "", "--save", "",
            # Commands to pbx wait in a stream: with the append-only file none is lost on a restart.
            "--appendonly", "yes" if persistent else "no",
        ]  # fmt: skip
        self.data_dir = data_dir
        self.process = ManagedProcess(
            ProcessSpec(name="redis", argv=tuple(argv), log_file=log_file, pid_file=pid_file, cwd=data_dir)
        )

    @classmethod
    def throwaway(cls, directory: Path) -> RedisServer:
        """For tests and benchmarks: a free port, everything under ``directory``, nothing kept on disk."""
        return cls(free_port(), directory / "data", directory / "redis.log", directory / "redis.pid", persistent=False)

    @classmethod
    @contextmanager
    def running_throwaway(cls, directory: Path) -> Iterator[RedisServer]:
        """A :meth:`throwaway` server, started, and stopped when the block ends."""
        server = cls.throwaway(directory)
        server.start()
        try:
            yield server
        finally:
            server.stop()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_timeout=1, socket_connect_timeout=1)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def start(self, timeout: float = 10.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process.start()
        try:
            wait_for(self.ping, timeout, "Redis", alive=self.process.running)
        except ConfigError as exc:
            raise ConfigError(f"{exc}; last lines of {self.process.spec.log_file}:\n{self.process.log_tail()}") from None

    def stop(self) -> bool:
        return self.process.stop()
