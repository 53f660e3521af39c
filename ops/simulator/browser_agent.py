"""``python -m ops.simulator.browser_agent``: a person at the agent console, in a real browser.

Debian's chromium, driven by Playwright, logs in to ``/console/`` as a web agent, goes
available (its JsSIP phone registers over Asterisk's WebSocket and the queue member is
unpaused), and then, call after call: reads the screen-pop, answers, talks for a while (the
browser's fake microphone), hangs up unless the customer did, and saves a disposition, which
makes it available again. It stops on SIGTERM (going offline first) and writes what it did
as JSON. The demo runs it beside the sipp agents, so one agent in the queue is the console.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# No --autoplay-policy: the console's ringtone is unlocked by the log-in click, as for a person.
CHROMIUM_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--no-sandbox"]


@dataclass
class ConsoleCallSeen:
    call_id: str
    reason: str
    reason_label: str
    queue: str
    summary: str
    offered_at: float
    answered_at: float | None = None
    ended_at: float | None = None
    hung_up_by: str = ""
    disposition: str = ""
    error: str = ""


@dataclass
class BrowserAgentReport:
    user: str
    logged_in: bool = False
    registered: bool = False
    calls: list[ConsoleCallSeen] = field(default_factory=list)
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def available() -> str:
    """Why the browser agent cannot run here, or "" if it can."""
    if chromium_path() is None:
        return "no chromium on this machine"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return ""


# Set by SIGTERM/SIGINT: the shift ends after the call in hand.
_stop_requested = threading.Event()


def _log_has(page, text: str, count: int = 1, timeout_ms: int = 15_000) -> None:
    page.wait_for_function("([t, n]) => window.ccConsole.log.filter(l => l === t).length >= n", arg=[text, count],
                           timeout=timeout_ms)  # fmt: skip


def _take_call(page, talk_s: float, disposition: str, note: str) -> ConsoleCallSeen:
    seen = ConsoleCallSeen(
        call_id=page.inner_text("#pop-call-id"), reason=page.inner_text("#pop-reason"),
        reason_label=page.inner_text("#pop-reason-label"), queue=page.inner_text("#pop-queue"),
        summary=page.inner_text("#pop-summary"), offered_at=time.time(),
    )  # fmt: skip
    print(f"[browser agent] screen-pop: {seen.reason_label or seen.reason} ({seen.call_id})", flush=True)
    confirmed = page.evaluate("window.ccConsole.log.filter(l => l === 'confirmed').length")
    page.click("#answer")
    _log_has(page, "confirmed", confirmed + 1)
    seen.answered_at = time.time()
    ended_before = page.evaluate("window.ccConsole.log.filter(l => l.startsWith('ended')).length")
    ended_now = f"window.ccConsole.log.filter(l => l.startsWith('ended')).length > {ended_before}"
    try:
        page.wait_for_function(ended_now, timeout=int(talk_s * 1000))
        seen.hung_up_by = "customer"
    except Exception:  # still talking: the agent ends the call
        page.click("#hangup")
        page.wait_for_function(ended_now, timeout=10_000)
        seen.hung_up_by = "agent"
    seen.ended_at = time.time()
    page.wait_for_selector("#wrapup:not([hidden])", timeout=10_000)
    codes = page.eval_on_selector_all("#disposition-code option", "els => els.map(e => e.value).filter(Boolean)")
    seen.disposition = disposition if disposition in codes else (codes[0] if codes else "")
    if seen.disposition:
        disposed = page.evaluate("window.ccConsole.log.filter(l => l.startsWith('disposed')).length")
        page.select_option("#disposition-code", seen.disposition)
        page.fill("#disposition-note", note)
        page.click("#save-disposition")
        page.wait_for_function(f"window.ccConsole.log.filter(l => l.startsWith('disposed')).length > {disposed}",
                               timeout=10_000)  # fmt: skip
    print(f"[browser agent] {seen.call_id}: answered, ended by the {seen.hung_up_by}, disposed "
          f"{seen.disposition or '-'}", flush=True)  # fmt: skip
    return seen


def run(url: str, user: str, password: str, report: BrowserAgentReport, ready_file: Path | None, talk_s: float,
        disposition: str, max_s: float, screenshot: Path | None = None) -> None:  # fmt: skip
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no chromium on this machine")
    deadline = time.monotonic() + max_s
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(f"{url}/console/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", password)
            page.click("#login")
            page.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=15_000)
            report.logged_in = True
            page.click("#state-available")
            page.wait_for_function("window.ccConsole.registered", timeout=15_000)
            report.registered = True
            _log_has(page, "unpause -> 603")
            print(f"[browser agent] {user} logged in at {url}/console/, phone registered, available", flush=True)
            if ready_file is not None:
                ready_file.write_text("ready\n")
            while not _stop_requested.is_set() and time.monotonic() < deadline:
                try:
                    page.wait_for_selector("#call[data-phase=ringing]", timeout=500)
                    page.wait_for_function("document.getElementById('pop-call-id').textContent.trim() !== ''",
                                           timeout=5_000)  # fmt: skip
                except Exception:
                    continue  # no call offered yet
                if screenshot is not None and not report.calls:
                    page.screenshot(path=str(screenshot))
                try:
                    report.calls.append(_take_call(page, talk_s, disposition, "handled in the demo's browser agent"))
                except Exception as exc:  # one call going wrong must not end the shift
                    print(f"[browser agent] call failed: {exc}", flush=True)
                    report.calls.append(ConsoleCallSeen(call_id="", reason="", reason_label="", queue="",
                                                        summary="", offered_at=time.time(), error=str(exc)))  # fmt: skip
                    page.reload()
                    page.wait_for_function("window.ccConsole && window.ccConsole.ready", timeout=15_000)
                    page.click("#state-available")
            # Off shift: paused in the queue and unregistered, so no call rings an absent browser.
            page.click("#state-offline")
            page.wait_for_function("window.ccConsole.log.includes('unregistered')", timeout=10_000)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ops.simulator.browser_agent", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="the web process, e.g. http://127.0.0.1:8000")
    parser.add_argument("--user", default="agent")
    parser.add_argument("--password-file", type=Path, required=True)
    parser.add_argument("--report", type=Path, required=True, help="where to write what it did (JSON)")
    parser.add_argument("--ready-file", type=Path)
    parser.add_argument("--screenshot", type=Path, help="a picture of the first screen-pop")
    parser.add_argument("--talk-s", type=float, default=8.0, help="how long a call lasts unless the customer hangs up")
    parser.add_argument("--disposition", default="resolved")
    parser.add_argument("--max-s", type=float, default=900.0)
    args = parser.parse_args(argv)

    def stop(*_: Any) -> None:
        _stop_requested.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    report = BrowserAgentReport(user=args.user)
    code = 0
    try:
        run(args.url, args.user, args.password_file.read_text().strip(), report, args.ready_file, args.talk_s,
            args.disposition, args.max_s, args.screenshot)  # fmt: skip
    except Exception as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        print(f"[browser agent] stopped: {report.error}", file=sys.stderr, flush=True)
        code = 1
    args.report.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
