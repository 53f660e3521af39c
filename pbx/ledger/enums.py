"""The ledger's own vocabularies; the words it shares with the management plane come from pbx.api.

They are plain strings in the database (no CHECK constraints, no native enums) so adding a
value never needs a table rebuild on SQLite; the writer validates by accepting only these
types. Django's read-only models build their choices from the same pbx.api enums.
"""

from __future__ import annotations

from enum import StrEnum

from pbx.api.vocabulary import CallOutcome, Direction, LegKind, Speaker, TransferResult

__all__ = ["CallOutcome", "Direction", "LegKind", "Speaker", "TransferResult", "TransferStage", "WriteStatus"]


class TransferStage(StrEnum):
    LEFT_STASIS = "left_stasis"
    QUEUE_JOINED = "queue_joined"
    AGENT_CONNECTED = "agent_connected"


class WriteStatus(StrEnum):
    """What a write did. Every status but CONFLICT/STALE/DUPLICATE stored the new fact."""

    RECORDED = "recorded"
    # The call had not been started in the ledger (events can overtake call_started, or
    # arrive for a call pbx lost track of); a provisional call row now holds the fact and
    # call_started fills it in later.
    UNKNOWN_CALL = "unknown_call"
    # The call was known but the leg/transfer was not (e.g. ChannelDestroyed before our
    # StasisStart write, AMI QueueCallerJoin before transfer_requested); a stand-in row now
    # holds the fact.
    OUT_OF_ORDER = "out_of_order"
    DUPLICATE = "duplicate"  # the same fact was already stored; nothing changed
    # A different value was already stored. The first one is kept (it may already be in
    # reports) and the rejected attempt is appended as a `ledger.conflict` event.
    CONFLICT = "conflict"
    STALE = "stale"  # older than what is stored (a partial transcript after the final); ignored
