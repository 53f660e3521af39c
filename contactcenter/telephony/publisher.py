"""Publishes the PBX's configuration to pbx: a new version at ``CONFIG_KEY``, announced on
``CONFIG_CHANGED_CHANNEL`` (pbx renders it into Asterisk and reloads).

After the transaction that changed a table commits, once per transaction however many rows
changed (:func:`publish_after_commit`). Redis being down does not undo the change: the next
publish (or ``manage.py pbx_config --publish``, or the stack's start) carries it.
"""

from __future__ import annotations

import logging

import redis
from django.conf import settings
from django.db import connection, transaction
from pydantic import ValidationError

from contactcenter.telephony.snapshot import build_pbx_config
from pbx.api import CONFIG_CHANGED_CHANNEL, CONFIG_KEY, CONFIG_VERSION_KEY, PbxConfig

log = logging.getLogger(__name__)


def redis_client() -> redis.Redis:
    # Short timeouts: a save in the admin must not hang on a Redis that is down.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)


def publish_pbx_config(client: redis.Redis | None = None) -> PbxConfig | None:
    """Build and publish the next version; None (and a log line) if it was not published."""
    client = client or redis_client()
    try:
        version = int(client.incr(CONFIG_VERSION_KEY))
    except redis.RedisError as exc:
        log.warning("PBX configuration not published: Redis is unreachable (%s); pbx keeps the last version", exc)
        return None
    try:
        config = build_pbx_config(version)
    except ValidationError as exc:
        # Model validation should make this impossible; a row written past it (a shell, a
        # migration) must not take the PBX down with it, so pbx keeps the last good version.
        log.error("PBX configuration version %s not published: it is inconsistent: %s", version, exc)
        return None
    try:
        pipe = client.pipeline(transaction=True)
        pipe.set(CONFIG_KEY, config.model_dump_json())
        pipe.publish(CONFIG_CHANGED_CHANNEL, str(version))
        pipe.execute()
    except redis.RedisError as exc:
        log.warning("PBX configuration version %s not published: Redis failed (%s)", version, exc)
        return None
    log.info("published PBX configuration version %s", version)
    return config


# Set on the connection while a publish waits for its transaction's commit.
_WAITING = "cc_pbx_config_publish_waiting"


def _publish_committed() -> None:
    setattr(connection, _WAITING, False)
    publish_pbx_config()


def publish_after_commit() -> None:
    """Publish once the current transaction commits (at once outside one); at most once per transaction."""
    if not settings.PBX_CONFIG_PUBLISH:
        return
    # One is waiting already? A rollback drops it from Django's list (and leaves the flag), so both must say so.
    if getattr(connection, _WAITING, False) and any(entry[1] is _publish_committed for entry in connection.run_on_commit):
        return
    setattr(connection, _WAITING, True)
    transaction.on_commit(_publish_committed)
