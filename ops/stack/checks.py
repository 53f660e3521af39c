"""Round-trip health checks, one per component, for ``stack status``.

Each check talks to the real thing (no "is the pid alive" shortcuts except for Asterisk's
own process entry) and returns a small dict with ``ok`` and what it saw.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any

import redis

from contactcenter.core.log_masking import mask_url_password
from contactcenter.site.config import DIALER_LOCK_KEY, StackConfig
from contactcenter.site.secrets import Secrets
from ops.stack.components import StackProcesses

Check = dict[str, Any]


def _timed(fn: Callable[[], Check]) -> Check:
    t0 = time.perf_counter()
    try:
        result = fn()
    except Exception as exc:  # a failed check is a report, not a crash of `stack status`
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    result["ms"] = round((time.perf_counter() - t0) * 1000, 1)
    return result


def check_asterisk(procs: StackProcesses) -> Check:
    pid = procs.asterisk.process.pid()
    return {"ok": pid is not None, "pid": pid, "instance": procs.asterisk.settings.instance}


def check_ari(procs: StackProcesses) -> Check:
    info = procs.asterisk.ari_info(timeout=3)
    return {"ok": True, "version": info["system"]["version"], "url": procs.asterisk.ari_url}


def check_ami(config: StackConfig, secrets: Secrets) -> Check:
    return asyncio.run(ami_round_trip("127.0.0.1", config.ports.ami, config.ami_user, secrets.ami_secret))


async def ami_round_trip(host: str, port: int, user: str, secret: str, timeout: float = 5.0) -> Check:
    """Log in with panoramisk and send a Ping: proves AMI is up and our credentials work."""
    import logging

    from panoramisk import Manager

    # panoramisk logs every login at INFO; a status check should print only its result.
    logging.getLogger("panoramisk").setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    logged_in: asyncio.Future[bool] = loop.create_future()
    manager = Manager(
        loop=loop, host=host, port=port, username=user, secret=secret, reconnect_timeout=3600,
        on_login=lambda m: logged_in.done() or logged_in.set_result(True),
    )  # fmt: skip
    try:
        await asyncio.wait_for(manager.connect(), timeout)
        await asyncio.wait_for(logged_in, timeout)
        pong = await asyncio.wait_for(manager.send_action({"Action": "Ping"}), timeout)
        return {"ok": bool(pong.success), "ping": pong.get("Ping") or pong.get("Response")}
    except asyncio.TimeoutError:
        return {"ok": False, "error": "no AMI login within the timeout (wrong secret or AMI down)"}
    finally:
        manager.close()


def check_redis(procs: StackProcesses) -> Check:
    return {"ok": procs.redis.ping(), "url": mask_url_password(procs.redis.url)}  # printed by `stack status`


def check_celery(config: StackConfig, timeout: float = 10.0) -> Check:
    from ops.stack.components import speech_worker
    from workers.app import app

    app.conf.broker_url = app.conf.result_backend = config.redis_url
    token = uuid.uuid4().hex
    worker = speech_worker()
    result = app.send_task("workers.ping", args=[token], queue=worker.ping_queue, retry=False)
    try:
        reply = result.get(timeout=timeout)
    finally:
        result.forget()
    return {"ok": reply.get("token") == token, "worker_pid": reply.get("pid"), "queues": worker.queues}


def check_database() -> Check:
    import django
    from django.conf import settings
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    if not settings.configured:  # pragma: no cover - manage.py configures it
        django.setup()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    result: Check = {"ok": one == 1 and not pending, "vendor": connection.vendor}
    if pending:
        result["error"] = f"{len(pending)} migrations not applied; run `python manage.py migrate`"
    return result


def _get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except ValueError:
            return exc.code, {}


def check_pbx(config: StackConfig) -> Check:
    status, body = _get_json(config.pbx_health_url)
    return {"ok": status == 200 and bool(body.get("ok")), "ari": body.get("ari"), "ami": body.get("ami"),
            "bot": body.get("bot"), "calls": body.get("calls")}  # fmt: skip


def check_web(config: StackConfig) -> Check:
    status, body = _get_json(f"{config.web_url}/healthz")
    return {"ok": status == 200 and bool(body.get("ok")), "url": config.web_url}


def check_dialer(config: StackConfig, procs: StackProcesses) -> Check:
    """Running, and holding the site's dialer lock (taken on its first tick): it is the one dialling."""
    holder = redis.Redis.from_url(config.redis_url, socket_timeout=2).get(DIALER_LOCK_KEY)
    return {"ok": procs.dialer.running() and holder is not None, "pid": procs.dialer.pid(),
            "lock_holder": holder.decode() if holder else None}  # fmt: skip


def run_checks(config: StackConfig, secrets: Secrets, procs: StackProcesses) -> dict[str, Check]:
    return {
        "asterisk": _timed(lambda: check_asterisk(procs)),
        "ari": _timed(lambda: check_ari(procs)),
        "ami": _timed(lambda: check_ami(config, secrets)),
        "redis": _timed(lambda: check_redis(procs)),
        "celery": _timed(lambda: check_celery(config)),
        "database": _timed(check_database),
        "pbx": _timed(lambda: check_pbx(config)),
        "web": _timed(lambda: check_web(config)),
        "guard": _timed(lambda: {"ok": procs.guard.running(), "pid": procs.guard.pid()}),
        "dialer": _timed(lambda: check_dialer(config, procs)),
    }
