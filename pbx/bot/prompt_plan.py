"""Every prompt a flow can say to one lead, nearest first: what to synthesise before the call.

The flow is walked from its greeting (breadth first): each step's prompt and reprompts, the
closing words of each ending, and the flow-wide answers (opt-out, wrong number...), which any
turn can reach. Depth 0 is the greeting, depth 1 what the bot may say after the caller's
first answer, and so on. A prompt naming a slot the call captures ("Noted: {callback_time}")
cannot be known before the call and is left out: it is synthesised when said, in pieces.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from pbx.dialog import End, Flow, MissingTemplateField, Step
from pbx.dialog.templates import render, template_fields


@dataclass(frozen=True)
class PlannedPrompt:
    depth: int
    text: str
    per_lead: bool  # names lead fields: said to this lead only (kept in memory, not on disk)


def _targets(step: Step) -> Iterator[str | End]:
    yield from step.expect.values()
    if step.capture is not None:
        yield step.capture.next
    yield step.on_no_input.then
    yield step.on_no_match.then


def flow_prompts(flow: Flow, lead: Mapping[str, str]) -> list[PlannedPrompt]:
    said: dict[str, PlannedPrompt] = {}

    def add(template: str | None, depth: int) -> None:
        if template is None:
            return
        try:
            text = render(template, lead)
        except MissingTemplateField:
            return  # a slot captured during the call
        if text not in said or said[text].depth > depth:
            said[text] = PlannedPrompt(depth, text, bool(template_fields(template)))

    depth_of = {flow.greeting: 0}
    queue = [flow.greeting]
    for step_id in queue:
        step, depth = flow.steps[step_id], depth_of[step_id]
        if step.end is not None:
            add(step.end.say, depth)
            continue
        add(step.say, depth)
        # Reprompts follow an answer (or a silence), as the next steps do.
        add(step.on_no_input.say, depth + 1)
        add(step.on_no_match.say, depth + 1)
        for target in (*_targets(step), *flow.anywhere.values()):
            if isinstance(target, str):
                if target not in depth_of:
                    depth_of[target] = depth + 1
                    queue.append(target)
            else:
                add(target.say, depth + 1)
    return sorted(said.values(), key=lambda p: p.depth)
