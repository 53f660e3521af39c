"""``python -m pbx.simulator.demo``: an order-confirmation run against the live stack.

Simulated customers (ARI app ``ccsim``) answer calls that pbx places from commands sent on the
Redis stream, exactly as the dialer sends them; two simulated agent softphones (sipp) answer
the human queue. Every call goes through the real path: Asterisk → ExternalMedia → VAD → ASR
→ bot + VoiceWatch → TTS → escalation → agent. Prints and writes a summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import redis.asyncio as aioredis

from pbx.api import (
    COMMANDS_STREAM,
    EVENTS_STREAM,
    CallEnded,
    CallEscalated,
    OriginateCall,
    QueueEvent,
    UtteranceHeard,
    parse_event,
    to_fields,
)
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff
from pbx.settings import PbxSettings
from pbx.simulator.customer import SimulatedCustomers, flite_voice
from pbx.simulator.scripts import DEMO_LEADS, DemoLead
from pbx.simulator.sip_agent import SippAgent

log = logging.getLogger("pbx.demo")

BOT_OUTCOMES = {"confirmed", "rejected", "changed", "callback", "wrong_number", "opt_out", "promise_to_pay",
                "already_paid", "verified"}  # fmt: skip


@dataclass
class CallRecord:
    lead: DemoLead
    call_id: str
    outcome: str | None = None
    escalation_reason: str | None = None
    decision_at: float | None = None
    queue_joined_s: float | None = None
    transfer_s: float | None = None
    agent: str | None = None
    heard: list[str] = field(default_factory=list)


async def run_demo(settings: PbxSettings, sim_dir: Path, sim_dir_asterisk: str, agent_ports: tuple[int, ...],
                   work_dir: Path, calls: int, concurrency: int, timeout_s: float) -> dict:  # fmt: skip
    leads = [DEMO_LEADS[i % len(DEMO_LEADS)] for i in range(calls)]
    agents = [SippAgent(f"agent{i + 1}", port, work_dir / "agents") for i, port in enumerate(agent_ports)]
    for agent in agents:
        agent.start()
    redis = aioredis.from_url(settings.redis_url)
    records: dict[str, CallRecord] = {}
    started = time.time()
    try:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, settings.ari_url, settings.ari_user, settings.ari_password)
            customers = SimulatedCustomers(rest, "ccsim", flite_voice(), sim_dir, sim_dir_asterisk)
            stream = AriEventStream(session, settings.ari_url, settings.ari_user, settings.ari_password, "ccsim",
                                    Backoff(0.2, 2))  # fmt: skip
            connected = asyncio.Event()

            async def on_connect() -> None:
                connected.set()

            ari_task = asyncio.create_task(stream.run(customers.on_event, on_connect))
            await asyncio.wait_for(connected.wait(), 10)
            last_id = (await redis.xrevrange(EVENTS_STREAM, count=1) or [(b"0-0", {})])[0][0]
            events_task = asyncio.create_task(_follow_events(redis, last_id, records))
            try:
                pending = list(leads)
                async with asyncio.timeout(timeout_s):
                    while pending or any(r.outcome is None for r in records.values()):
                        live = sum(1 for r in records.values() if r.outcome is None)
                        if pending and live < concurrency:
                            lead = pending.pop(0)
                            endpoint, _ = customers.endpoint(lead.script)
                            command = OriginateCall(endpoint=endpoint, flow="order_confirmation", lead=lead.fields(),
                                                    lead_id=lead.lead_id, escalation_queue="support",
                                                    caller_id="Demo Shop <1800100100>")  # fmt: skip
                            records[command.call_id] = CallRecord(lead, command.call_id)
                            await redis.xadd(COMMANDS_STREAM, to_fields(command))
                            print(f"[demo] calling {lead.first_name} ({lead.script.name})", flush=True)
                        await asyncio.sleep(0.5)
            except TimeoutError:
                print(f"[demo] stopped waiting after {timeout_s:.0f} s", flush=True)
            finally:
                events_task.cancel()
                ari_task.cancel()
    finally:
        await redis.aclose()
        for agent in agents:
            agent.stop()
    return summarise(records, time.time() - started, agents)


async def _follow_events(redis: aioredis.Redis, last_id, records: dict[str, CallRecord]) -> None:
    while True:
        reply = await redis.xread({EVENTS_STREAM: last_id}, block=1000, count=100)
        for _, entries in reply or []:
            for entry_id, fields in entries:
                last_id = entry_id
                try:
                    event = parse_event(fields)
                except ValueError:
                    continue
                record = records.get(event.call_id or "")
                if record is None:
                    continue
                if isinstance(event, CallEscalated):
                    record.escalation_reason = event.reason
                    print(f"[demo] {record.lead.first_name}: VoiceWatch escalated ({event.reason})", flush=True)
                elif isinstance(event, QueueEvent) and event.name == "QueueCallerJoin" and event.wait_s:
                    record.queue_joined_s = round(event.wait_s, 2)
                    record.transfer_s = round(event.transfer_s, 2) if event.transfer_s else None
                elif isinstance(event, QueueEvent) and event.name == "AgentConnect":
                    record.agent = event.member
                    print(f"[demo] {record.lead.first_name}: answered by {event.member}", flush=True)
                elif isinstance(event, UtteranceHeard) and event.speaker == "customer" and event.text:
                    record.heard.append(event.text)
                elif isinstance(event, CallEnded):
                    record.outcome = event.outcome
                    print(f"[demo] {record.lead.first_name}: call ended, {event.outcome}", flush=True)


def summarise(records: dict[str, CallRecord], elapsed_s: float, agents: list[SippAgent]) -> dict:
    values = list(records.values())
    escalated = [r for r in values if r.escalation_reason]
    return {
        "calls": len(values),
        "completed_by_bot": sum(1 for r in values if r.outcome in BOT_OUTCOMES and not r.escalation_reason),
        "escalated": len(escalated),
        "answered_by_agent": sum(1 for r in escalated if r.agent),
        "escalations": [
            {"lead": r.lead.lead_id, "name": r.lead.first_name, "script": r.lead.script.name,
             "reason": r.escalation_reason, "decision_to_queue_s": r.queue_joined_s,
             "transfer_to_queue_s": r.transfer_s, "agent": r.agent}
            for r in escalated
        ],  # fmt: skip
        "outcomes": {r.lead.first_name: r.outcome for r in values},
        "expected_escalations_missed": [r.lead.first_name for r in values
                                        if r.lead.expect_escalation and not r.escalation_reason],  # fmt: skip
        "routine_escalated": [r.lead.first_name for r in values if not r.lead.expect_escalation and r.escalation_reason],
        "lost": sum(1 for r in values if r.outcome is None),
        "agent_headers_seen": sum(len(a.answered()) for a in agents),
        "elapsed_s": round(elapsed_s, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=len(DEMO_LEADS))
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--summary", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    settings = PbxSettings.from_env()
    sim_dir = Path(os.environ["CC_SIM_DIR"])
    ports = tuple(int(p) for p in os.environ.get("CC_SIM_AGENT_PORTS", "").split(",") if p)
    summary = asyncio.run(run_demo(settings, sim_dir, os.environ["CC_SIM_DIR_ASTERISK"], ports,
                                   args.summary.parent, args.calls, args.concurrency, args.timeout))  # fmt: skip
    args.summary.parent.mkdir(parents=True, exist_ok=True)
    args.summary.write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 0 if summary["lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
