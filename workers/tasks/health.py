"""A round-trip task used by ``stack status`` and the tests to prove a worker consumes the broker."""

from __future__ import annotations

import os
import socket

from workers.app import app


@app.task(name="workers.ping", expires=30)
def ping(token: str) -> dict[str, str | int]:
    return {"token": token, "host": socket.gethostname(), "pid": os.getpid()}
