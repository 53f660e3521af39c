"""Handing a call to humans: into a queue with its reason and summary, and back when nobody answers."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from urllib.parse import quote

from pbx.api import CallEscalated, CallOutcome, new_id
from pbx.ari.client import AriError, AriRest
from pbx.calls.ending import CallEnding
from pbx.calls.live import CallState, LiveCall, Transfer
from pbx.calls.media_leg import close_media_leg
from pbx.calls.protocols import PromptFileMaker, Publish
from pbx.calls.queue_tracking import returned_to_bot_event
from pbx.calls.reservations import ring_reserved_agent_first
from pbx.calls.stasis_args import QueueReturned

log = logging.getLogger(__name__)


# The summary's header (X-CC-Summary) stays this short, to keep the agent's INVITE small.
SUMMARY_HEADER_MAX = 1200
_NOT_A_WORD = re.compile(r"[^A-Za-z0-9_.-]")


def header_text(text: str, max_len: int = SUMMARY_HEADER_MAX) -> str:
    """``text`` URI-encoded (letters, digits, ``%_.-~`` only), cut at a whole character.

    Channel variables that carry a lead's or a user's words hold them encoded: the dialplan
    copies them into the agent's headers, and no `"`, `,`, `)` or `$[` in a name can reach an
    expression or an application's arguments there. The console decodes the header.
    """
    encoded: list[str] = []
    size = 0
    for char in text:
        piece = quote(char, safe="")
        if size + len(piece) > max_len:
            break
        encoded.append(piece)
        size += len(piece)
    return "".join(encoded)


def reason_word(reason: str) -> str:
    """A reason is a word of the contract; anything else in it becomes ``_`` on the channel."""
    return _NOT_A_WORD.sub("_", reason)[:64]


# Past these states the call is already on its way to (or with) a human.
_HANDED_OVER = (CallState.ESCALATING, CallState.QUEUED, CallState.WITH_AGENT, CallState.ENDED)


class Escalation:
    def __init__(self, rest: AriRest, publish: Publish, ending: CallEnding, failsafe_queue: str,
                 prompt_files: PromptFileMaker | None) -> None:  # fmt: skip
        self._rest = rest
        self._publish = publish
        self._ending = ending
        self._failsafe_queue = failsafe_queue
        self._prompt_files = prompt_files

    async def escalate(self, call: LiveCall, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None) -> None:  # fmt: skip
        """Move the caller into a human queue; the agent first hears ``summary``.

        The conversation plays its bridging phrase before calling this; from here the caller
        hears the queue's music until an agent answers, so there is no dead air.
        """
        if call.state in _HANDED_OVER:
            return
        call.state = CallState.ESCALATING
        now = time.time()
        call.transfer = Transfer(new_id(), queue, reason, score, decided_at or now, now)
        variables = {
            "CC_FALLBACK_QUEUE": call.escalation_queue or self._failsafe_queue,
            "CC_ESCALATION_REASON": reason_word(reason),
            "CC_ESCALATION_SCORE": f"{score:.2f}",
            "CC_WHISPER_FILE": await self._whisper_file(call, summary) or "",
            # Inherited by the agent's channel: the console's screen-pop (X-CC-Summary header).
            "CC_ESCALATION_SUMMARY": header_text(summary),
            # Pre-alert: the agent held for this call is rung first (cc-reserved-agent).
            **ring_reserved_agent_first(call, queue),
        }
        try:
            for name, value in variables.items():
                await self._rest.post(f"channels/{call.channel_id}/variable", variable=name, value=value)
            if call.media is not None:
                leg, call.media = call.media, None
                await close_media_leg(self._rest, leg)
            await self._rest.post(f"channels/{call.channel_id}/continue", context="cc-queue", extension=queue,
                                  priority=1)  # fmt: skip
        except AriError as exc:
            log.error("call %s: escalation to %s failed: %s", call.call_id, queue, exc)
            if exc.status == 404:
                await self._ending.end(call, CallOutcome.ABANDONED, detail="caller hung up during escalation")
                return
            raise
        await self._publish(CallEscalated(call_id=call.call_id, transfer_id=call.transfer.transfer_id, queue=queue,
                                          reason=reason, score=score, summary=summary,
                                          decided_at=call.transfer.decided_at))  # fmt: skip

    async def _whisper_file(self, call: LiveCall, summary: str) -> str | None:
        """The summary as a prompt the agent hears before the caller, if it is ready in time."""
        if self._prompt_files is None:
            return None
        task = call.spawn(self._prompt_files(f"whisper-{call.call_id}", summary))
        try:
            return await asyncio.wait_for(task, 3.0)
        except Exception:  # no summary is better than a caller left waiting
            log.warning("call %s: no whisper summary", call.call_id)
            return None

    async def returned_from_queue(self, call: LiveCall, returned: QueueReturned) -> None:
        """The dialplan sent the caller back: the call is the bot's again (``BotLink.resume_after_queue`` resumes it)."""
        call.state = CallState.WITH_BOT
        transfer, call.transfer = call.transfer, None
        await self._publish(returned_to_bot_event(call, transfer, returned.queue, returned.status))
