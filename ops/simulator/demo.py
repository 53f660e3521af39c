"""``python -m ops.simulator.demo``: the demo's simulated people, until it is stopped.

Customers (ARI app ``ccsim``) answer the demo leads' phone numbers: the campaign dials them
through ``Local/<number>@cc-sim-reactive`` and each answers the bot from its script with
synthesised speech. Agents ``agent1``/``agent2`` are sipp softphones on the ports their
static contacts name (``manage.py demo_people``); they answer queue calls and keep what the
INVITE told them.

Nothing here places calls: the campaign's dialer does, through pbx, as for real customers.
``manage.py demo`` starts this process, runs the campaign and stops it with SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import sys
from pathlib import Path

import aiohttp

from ops.simulator.customer import SimulatedCustomers, flite_voice
from ops.simulator.scripts import DEMO_LEADS
from ops.simulator.sip_agent import SippAgent
from pbx.ari.client import HttpAriRest
from pbx.ari.connection import AriEventStream
from pbx.backoff import Backoff
from pbx.settings import PbxSettings

log = logging.getLogger("ops.demo")

SIM_APP = "ccsim"


async def run_people(settings: PbxSettings, sim_dir: Path, sim_dir_asterisk: str, agent_ports: tuple[int, ...],
                     work_dir: Path, leads: int, ready_file: Path | None, max_s: float) -> dict:  # fmt: skip
    agents = [SippAgent(f"agent{i + 1}", port, work_dir / "agents") for i, port in enumerate(agent_ports)]
    for agent in agents:
        agent.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        async with aiohttp.ClientSession() as session:
            rest = HttpAriRest(session, settings.ari_url, settings.ari_user, settings.ari_password)
            customers = SimulatedCustomers(rest, SIM_APP, flite_voice(), sim_dir, sim_dir_asterisk)
            for lead in DEMO_LEADS[:leads]:
                customers.answer_number(lead.phone, lead.script)  # synthesises each line once, up front
            stream = AriEventStream(session, settings.ari_url, settings.ari_user, settings.ari_password, SIM_APP,
                                    Backoff(0.2, 2))  # fmt: skip
            connected = asyncio.Event()

            async def on_connect() -> None:
                connected.set()

            ari_task = asyncio.create_task(stream.run(customers.on_event, on_connect))
            try:
                await asyncio.wait_for(connected.wait(), 10)
                if ready_file is not None:
                    ready_file.write_text("ready\n")
                print(f"[people] {leads} customer(s) waiting for calls, {len(agents)} agent softphone(s) up",
                      flush=True)  # fmt: skip
                try:
                    await asyncio.wait_for(stop.wait(), max_s)
                except TimeoutError:
                    pass
            finally:
                ari_task.cancel()
            runs = list(customers.runs.values())
    finally:
        for agent in agents:
            agent.stop()
    return {
        "customers_answered": len(runs),
        "customer_lines_said": sum(r.lines_said for r in runs),
        "agent_calls": [{"agent": a.name, "reason": reason, "call_id": call_id}
                        for a in agents for reason, call_id in a.answered()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=len(DEMO_LEADS))
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--ready-file", type=Path)
    parser.add_argument("--max-seconds", type=float, default=900)
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "WARNING"))
    settings = PbxSettings.from_env()
    ports = tuple(int(p) for p in os.environ.get("CC_SIM_AGENT_PORTS", "").split(",") if p)
    report = asyncio.run(run_people(settings, Path(os.environ["CC_SIM_DIR"]), os.environ["CC_SIM_DIR_ASTERISK"],
                                    ports, args.work_dir, args.leads, args.ready_file, args.max_seconds))  # fmt: skip
    (args.work_dir / "people.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
