"""pbx's events → ledger → corpus JSONL → ``python -m voicewatch.eval``: real calls replayed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from contactcenter.site.config import REPO_DIR
from pbx.api import CallAnswered, CallEnded, CallStarted, UtteranceHeard
from pbx.bus.ledger_sink import LedgerSink
from pbx.ledger import LedgerWriter


async def test_calls_written_by_pbx_replay_through_the_voicewatch_evaluator(
    engine: AsyncEngine, ledger_url: str, tmp_path: Path
) -> None:
    sink = LedgerSink(LedgerWriter(engine))
    t = 1_790_000_000.0
    events = [
        CallStarted(call_id="c1", at=t, direction="outbound", endpoint="PJSIP/+91@trunk", flow="order_confirmation"),
        CallAnswered(call_id="c1", at=t + 1),
        UtteranceHeard(call_id="c1", at=t + 2, utterance_id="b1", speaker="bot", text="Shall we deliver it?",
                       start_ms=1000, end_ms=3000),
        UtteranceHeard(call_id="c1", at=t + 5, utterance_id="u1", speaker="customer", start_ms=4000, end_ms=6000,
                       text="I want to talk to a real person right now", confidence=0.91,
                       prosody={"energy_z": 1.2, "pitch_z": 0.8, "rate_z": 0.5}, silence_before_s=0.4),
        CallEnded(call_id="c1", at=t + 9, outcome="escalated"),
        CallStarted(call_id="c2", at=t + 10, direction="outbound", endpoint="PJSIP/+92@trunk", flow="f"),
        CallEnded(call_id="c2", at=t + 40, outcome="no_answer"),
    ]  # fmt: skip
    for event in events:
        await sink(event)
    out = tmp_path / "real.jsonl"
    env = {**os.environ, "LEDGER_DATABASE_URL": ledger_url}
    exported = subprocess.run([sys.executable, "-m", "pbx.ledger.export_voicewatch", "--out", str(out)], cwd=REPO_DIR,
                              env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    [record] = [json.loads(line) for line in out.read_text().splitlines()]  # the unanswered call has no turns
    assert record["id"] == "c1" and record["turns"][1]["prosody"]["energy_z"] == 1.2
    assert record["turns"][1]["silence_before_s"] == 0.4
    evaluated = subprocess.run([sys.executable, "-m", "voicewatch.eval", str(out), "--json"], cwd=REPO_DIR,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
    assert evaluated.returncode == 0, evaluated.stderr
    [decision] = json.loads(evaluated.stdout)["calls"]
    assert decision["id"] == "c1" and decision["escalate"] is True and decision["reason"] == "human_request"
