"""Inbound callers the bot does not answer: a route straight to a queue, and a closed business.

The DID's route (``pbx.api.InboundRoute``) decides when the caller arrives: while its hours
are open, a ``queue`` route escalates the caller into its queue at once, as the bot would
(the same ledger and queue events, reason ``inbound_queue``); a ``flow`` route is the bot's.
While closed, the route's after-hours action runs in the dialplan (``[cc-inbound]`` in
``asterisk_config/templates/extensions_inbound.conf``): a message, a voicemail, or a callback
promise with a ``call.callback_requested`` event for the management plane to act on. A DID
with no route at all is left to the bot, whose set-up refuses it and hands the caller to the
fail-safe queue: a person, never silence.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from pbx.api import CallAnswered, CallbackRequested, CallOutcome, HandoverReason, InboundRoute, OpeningHours
from pbx.ari.client import AriError, AriRest
from pbx.calls.channels import hang_up
from pbx.calls.ending import CallEnding
from pbx.calls.engine_io import Escalate
from pbx.calls.live import CallState, LiveCall
from pbx.calls.protocols import PromptFileMaker, Publish

log = logging.getLogger(__name__)

# The dialplan context of the after-hours actions; its extensions are the actions' names.
AFTER_HOURS_CONTEXT = "cc-inbound"
# Asterisk's global (extensions.conf) naming the folder voicemail is recorded in.
VOICEMAIL_DIR_VARIABLE = "CC_VOICEMAIL_DIR"
# Stock sounds of the packaged English prompts, when the route names none of its own:
# "I'm sorry. Please try your call again later. Goodbye." / "Please leave your message after
# the tone..." / "Thank you. Goodbye." (after the spoken callback promise when TTS is there).
STOCK_SOUNDS = {
    "message": "im-sorry&please-try-call-later&vm-goodbye",
    "voicemail": "vm-intro",
    "callback": "auth-thankyou&vm-goodbye",
}
CALLBACK_PHRASE = "Thank you for calling. We are closed now. We will call you back as soon as we open. Goodbye."

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def next_opening(hours: OpeningHours | None, after: dt.datetime, days: int = 31) -> dt.datetime | None:
    """The first moment from ``after`` on that ``hours`` are open (None: not within ``days``)."""
    if hours is None or hours.open_at(after):
        return after
    zone = ZoneInfo(hours.timezone)
    local = after.astimezone(zone)
    for offset in range(days + 1):
        day = local.date() + dt.timedelta(days=offset)
        if day in hours.holidays:
            continue
        for opens in sorted(w.opens for w in hours.windows if w.weekday == day.weekday()):
            moment = dt.datetime.combine(day, opens, tzinfo=zone)
            if moment > local:
                return moment
    return None


class InboundCalls:
    def __init__(self, rest: AriRest, publish: Publish, escalate: Escalate, ending: CallEnding,
                 prompt_files: PromptFileMaker | None, clock: Clock = utc_now) -> None:  # fmt: skip
        self._rest = rest
        self._publish = publish
        self._escalate = escalate
        self._ending = ending
        self._prompt_files = prompt_files
        self._clock = clock
        self._voicemail_dir: str | None = None

    async def arrived(self, call: LiveCall) -> bool:
        """Route a caller from the trunk: True when done here, False when the bot answers."""
        route = call.route
        is_open = route is not None and route.open_at(self._clock())
        if route is None or (route.target == "flow" and is_open):
            return False
        call.answered_at = call.answered_at or time.time()
        await self._publish(CallAnswered(call_id=call.call_id, at=call.answered_at))
        if not is_open:
            await self.after_hours(call, route, "closed")
            return True
        await self._escalate(call, route.escalation_queue, HandoverReason.INBOUND_QUEUE, 1.0,
                             f"Inbound call from {call.caller or 'an unknown number'} to {call.did}", None)  # fmt: skip
        return True

    async def unanswered(self, call: LiveCall) -> None:
        """A queue route's caller nobody answered within the queue's maximum wait: nobody can
        take the call now, so the caller gets what the route gives when the business is closed."""
        if call.route is not None:
            await self.after_hours(call, call.route, "no agent answered")

    async def after_hours(self, call: LiveCall, route: InboundRoute, why: str) -> None:
        call.state = CallState.AFTER_HOURS
        action = route.after_hours
        folder = await self._voicemail_folder() if action == "voicemail" else None
        if action == "voicemail" and not folder:
            action = "message"  # no folder to record in: the caller at least hears that we are closed
        call.after_hours = f"{action} ({why})"
        sound = route.after_hours_sound if route.after_hours == action else ""
        variables = {"CC_AFTER_HOURS_SOUND": sound or await self._spoken(call, action) or STOCK_SOUNDS[action]}
        if folder:
            variables["CC_VOICEMAIL_FILE"] = f"{folder}/{call.call_id}"
        try:
            for name, value in variables.items():
                await self._rest.post(f"channels/{call.channel_id}/variable", variable=name, value=value)
            await self._rest.post(f"channels/{call.channel_id}/continue", context=AFTER_HOURS_CONTEXT,
                                  extension=action, priority=1)  # fmt: skip
        except AriError as exc:
            log.warning("call %s: after-hours %s not given: %s", call.call_id, action, exc)
            detail = "hung up before" if exc.status == 404 else "could not be given"
            await self._ending.end(call, CallOutcome.AFTER_HOURS, detail=f"{action}: {detail}")
            await hang_up(self._rest, call.channel_id)  # still in our app, silent: closed is closed
            return
        # Said once the line goes down (CallEnding), when the message has been left.
        call.voicemail_file = variables.get("CC_VOICEMAIL_FILE", "")
        if action == "callback":
            opens = next_opening(route.hours, self._clock())
            await self._publish(CallbackRequested(
                call_id=call.call_id, caller=call.caller, did=call.did, queue=route.escalation_queue,
                campaign_id=route.campaign_id, opens_at=opens.timestamp() if opens is not None else None,
            ))  # fmt: skip

    async def _spoken(self, call: LiveCall, action: str) -> str | None:
        """The callback promise in the bot's voice, when TTS is there and quick; else a stock sound."""
        if action != "callback" or self._prompt_files is None:
            return None
        try:
            path = await asyncio.wait_for(self._prompt_files(f"callback-{call.call_id}", CALLBACK_PHRASE), 3.0)
        except Exception:  # the stock "thank you, goodbye" beats a caller left waiting
            log.warning("call %s: callback promise not synthesised", call.call_id)
            return None
        return f"{path}&vm-goodbye" if path else None

    async def _voicemail_folder(self) -> str:
        """Asterisk's own answer (its global CC_VOICEMAIL_DIR): the one place the instance's
        folders are known is its rendered configuration. Empty: unknown."""
        if not self._voicemail_dir:
            try:
                reply = await self._rest.get("asterisk/variable", variable=VOICEMAIL_DIR_VARIABLE)
            except AriError as exc:
                log.error("no voicemail folder: Asterisk's %s is not readable (%s)", VOICEMAIL_DIR_VARIABLE, exc)
                return ""
            self._voicemail_dir = str((reply or {}).get("value", "")).rstrip("/")
        return self._voicemail_dir
