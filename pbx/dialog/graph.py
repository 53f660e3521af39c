"""Whole-flow checks pydantic's per-field validation cannot express.

Each check returns :class:`Issue`s located by the path of the field at fault; they are
raised together as one ``ValidationError`` so a flow author sees every problem at once.
Runs inside the models' validators, hence typed against them only for the type checker.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

from pbx.api import CallOutcome
from pbx.dialog.templates import template_fields
from pbx.dialog.vocabulary import Intent

if TYPE_CHECKING:
    from pbx.dialog.flow import End, Flow, Step, Transition

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Issue:
    loc: Loc
    message: str
    input: object = None


def raise_issues(title: str, issues: list[Issue]) -> None:
    # A ValidationError raised inside a validator keeps its locations (prefixed with the
    # parent's), unlike a ValueError, which would blame the whole model.
    if issues:
        raise ValidationError.from_exception_data(title, [
            InitErrorDetails(type=PydanticCustomError("flow", issue.message), loc=issue.loc, input=issue.input)
            for issue in issues
        ])  # fmt: skip


# --- one step ------------------------------------------------------------------------

_NOT_ON_TERMINAL = (
    "say",
    "expect",
    "dtmf",
    "capture",
    "on_no_input",
    "on_no_match",
    "listen_timeout_s",
    "barge_in",
)


def step_shape_issues(step: Step, customised: Iterable[str]) -> list[Issue]:
    """Problems in one step; ``customised`` names the fields that differ from their defaults."""
    issues: list[Issue] = []
    if step.end is not None:
        for name in _NOT_ON_TERMINAL:
            if name in customised:
                hint = "; the closing prompt goes in end.say" if name == "say" else ""
                issues.append(Issue((name,), f"not allowed on a terminal step (one with 'end'){hint}"))
        return issues
    if step.say is None:
        issues.append(Issue(("say",), "required: a step that does not end the call must prompt the customer"))
    if not step.expect and step.capture is None:
        issues.append(
            Issue(("expect",), "required: a step needs 'expect' or 'capture' (or 'end' to finish the call)")
        )
    if Intent.UNKNOWN in step.expect:
        issues.append(
            Issue(
                ("expect", "unknown"),
                "'unknown' cannot be expected; use on_no_match for unrecognised replies",
            )
        )
    for key, intent in step.dtmf.items():
        if intent is Intent.UNKNOWN:
            issues.append(
                Issue(("dtmf", key), "a key cannot mean 'unknown'; unmapped keys already count as no-match")
            )
    return issues


# --- the graph -------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    loc: Loc
    source: str | None  # None: an 'anywhere' edge, taken from any non-capture step
    intent: Intent | None
    target: Transition
    captures: str | None = None


def edges(flow: Flow) -> Iterator[Edge]:
    for step_id, step in flow.steps.items():
        if step.terminal:
            continue
        base: Loc = ("steps", step_id)
        for intent, target in step.expect.items():
            yield Edge((*base, "expect", intent.value), step_id, intent, target)
        if step.capture is not None:
            yield Edge((*base, "capture", "next"), step_id, None, step.capture.next, step.capture.slot)
        yield Edge((*base, "on_no_input", "then"), step_id, None, step.on_no_input.then)
        yield Edge((*base, "on_no_match", "then"), step_id, None, step.on_no_match.then)
    for intent, target in flow.anywhere.items():
        yield Edge(("anywhere", intent.value), None, intent, target)


def _successors(flow: Flow, step_id: str, all_edges: list[Edge]) -> Iterator[Edge]:
    step = flow.steps[step_id]
    if step.terminal:
        return
    for edge in all_edges:
        # Capture steps take free text, so only an opt-out interrupts them (see runtime).
        anywhere = edge.source is None and (step.capture is None or edge.intent is Intent.OPT_OUT)
        if edge.source == step_id or anywhere:
            yield edge


def check_flow(flow: Flow, sample_lead: Mapping[str, str] | None) -> list[Issue]:
    all_edges = list(edges(flow))
    issues = _dangling(flow, all_edges)
    if issues:
        return issues  # the remaining checks walk the graph and need every target to exist
    reachable = _reachable(flow, all_edges)
    issues += [Issue(("steps", s), f"unreachable: no path from the greeting step {flow.greeting!r} leads here")
               for s in flow.steps if s not in reachable]  # fmt: skip
    issues += _never_ending(flow, all_edges, reachable)
    issues += _loops(flow, "on_no_input", "a silent customer")
    issues += _loops(flow, "on_no_match", "a customer who is never understood")
    issues += _opt_out(flow, all_edges)
    issues += _unhandled_keys(flow)
    issues += _template_issues(flow, all_edges, reachable, sample_lead)
    return issues


def _dangling(flow: Flow, all_edges: list[Edge]) -> list[Issue]:
    known = ", ".join(flow.steps)
    issues: list[Issue] = []
    if flow.greeting not in flow.steps:
        issues.append(
            Issue(("greeting",), f"unknown step {flow.greeting!r}; steps are: {known}", flow.greeting)
        )
    for edge in all_edges:
        if isinstance(edge.target, str) and edge.target not in flow.steps:
            issues.append(Issue(edge.loc, f"unknown step {edge.target!r}; steps are: {known}", edge.target))
    return issues


def _reachable(flow: Flow, all_edges: list[Edge]) -> set[str]:
    seen = {flow.greeting}
    pending = [flow.greeting]
    while pending:
        for edge in _successors(flow, pending.pop(), all_edges):
            if isinstance(edge.target, str) and edge.target not in seen:
                seen.add(edge.target)
                pending.append(edge.target)
    return seen


def _never_ending(flow: Flow, all_edges: list[Edge], reachable: set[str]) -> list[Issue]:
    # Opt-out edges are left out: every flow has one, and a call whose only way out is
    # the customer asking never to be called again is still a broken flow.
    ends = {s for s, step in flow.steps.items() if step.terminal}
    changed = True
    while changed:
        changed = False
        for step_id in flow.steps:
            if step_id in ends:
                continue
            exits = (e for e in _successors(flow, step_id, all_edges) if e.intent is not Intent.OPT_OUT)
            if any(not isinstance(e.target, str) or e.target in ends for e in exits):
                ends.add(step_id)
                changed = True
    return [Issue(("steps", s), "no path from this step ever ends the call (other than an opt-out)")
            for s in flow.steps if s in reachable and s not in ends]  # fmt: skip


def _loops(flow: Flow, handler: str, who: str) -> list[Issue]:
    issues: list[Issue] = []
    reported: set[frozenset[str]] = set()
    for start, step in flow.steps.items():
        path = [start]
        while not step.terminal:
            target = getattr(step, handler).then
            if not isinstance(target, str):
                break
            if target in path:
                cycle = frozenset(path[path.index(target) :])
                if cycle not in reported:
                    reported.add(cycle)
                    chain = " -> ".join([*path[path.index(target) :], target])
                    issues.append(
                        Issue(("steps", path[-1], handler, "then"), f"{who} would loop forever: {chain}")
                    )
                break
            path.append(target)
            step = flow.steps[target]
    return issues


def _final_end(flow: Flow, target: Transition) -> End | None:
    if isinstance(target, str):
        return flow.steps[target].end
    return target


def _opt_out(flow: Flow, all_edges: list[Edge]) -> list[Issue]:
    issues: list[Issue] = []
    if Intent.OPT_OUT not in flow.anywhere:
        issues.append(Issue(("anywhere", "opt_out"),
                            "required: every flow must honour an opt-out from any step (end with outcome 'opt_out')"))  # fmt: skip
    for edge in all_edges:
        if edge.intent is Intent.OPT_OUT:
            end = _final_end(flow, edge.target)
            if end is None or end.outcome is not CallOutcome.OPT_OUT:
                issues.append(Issue(edge.loc, "an opt-out must end the call at once with outcome 'opt_out'"))
    return issues


def _unhandled_keys(flow: Flow) -> list[Issue]:
    issues: list[Issue] = []
    for step_id, step in flow.steps.items():
        handled = set(step.expect) | (set() if step.capture else set(flow.anywhere))
        for key, intent in step.dtmf.items():
            if intent not in handled:
                issues.append(Issue(("steps", step_id, "dtmf", key),
                                    f"key {key!r} means {intent.value!r}, which this step does not expect"))  # fmt: skip
    return issues


# --- prompts and the values they need -------------------------------------------------


def _slots(flow: Flow) -> dict[str, list[str]]:
    """Slot name -> steps capturing it."""
    slots: dict[str, list[str]] = {}
    for step_id, step in flow.steps.items():
        if step.capture is not None:
            slots.setdefault(step.capture.slot, []).append(step_id)
    return slots


def _end_templates(loc: Loc, end: End) -> Iterator[tuple[Loc, str]]:
    # Inline endings are located under "end", as pydantic's own errors for them are.
    if end.say is not None:
        yield (*loc, "say"), end.say
    if end.detail is not None:
        yield (*loc, "detail"), end.detail


def _step_templates(step_id: str, step: Step) -> Iterator[tuple[Loc, str]]:
    loc: Loc = ("steps", step_id)
    if step.end is not None:
        yield from _end_templates((*loc, "end"), step.end)
        return
    if step.say is not None:
        yield (*loc, "say"), step.say
    for handler in ("on_no_input", "on_no_match"):
        say = getattr(step, handler).say
        if say is not None:
            yield (*loc, handler, "say"), say


def lead_fields(flow: Flow) -> tuple[str, ...]:
    slots = _slots(flow)
    sites = [site for step_id, step in flow.steps.items() for site in _step_templates(step_id, step)]
    sites += [site for edge in edges(flow) if not isinstance(edge.target, str)
              for site in _end_templates((*edge.loc, "end"), edge.target)]  # fmt: skip
    return tuple(sorted({f for _loc, t in sites for f in template_fields(t) if f not in slots}))


def _available_slots(flow: Flow, all_edges: list[Edge], reachable: set[str]) -> dict[str, frozenset[str]]:
    """Slots certainly captured on arrival at each reachable step (intersection over paths)."""
    available: dict[str, frozenset[str]] = {flow.greeting: frozenset()}
    pending = [flow.greeting]
    while pending:
        step_id = pending.pop()
        for edge in _successors(flow, step_id, all_edges):
            if not isinstance(edge.target, str):
                continue
            carried = available[step_id] | ({edge.captures} if edge.captures else set())
            before = available.get(edge.target)
            after = carried if before is None else before & carried
            if after != before:
                available[edge.target] = after
                pending.append(edge.target)
    return available


def _template_issues(
    flow: Flow, all_edges: list[Edge], reachable: set[str], sample_lead: Mapping[str, str] | None
) -> list[Issue]:
    slots = _slots(flow)
    available = _available_slots(flow, all_edges, reachable)
    sites: list[tuple[Loc, str, frozenset[str]]] = []
    for step_id, step in flow.steps.items():
        here = available.get(step_id, frozenset())
        sites += [(loc, t, here) for loc, t in _step_templates(step_id, step)]
    for edge in all_edges:
        if not isinstance(edge.target, str):
            # 'anywhere' endings can fire from the greeting, before anything is captured.
            here = available.get(edge.source, frozenset()) if edge.source else frozenset()
            here |= {edge.captures} if edge.captures else set()
            sites += [(loc, t, here) for loc, t in _end_templates((*edge.loc, "end"), edge.target)]
    issues: list[Issue] = []
    for loc, template, here in sites:
        names = template_fields(template)
        for name in names:
            if name in slots and name not in here:
                issues.append(Issue(loc, f"{{{name}}} is captured by step(s) {', '.join(slots[name])}, "
                                         "but not on every path that reaches this prompt", template))  # fmt: skip
        if sample_lead is not None:
            missing = [f"{{{n}}}" for n in names if n not in slots and n not in sample_lead]
            if missing:
                issues.append(
                    Issue(loc, f"lead field(s) {', '.join(missing)} missing from the sample lead", template)
                )
    return issues
