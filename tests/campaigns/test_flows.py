"""The campaign side's list of flows and lead fields matches pbx's flow library."""

from __future__ import annotations

from contactcenter.campaigns.flows import CONNECT_TO_AGENT_FLOW, FLOW_LEAD_FIELDS, LIBRARY_FLOWS
from pbx.dialog.flow import load_flow
from pbx.dialog.library import available, library_flow


def test_flow_names_languages_and_fields_match_the_library() -> None:
    library: dict[str, set[str]] = {}
    for name, language in available():
        library.setdefault(name, set()).add(language)
        assert set(library_flow(name, language).required_lead_fields()) == set(FLOW_LEAD_FIELDS[name]), name
    assert {k: set(v) for k, v in LIBRARY_FLOWS.items()} == library


def test_the_human_modes_flow_is_a_valid_flow_that_hands_over_at_once() -> None:
    flow = load_flow(CONNECT_TO_AGENT_FLOW, sample_lead={})
    greeting = flow.step(flow.greeting)
    assert greeting.terminal and greeting.end.escalate == "human_request"
