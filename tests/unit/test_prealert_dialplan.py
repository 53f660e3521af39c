"""The dialplan of pre-alert: a call whose agent pbx reserved rings that agent before Queue(),
with the screen-pop headers and, when their phone should answer by itself, Call-Info."""

from __future__ import annotations

from asterisk_config.render import render
from asterisk_config.telephony import EXTENSIONS_FILE
from tests.unit.test_asterisk_render import settings


def _context(text: str, name: str) -> list[str]:
    start = text.index(f"[{name}]\n")
    end = text.find("\n[", start + 1)
    lines = text[start:end if end > 0 else None].splitlines()
    return [line for line in lines if line.strip() and not line.startswith(";")]


def test_the_reserved_agent_is_dialled_after_the_screen_pop_variables_and_before_the_queue() -> None:
    files = render(settings())
    queue = files[EXTENSIONS_FILE].split("exten => support,1,")[1].splitlines()
    first = next(i for i, line in enumerate(queue) if "cc-reserved-agent" in line)
    # While it rings the caller hears the opening line (the twin music class just chosen).
    assert "GosubIf($[${LEN(${CC_RESERVED_AGENT})} > 0]?cc-reserved-agent,s,1(${CHANNEL(musicclass)}," in queue[first]
    assert first > max(i for i, line in enumerate(queue) if "Set(__CC_" in line or "Set(CHANNEL(musicclass)" in line)
    assert first < next(i for i, line in enumerate(queue) if ",Queue(support," in line)


def test_the_reserved_agent_is_dialled_by_a_filtered_name_with_the_predial_headers() -> None:
    dialplan = render(settings())["extensions.conf"]
    [dial] = [line for line in _context(dialplan, "cc-reserved-agent") if "Dial(" in line]
    assert "Dial(PJSIP/${FILTER(-._0-9A-Za-z,${CC_RESERVED_AGENT})},${ARG2}," in dial
    assert "b(cc-agent-predial^s^1(${CC_AUTO_ANSWER}))" in dial and "m(${ARG1})" in dial
    # On answer: the caller's plain music class back, and only a tone for the agent (no summary).
    assert "U(cc-agent-answered^followed)" in dial


def test_only_the_reserved_agents_phone_is_told_to_answer_by_itself() -> None:
    predial = _context(render(settings())["extensions.conf"], "cc-agent-predial")
    info = next(i for i, line in enumerate(predial) if "Call-Info" in line)
    assert "answer-after=0" in predial[info]
    assert 'GotoIf($["${ARG1}" != "1"]?end)' in predial[info - 1]  # queue calls (no argument) skip it
    assert predial[-1].endswith("(end),Return()")
