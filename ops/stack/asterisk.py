"""One Asterisk instance running from the shared chroot, with its own config, ports and dirs.

Several instances (the stack, each test session, other clones) can share one chroot: each
gets ``/srv/contactcenter/<instance>`` inside it for config, sockets, logs and spool.
"""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from asterisk_config.render import AsteriskSettings, write_instance
from contactcenter.site.config import ConfigError
from ops.stack.processes import ManagedProcess, ProcessSpec, wait_for


def ensure_proc_mounted(root: Path) -> None:
    """Asterisk reads /proc (CPU count, its own limits); mount it once and leave it for other instances."""
    proc = root / "proc"
    if (proc / "self").exists():
        return
    proc.mkdir(exist_ok=True)
    result = subprocess.run(["mount", "-t", "proc", "proc", str(proc)], capture_output=True, text=True)
    if result.returncode != 0:
        raise ConfigError(f"cannot mount /proc in {root}: {result.stderr.strip()} (the stack must run as root)")


class AsteriskInstance:
    def __init__(self, root: Path, settings: AsteriskSettings, log_file: Path, pid_file: Path) -> None:
        self.root = root
        self.settings = settings
        argv = (
            "chroot", str(root), "/usr/sbin/asterisk",
            "-C", f"{settings.instance_dir}/etc/asterisk.conf",
            "-f", "-n", "-U", "asterisk", "-G", "asterisk",
        )  # fmt: skip
        self.process = ManagedProcess(
            ProcessSpec(name="asterisk", argv=argv, log_file=log_file, pid_file=pid_file, cwd=Path("/"))
        )

    @property
    def ari_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}/ari"

    def write_config(self) -> Path:
        if not (self.root / "usr" / "sbin" / "asterisk").exists():
            raise ConfigError(f"Asterisk is not installed in {self.root}; run `make setup`")
        return write_instance(self.root, self.settings)

    def start(self, timeout: float = 30.0) -> None:
        self.write_config()
        ensure_proc_mounted(self.root)
        self.process.start()
        try:
            wait_for(self.ari_ready, timeout, "Asterisk ARI", alive=self.process.running)
        except ConfigError as exc:
            raise ConfigError(f"{exc}; last lines of {self.process.spec.log_file}:\n{self.log_tail()}") from None

    def stop(self) -> bool:
        return self.process.stop()

    def log_tail(self, lines: int = 15) -> str:
        messages = self.root / self.settings.instance_dir.lstrip("/") / "log" / "messages.log"
        try:
            text = "\n".join(messages.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            text = ""
        return self.process.log_tail(lines) + ("\n" + text if text else "")

    def ari_request(self, method: str, path: str, body: dict | None = None, http_timeout_s: float = 5.0,
                    **params: str) -> Any:  # fmt: skip
        """One blocking ARI request (set-up, health checks, tests; pbx has its own async client):
        the decoded JSON answer, or None for an empty one. Raises ``urllib.error.HTTPError``."""
        query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
        request = urllib.request.Request(
            f"{self.ari_url}/{path}{'?' + query if query else ''}", method=method,
            data=json.dumps(body).encode() if body is not None else None,
        )  # fmt: skip
        token = base64.b64encode(f"{self.settings.ari_user}:{self.settings.ari_password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=http_timeout_s) as response:
            raw = response.read()
        return json.loads(raw) if raw else None

    def ari_info(self, timeout: float = 2.0) -> dict:
        """``GET /ari/asterisk/info``: a real round trip through Asterisk's HTTP server and ARI."""
        return self.ari_request("GET", "asterisk/info", http_timeout_s=timeout)

    def ari_ready(self) -> bool:
        try:
            self.ari_info(timeout=1.0)
        except (OSError, urllib.error.URLError, ValueError):
            return False
        return True

    def cli(self, command: str, timeout: float = 10.0) -> str:
        """Run an Asterisk CLI command through the instance's control socket."""
        result = subprocess.run(
            ["chroot", str(self.root), "/usr/sbin/asterisk", "-C",
             f"{self.settings.instance_dir}/etc/asterisk.conf", "-rx", command],
            capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
        if result.returncode != 0:
            raise ConfigError(f"asterisk -rx {command!r} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result.stdout
