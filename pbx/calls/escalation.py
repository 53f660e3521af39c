"""Handing a call to humans: into a queue with its reason and summary, and back when nobody answers."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from urllib.parse import quote

from asterisk_config.music import WHISPER_PROMPT_PREFIX, Opening
from pbx.api import CallEscalated, CallOutcome, HandoverReason, new_id
from pbx.ari.client import AriError, AriRest
from pbx.calls.ending import CallEnding
from pbx.calls.live import CallState, LiveCall, MediaLeg, Transfer
from pbx.calls.media_leg import close_media_leg
from pbx.calls.protocols import PromptFileMaker, Publish
from pbx.calls.queue_tracking import returned_to_bot_event
from pbx.calls.reservations import ring_reserved_agent_first
from pbx.calls.stasis_args import QueueReturned

log = logging.getLogger(__name__)


# The summary's header (X-CC-Summary) stays this short, to keep the agent's INVITE small.
SUMMARY_HEADER_MAX = 1200
_NOT_A_WORD = re.compile(r"[^A-Za-z0-9_.-]")
# What ARRAY() splits on or parses (commas, quotes, backslashes, brackets) is none of these:
# values made only of them go on the channel in one request.
_ARRAY_SAFE = re.compile(r"[A-Za-z0-9%_.~/-]*")


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


async def set_channel_variables(rest: AriRest, channel_id: str, variables: dict[str, str]) -> None:
    """Set ``variables`` on a channel in one ARI round trip where they allow it.

    ARI sets one variable a request; ``ARRAY(A,B,...)`` sets several from one comma-separated
    value. A value ARRAY would split or parse (a comma, a quote) goes in a request of its own,
    sent at the same time.
    """
    safe = {name: value for name, value in variables.items() if _ARRAY_SAFE.fullmatch(value)}
    requests = [rest.post(f"channels/{channel_id}/variable", variable=name, value=value)
                for name, value in variables.items() if name not in safe]  # fmt: skip
    if len(safe) == 1:
        [(name, value)] = safe.items()
        requests.append(rest.post(f"channels/{channel_id}/variable", variable=name, value=value))
    elif safe:
        requests.append(rest.post(f"channels/{channel_id}/variable", variable=f"ARRAY({','.join(safe)})",
                                  value=",".join(safe.values())))  # fmt: skip
    await asyncio.gather(*requests)


# Past these states the call is already on its way to (or with) a human.
_HANDED_OVER = (CallState.ESCALATING, CallState.QUEUED, CallState.WITH_AGENT, CallState.ENDED)
# Where a supervisor's takeover to their phone goes: it Dials CC_SUPERVISOR_PHONE, then falls
# back to the call's queue (asterisk_config/templates/extensions.conf).
SUPERVISOR_PHONE_CONTEXT = "cc-supervisor-phone"


_NOBODY_RESERVED = {"CC_RESERVED_AGENT": "", "CC_AUTO_ANSWER": ""}


class TakeoverRefused(Exception):
    """The call can no longer be taken over (already on its way to a human, or gone)."""


class Escalation:
    def __init__(self, rest: AriRest, publish: Publish, ending: CallEnding, failsafe_queue: str,
                 prompt_files: PromptFileMaker | None) -> None:  # fmt: skip
        self._rest = rest
        self._publish = publish
        self._ending = ending
        self._failsafe_queue = failsafe_queue
        self._prompt_files = prompt_files

    async def escalate(self, call: LiveCall, queue: str, reason: str, score: float, summary: str,
                       decided_at: float | None = None, opening: Opening = Opening.BRIDGE) -> None:  # fmt: skip
        """Move the caller into a human queue at once; the agent hears ``summary`` on answering.

        Nothing said waits for the join: the queue's music class opens with the bridging phrase
        (or ``opening``'s line) while agents already ring ([cc-queue], asterisk_config.music), and the summary is
        synthesised meanwhile (``_whisper``). Two ARI round trips: the variables, then continue.
        A call a supervisor has taken over is not moved again; a takeover arriving while this
        one is under way wins, if the caller has not left Stasis yet (``take_over``).
        """
        if call.state in _HANDED_OVER or call.taken_over_by:
            return
        call.state = CallState.ESCALATING  # at once: a second decision racing this one returns above
        async with call.moving:
            await self._hand_over(call, "cc-queue", queue, queue, reason, score, summary, decided_at, opening)

    async def take_over(self, call: LiveCall, supervisor: str, queue: str = "", phone: str = "") -> None:
        """A supervisor takes the call from the bot: to ``phone`` (their own, falling back to the
        call's queue) or else to ``queue``. From the moment this is called no other escalation
        moves the call; one already under way steps aside unless the caller has left Stasis, in
        which case this raises ``TakeoverRefused``."""
        call.taken_over_by = supervisor or "supervisor"
        async with call.moving:  # an escalation under way finishes, or steps aside, first
            if call.state is not CallState.WITH_BOT:
                where = f" to {call.transfer.queue}" if call.transfer is not None else ""
                raise TakeoverRefused(f"the call is {call.state.value}{where}, no longer with the bot")
            call.state = CallState.ESCALATING
            summary = f"Taken over by {supervisor}" if supervisor else "Taken over by a supervisor"
            reason = HandoverReason.SUPERVISOR_TAKEOVER
            try:
                if phone:
                    fallback = call.escalation_queue or self._failsafe_queue
                    await self._hand_over(call, SUPERVISOR_PHONE_CONTEXT, "s", fallback, reason, 1.0, summary, None,
                                          Opening.BRIDGE, phone=phone, takeover=True)  # fmt: skip
                else:
                    await self._hand_over(call, "cc-queue", queue, queue, reason, 1.0, summary, None, Opening.BRIDGE,
                                          takeover=True)  # fmt: skip
            except AriError:
                # Still in Stasis (Asterisk refused the move): the bot keeps the call, and may escalate it.
                call.state, call.transfer, call.taken_over_by = CallState.WITH_BOT, None, ""
                raise
            if call.state is CallState.ENDED:
                raise TakeoverRefused("the caller hung up")

    async def _hand_over(self, call: LiveCall, context: str, extension: str, queue: str, reason: str, score: float,
                         summary: str, decided_at: float | None, opening: Opening, phone: str = "",
                         takeover: bool = False) -> None:  # fmt: skip
        """Out of Stasis into ``context``/``extension``, the call's ``state`` already ESCALATING.
        ``phone``: a takeover to that phone (not the queue's reserved agent first); ``takeover``:
        this is the supervisor's move, which nothing steps aside for."""
        now = time.time()
        call.transfer = Transfer(new_id(), queue, reason, score, decided_at or now, now, phone=phone)
        variables = {
            "CC_FALLBACK_QUEUE": call.escalation_queue or self._failsafe_queue,
            "CC_ESCALATION_REASON": reason_word(reason),
            "CC_ESCALATION_SCORE": f"{score:.2f}",
            "CC_OPENING": opening.value,
            # Inherited by the agent's channel: the console's screen-pop (X-CC-Summary header).
            "CC_ESCALATION_SUMMARY": header_text(summary),
            # Pre-alert: the agent held for this call is rung first (cc-reserved-agent).
            **(ring_reserved_agent_first(call, queue) if not phone else _NOBODY_RESERVED),
            # Checked against the contract's name pattern; the dialplan FILTERs it all the same.
            **({"CC_SUPERVISOR_PHONE": phone} if phone else {}),
        }
        escalated = CallEscalated(call_id=call.call_id, transfer_id=call.transfer.transfer_id, queue=queue,
                                  reason=reason, score=score, summary=summary, decided_at=call.transfer.decided_at)  # fmt: skip
        try:
            await set_channel_variables(self._rest, call.channel_id, variables)
            if call.taken_over_by and not takeover:
                # A supervisor took the call over meanwhile: theirs is the move that counts
                # (nothing was published yet; the takeover sets its own variables).
                log.info("call %s: escalation to %s gives way to %s's takeover", call.call_id, queue,
                         call.taken_over_by)  # fmt: skip
                call.state, call.transfer = CallState.WITH_BOT, None
                return
            # Published before the continue, so it precedes the queue's own events (call.queued).
            await self._publish(escalated)
            # Out of the media bridge and into the dialplan in one step (ARI departs the bridge).
            await self._rest.post(f"channels/{call.channel_id}/continue", context=context, extension=extension,
                                  priority=1)  # fmt: skip
        except AriError as exc:
            log.error("call %s: escalation to %s failed: %s", call.call_id, phone or queue, exc)
            if exc.status == 404:
                await self._ending.end(call, CallOutcome.ABANDONED, detail="caller hung up during escalation")
                return
            raise
        if call.media is not None:
            call.spawn(self._release_media(call, call.media))
        if self._prompt_files is not None and not phone:
            call.spawn(self._whisper(call, summary))

    async def _release_media(self, call: LiveCall, leg: MediaLeg) -> None:
        """The media leg the caller has left: after the join, never before it."""
        await close_media_leg(self._rest, leg)
        if call.media is leg:
            call.media = None

    async def _whisper(self, call: LiveCall, summary: str) -> None:
        """The summary as a prompt, synthesised while agents ring, where the agent's hook looks
        for it on answering ([cc-agent-answered]: the call's file in the prompt folder). An
        agent who answers before it is written hears a tone and reads the screen-pop."""
        assert self._prompt_files is not None
        try:
            await self._prompt_files(f"{WHISPER_PROMPT_PREFIX}{call.call_id}", summary)
        except Exception:  # the agent hears a tone instead; the screen-pop has the text
            log.exception("call %s: no whisper summary", call.call_id)

    async def returned_from_queue(self, call: LiveCall, returned: QueueReturned) -> None:
        """The dialplan sent the caller back: the call is the bot's again (``BotLink.resume_after_queue`` resumes it)."""
        call.state = CallState.WITH_BOT
        call.taken_over_by = ""  # the bot's again: its own escalations count once more
        transfer, call.transfer = call.transfer, None
        await self._publish(returned_to_bot_event(call, transfer, returned.queue, returned.status))
