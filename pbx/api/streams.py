"""Where the planes meet in Redis: the stream and key names, and the schema version on them."""

from __future__ import annotations

import uuid

API_VERSION = 1
# Commands to pbx; a consumer group, so none is lost while pbx restarts.
COMMANDS_STREAM = "cc:pbx:commands"
COMMANDS_REJECTED_STREAM = "cc:pbx:commands:rejected"
COMMAND_GROUP = "pbx"
# Everything pbx reports (pbx.api.events), in order; also written to the call ledger.
EVENTS_STREAM = "cc:pbx:events"
# pbx's calls by state, refreshed every second (a hash: pbx.api.live_counts.LiveCounts).
LIVE_COUNTS_KEY = "cc:pbx:live"
# Inbound callers waiting for a human, per queue, refreshed with the live counts (a hash:
# pbx.api.live_counts.InboundWaiting). Campaign calls waiting are the dialer's own attempts.
INBOUND_WAITING_KEY = "cc:pbx:inbound_waiting"
# pbx's calls by direction and state and Asterisk's callers per queue, refreshed with the live
# counts (a hash: pbx.api.live_counts.PbxGauges), for the state metrics of ``GET /metrics``.
PBX_GAUGES_KEY = "cc:pbx:gauges"
# The configuration pbx needs without a command (inbound routing), published by Django as JSON.
CONFIG_KEY = "cc:pbx:config"
# Django publishes the new version number here after writing CONFIG_KEY: pbx applies it at once.
CONFIG_CHANGED_CHANNEL = "cc:pbx:config:changed"
# The version counter of CONFIG_KEY (INCR): two writers never publish the same version.
CONFIG_VERSION_KEY = "cc:pbx:config:version"


def new_id() -> str:
    # ARI refuses a channel id that is a prefix of a live one: UUIDs never are.
    return str(uuid.uuid4())
