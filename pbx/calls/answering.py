"""Answering machines: the dialplan's AMD() screens the answer; a machine gets a message or a retry."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from pbx.api import CallOutcome
from pbx.ari.client import AriError, AriRest
from pbx.calls.channels import hang_up
from pbx.calls.ending import CallEnding
from pbx.calls.live import CallState, LiveCall
from pbx.calls.protocols import PromptFileMaker
from pbx.calls.stasis_args import AmdVerdict

log = logging.getLogger(__name__)


class AnsweringMachines:
    def __init__(self, rest: AriRest, ending: CallEnding, answer: Callable[[LiveCall], Awaitable[None]],
                 prompt_files: PromptFileMaker | None) -> None:  # fmt: skip
        """``answer``: hands a call that a person answered to the bot."""
        self._rest = rest
        self._ending = ending
        self._answer = answer
        self._prompt_files = prompt_files

    async def screen(self, call: LiveCall) -> None:
        """Let the dialplan's AMD() listen to the first seconds; the call comes back with its verdict."""
        call.state = CallState.SCREENING
        try:
            await self._rest.post(f"channels/{call.channel_id}/continue", context="cc-ai", extension="amd", priority=1)
        except AriError as exc:
            if exc.status == 404:
                await self._ending.end(call, CallOutcome.HUNG_UP, detail="hung up on answering")
                return
            # Talking to a machine for a while beats hanging up on a person.
            log.warning("call %s: cannot screen for a machine (%s); the bot answers", call.call_id, exc)
            await self._answer(call)

    async def screened(self, call: LiveCall, amd: AmdVerdict) -> None:
        call.amd_verdict = amd.verdict
        log.info("call %s: AMD says %s (%s)", call.call_id, amd.verdict, amd.cause)
        if amd.verdict == "MACHINE":
            await self._machine(call, amd.cause)
        else:  # HUMAN, and NOTSURE too: a person wrongly treated as a machine is a lost customer
            await self._answer(call)

    async def _machine(self, call: LiveCall, cause: str) -> None:
        if await self._leave_message(call):
            return  # ends when the machine's line goes down (ChannelDestroyed / AMI Hangup)
        # Settled before the hang-up, whose events would otherwise race in as a caller hang-up.
        await self._ending.end(call, CallOutcome.VOICEMAIL, detail=f"answering machine ({cause}); no message left")
        await hang_up(self._rest, call.channel_id)

    async def _leave_message(self, call: LiveCall) -> bool:
        """The campaign's voicemail message, synthesised and played by the dialplan after the beep."""
        variables = call.command.variables if call.command is not None else {}
        message = variables.get("CC_VOICEMAIL_MESSAGE", "").strip()
        if variables.get("CC_AMD_ACTION") != "voicemail" or not message or self._prompt_files is None:
            return False
        try:
            path = await asyncio.wait_for(self._prompt_files(f"voicemail-{call.call_id}", message), 15.0)
        except Exception:
            log.exception("call %s: voicemail message could not be synthesised", call.call_id)
            return False
        if not path:
            return False
        call.state = CallState.LEAVING_MESSAGE
        try:
            await self._rest.post(f"channels/{call.channel_id}/variable", variable="CC_VOICEMAIL_FILE", value=path)
            await self._rest.post(f"channels/{call.channel_id}/continue", context="cc-ai", extension="voicemail",
                                  priority=1)  # fmt: skip
        except AriError as exc:
            log.warning("call %s: voicemail message not left: %s", call.call_id, exc)
            return False
        return True
