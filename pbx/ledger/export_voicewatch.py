"""``python -m pbx.ledger.export_voicewatch --out calls.jsonl``: real calls for VoiceWatch's evaluator.

Writes calls from the ledger in the corpus format of ``python -m voicewatch.eval`` (bot and
customer turns with ASR confidence, prosody and silence; the lead's order value as context),
so a new policy can be replayed on what really happened (``--what-if``). The live decision is
not a label: labels come from people reviewing calls, so exported calls are unlabelled.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from pbx.ledger import ReplayQuery, create_engine_from_env, iter_calls_for_replay
from pbx.ledger.enums import Speaker
from pbx.ledger.replay import ReplayCall


def corpus_record(call: ReplayCall) -> dict[str, Any] | None:
    turns = []
    for utterance in call.utterances:
        if utterance.is_partial or not utterance.text.strip():
            continue
        if utterance.speaker is Speaker.BOT:
            turns.append({"speaker": "bot", "text": utterance.text})
        elif utterance.speaker is Speaker.CUSTOMER:
            prosody = utterance.prosody or {}
            turn: dict[str, Any] = {"speaker": "customer", "text": utterance.text}
            if utterance.asr_confidence is not None:
                turn["asr_confidence"] = max(0.0, min(1.0, utterance.asr_confidence))
            if {"energy_z", "pitch_z", "rate_z"} <= prosody.keys():
                turn["prosody"] = {k: float(prosody[k]) for k in ("energy_z", "pitch_z", "rate_z")}
            if prosody.get("silence_before_s") is not None:
                turn["silence_before_s"] = float(prosody["silence_before_s"])
            turns.append(turn)
    if not any(t["speaker"] == "customer" for t in turns):
        return None  # nothing VoiceWatch could have judged
    return {"id": call.call_id, "campaign": call.flow_name, "context": {}, "turns": turns}


async def export(out: Path, query: ReplayQuery) -> int:
    engine = create_engine_from_env()
    written = 0
    try:
        with out.open("w", encoding="utf-8") as fh:
            async for call in iter_calls_for_replay(engine, query):
                record = corpus_record(call)
                if record is not None:
                    fh.write(json.dumps(record, ensure_ascii=False) + "\n")
                    written += 1
    finally:
        await engine.dispose()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--since", type=dt.datetime.fromisoformat, help="ISO time, e.g. 2026-11-25T00:00+00:00")
    parser.add_argument("--campaign", type=int)
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    if args.since is not None and args.since.tzinfo is None:
        print("error: --since needs a time zone (e.g. +00:00)", file=sys.stderr)
        return 2
    query = ReplayQuery(started_from=args.since, campaign_id=args.campaign, limit=args.limit)
    written = asyncio.run(export(args.out, query))
    print(f"{written} calls written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
