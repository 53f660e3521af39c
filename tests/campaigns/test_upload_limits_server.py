"""Hostile uploads against the real web process (uvicorn on the ASGI app, as ``stack up`` runs
it, on a throwaway SQLite database): a 1 MB cell and a 100 MB body get a 4xx naming the limit,
the 100 MB body is refused before it is sent, and the server answers normally afterwards."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from contactcenter.site.config import REPO_DIR
from ops.stack.processes import free_port, wait_for

pytestmark = pytest.mark.realstack

MB = 1024 * 1024
SETUP = """
from django.core.management import call_command
from contactcenter.campaigns.models import Campaign
from contactcenter.people.models import HumanQueue
call_command("create_user", "up", "--role", "admin", "--password-file", {password!r})
call_command("api_token", "up")
campaign = Campaign(name="uploads", type="order_confirmation", escalation_queue=HumanQueue.objects.get(name="support"))
campaign.full_clean()
campaign.save()
print("campaign", campaign.pk)
"""


@dataclass(frozen=True)
class Web:
    port: int
    token: str
    campaign: int
    process: subprocess.Popen

    def connection(self, timeout: float = 30) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}", **extra}

    def answers(self) -> bool:
        """The API answers a normal request (a page of the campaigns)."""
        connection = self.connection(timeout=5)
        try:
            connection.request("GET", "/api/campaigns/", headers=self.headers())
            response = connection.getresponse()
            return response.status == 200 and json.loads(response.read())["count"] == 1
        except OSError:
            return False
        finally:
            connection.close()


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO_DIR, env=env, capture_output=True,
                            text=True, timeout=180)  # fmt: skip
    assert result.returncode == 0, f"manage.py {' '.join(args)}: {result.stderr[-2000:]}"
    return result.stdout


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Web]:
    var = tmp_path_factory.mktemp("uploads") / "var"
    # Nothing listens on the Redis port: configuration publishes log and carry on.
    env = {**os.environ, "CC_VAR_DIR": str(var), "CC_REDIS_PORT": str(free_port())}
    manage(env, "migrate", "--noinput", "-v", "0")
    password = var / "password"
    password.write_text("a long enough password 1\n")
    out = manage(env, "shell", "-c", SETUP.format(password=str(password))).split()
    token, campaign = out[-3], int(out[-1])
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "contactcenter.asgi:application", "--host",
                                "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                               cwd=REPO_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    server = Web(port, token, campaign, process)
    try:
        wait_for(server.answers, 30, "uvicorn", alive=lambda: process.poll() is None)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a connection it still waits on
            process.kill()
            process.wait(timeout=10)


def multipart(filename: str, content: bytes, boundary: str = "cc-boundary") -> tuple[bytes, str]:
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
            "Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_1_mb_cell_gets_400_naming_the_cell_limit(web: Web) -> None:
    csv = b"phone,first_name,order_id,item,amount\n+919800000001,Asha,A1," + b"x" * MB + b",499\n"
    body, content_type = multipart("big-cell.csv", csv)
    connection = web.connection()
    connection.request("POST", f"/api/campaigns/{web.campaign}/imports/", body=body,
                       headers=web.headers(**{"Content-Type": content_type}))  # fmt: skip
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 400, answer
    assert "row 2: a cell over the limit; at most 10000 characters per cell" in answer["file"][0]
    assert web.answers()


def test_a_100_mb_body_gets_413_naming_the_limit_before_it_is_sent(web: Web) -> None:
    """As curl sends a large upload: headers with ``Expect: 100-continue``, then the body only if
    the server asks for it. The server answers 413 at once: not one byte of the body is sent."""
    connection = web.connection()
    connection.putrequest("POST", f"/api/campaigns/{web.campaign}/imports/")
    for name, value in web.headers(**{"Content-Type": "multipart/form-data; boundary=x",
                                      "Content-Length": str(100 * MB), "Expect": "100-continue"}).items():  # fmt: skip
        connection.putheader(name, value)
    began = time.monotonic()
    connection.endheaders()
    response = connection.getresponse()
    answer = json.loads(response.read())
    assert response.status == 413, answer
    assert answer["detail"] == ("the request body is 104857600 bytes; at most 52428800 bytes (50 MB) per lead "
                                "import file (LEAD_IMPORT_MAX_BYTES)")  # fmt: skip
    assert time.monotonic() - began < 5
    connection.close()
    assert web.answers()


def test_a_100_mb_body_streamed_without_a_length_is_cut_off_at_the_limit(web: Web) -> None:
    """A chunked body (no Content-Length to judge) is counted as it arrives: 413 past the limit,
    and the connection closes rather than reading the rest."""
    sock = socket.create_connection(("127.0.0.1", web.port), timeout=30)
    head = (f"POST /api/campaigns/{web.campaign}/imports/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Token {web.token}\r\nContent-Type: multipart/form-data; boundary=x\r\n"
            "Transfer-Encoding: chunked\r\n\r\n").encode()  # fmt: skip
    chunk = b"%x\r\n" % MB + b"y" * MB + b"\r\n"
    sent = [0]

    def send() -> None:
        try:
            sock.sendall(head)
            for _ in range(100):
                sock.sendall(chunk)
                sent[0] += MB
            sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server closed the connection: what we expect

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    reply = b""
    try:
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            data = sock.recv(65536)
            if not data:
                break
            reply += data
    except ConnectionResetError:
        pass
    sender.join(timeout=30)
    sock.close()
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"at most 52428800 bytes (50 MB) per lead import file (LEAD_IMPORT_MAX_BYTES)" in reply
    assert sent[0] < 100 * MB  # cut off, not read to the end
    assert web.answers()


def test_the_server_survived_and_wrote_nothing(web: Web) -> None:
    assert web.process.poll() is None and web.answers()
    connection = web.connection()
    connection.request("GET", "/api/imports/", headers=web.headers())
    assert json.loads(connection.getresponse().read())["count"] == 0  # no batch from the refused uploads
