"""The call ledger: what happened on every call, written by pbx only.

SQLAlchemy 2 (async) tables migrated by Alembic (``pbx/ledger/migrations``); Django reads
them through unmanaged models in ``contactcenter.ledger``. Import what you need from here.
"""

from pbx.ledger.db import create_engine_from_env, make_engine, make_session_factory
from pbx.ledger.enums import (
    CallOutcome,
    Direction,
    LegKind,
    Speaker,
    TransferResult,
    TransferStage,
    WriteStatus,
)
from pbx.ledger.records import (
    CallStart,
    DecisionRecord,
    LegStart,
    RecordingStart,
    TransferRequest,
    UtteranceRecord,
    Word,
    WriteResult,
)
from pbx.ledger.replay import ReplayCall, ReplayQuery, iter_calls_for_replay
from pbx.ledger.urls import ledger_url_from_env
from pbx.ledger.writer import LedgerWriter

__all__ = [
    "CallStart",
    "DecisionRecord",
    "Direction",
    "LedgerWriter",
    "LegKind",
    "LegStart",
    "CallOutcome",
    "RecordingStart",
    "ReplayCall",
    "ReplayQuery",
    "Speaker",
    "TransferRequest",
    "TransferResult",
    "TransferStage",
    "UtteranceRecord",
    "Word",
    "WriteResult",
    "WriteStatus",
    "create_engine_from_env",
    "iter_calls_for_replay",
    "ledger_url_from_env",
    "make_engine",
    "make_session_factory",
]
