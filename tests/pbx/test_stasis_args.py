"""The Stasis() arguments pbx reads are the ones the rendered dialplan writes."""

from __future__ import annotations

import re

import pytest

from asterisk_config.render import render
from asterisk_config.telephony import QUEUES_FILE
from pbx.calls.stasis_args import (
    KINDS,
    AmdVerdict,
    Inbound,
    Outbound,
    QueueReturned,
    Unrecognised,
    parse_stasis_args,
    stasis_args,
)
from tests.unit.test_asterisk_render import settings

OUR_APP = "${CC_ARI_APP}"
# The reactive simulated customers' own ARI app (tests and the demo): not pbx's.
SIMULATOR_APP = '${IF($["${CC_SIM_APP}" = ""]?ccsim:${CC_SIM_APP})}'


def split_arguments(text: str) -> list[str]:
    """Dialplan application arguments: commas inside ${...}, $[...] or (...) do not split."""
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        if char in "({[":
            depth += 1
        elif char in ")}]":
            depth -= 1
        current += char
    return [*parts, current]


def stasis_calls(dialplan: str) -> list[list[str]]:
    """The arguments of every Stasis() application call, app first."""
    calls = []
    for match in re.finditer(r"\bStasis\(", dialplan):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(dialplan[end], 0)
            end += 1
        calls.append(split_arguments(dialplan[match.end() : end - 1]))
    return calls


def dialplan(files: dict[str, str]) -> str:
    """extensions.conf and every file it includes."""
    return "\n".join(text for name, text in sorted(files.items()) if name.startswith("extensions"))


def test_every_stasis_call_of_the_rendered_dialplan_parses_to_its_kind() -> None:
    calls = stasis_calls(dialplan(render(settings())))
    ours = [args[1:] for args in calls if args[0] == OUR_APP]
    assert [args[0] for args in calls if args[0] != OUR_APP] == [SIMULATOR_APP]
    seen = set()
    for args in ours:
        parsed = parse_stasis_args(args)
        assert not isinstance(parsed, Unrecognised), f"Stasis({OUR_APP},{','.join(args)}): a kind pbx does not know"
        assert stasis_args(parsed) == tuple(args), \
            f"Stasis({OUR_APP},{','.join(args)}): {args[0]} takes {len(stasis_args(parsed)) - 1} argument(s)"
        seen.add(type(parsed))
    # Outbound calls enter through the originate (and cc-ai,start); the rest only through the dialplan.
    assert seen == {Outbound, Inbound, AmdVerdict, QueueReturned}
    assert {cls.kind for cls in seen} == set(KINDS)


def test_one_queue_returned_call_per_rendered_queue() -> None:
    files = render(settings())
    returned = [parse_stasis_args(args[1:]) for args in stasis_calls(dialplan(files))
                if args[0] == OUR_APP and args[1] == QueueReturned.kind]  # fmt: skip
    queues = re.findall(r"^\[([^\]]+)\]", files[QUEUES_FILE], re.M)
    assert sorted(r.queue for r in returned) == sorted(q for q in queues if q != "general")
    assert {r.status for r in returned} == {"${QUEUESTATUS}"}


def test_the_splitter_keeps_commas_inside_expressions() -> None:
    assert split_arguments("a,${IF($[1 = 1]?x,y)},b") == ["a", "${IF($[1 = 1]?x,y)}", "b"]


@pytest.mark.parametrize(("args", "parsed"), [
    (["outbound"], Outbound()),
    (["inbound", "5551234"], Inbound("5551234")),
    (["inbound"], Inbound("")),  # an empty ${EXTEN} arrives as nothing: never an error for a caller
    (["amd", "MACHINE", "LONGGREETING-2000-1500"], AmdVerdict("MACHINE", "LONGGREETING-2000-1500")),
    (["queue-returned", "sales", "TIMEOUT"], QueueReturned("sales", "TIMEOUT")),
    (["queue-returned", "sales", "TIMEOUT", "extra"], QueueReturned("sales", "TIMEOUT")),
    ([], Unrecognised(())),
    (["c123"], Unrecognised(("c123",))),
])  # fmt: skip
def test_stasis_arguments_parse(args, parsed) -> None:
    assert parse_stasis_args(args) == parsed


@pytest.mark.parametrize(("status", "verdict"), [("MACHINE", "MACHINE"), ("human", "HUMAN"), ("", "NOTSURE")])
def test_an_amd_verdict_is_upper_case_and_never_empty(status, verdict) -> None:
    assert AmdVerdict(status, "").verdict == verdict
