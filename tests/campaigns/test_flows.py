"""The flow the human dial modes send is one pbx accepts."""

from __future__ import annotations

from contactcenter.campaigns.flows import CONNECT_TO_AGENT_FLOW
from pbx.dialog.flow import load_flow


def test_the_human_modes_flow_is_a_valid_flow_that_hands_over_at_once() -> None:
    flow = load_flow(CONNECT_TO_AGENT_FLOW, sample_lead={})
    greeting = flow.step(flow.greeting)
    assert greeting.terminal and greeting.end.escalate == "human_request"
