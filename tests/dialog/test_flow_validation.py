"""Flow loading: every mistake is reported at the path of the field at fault."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from pbx.api import CallOutcome, EscalationReason
from pbx.dialog.errors import MissingLeadFields
from pbx.dialog.flow import End, load_flow, load_flow_json
from pbx.dialog.library import FLOW_DATA, SAMPLE_LEAD, available, library_flow
from pbx.dialog.runtime import DialogSession
from pbx.dialog.vocabulary import Intent

LEAD = {"first_name": "Asha"}


def minimal() -> dict[str, Any]:
    return {
        "name": "mini",
        "version": 1,
        "greeting": "ask",
        "anywhere": {"opt_out": {"outcome": "opt_out"}},
        "steps": {
            "ask": {"say": "Hello {first_name}, is that right?",
                    "expect": {"yes": "done", "no": {"outcome": "rejected"}}},
            "done": {"end": {"outcome": "confirmed", "say": "Thanks {first_name}."}},
        },
    }  # fmt: skip


def errors(data: dict[str, Any], sample_lead: dict[str, str] | None = None) -> dict[str, str]:
    """loc (dotted) -> message of every error; fails if the flow loads."""
    with pytest.raises(ValidationError) as caught:
        load_flow(data, sample_lead)
    return {".".join(str(part) for part in e["loc"]): e["msg"] for e in caught.value.errors()}


def test_minimal_flow_loads_with_documented_defaults() -> None:
    flow = load_flow(minimal(), LEAD)
    assert flow.language == "en-IN"
    ask = flow.steps["ask"]
    assert (ask.on_no_input.reprompts, ask.on_no_input.then) == (2, End(outcome=CallOutcome.NO_RESPONSE))
    assert ask.on_no_match.then == End(escalate=EscalationReason.REPEATED_FAILURE)
    assert flow.required_lead_fields() == ("first_name",)


# --- unknown and unreachable steps ----------------------------------------------------


def test_unknown_step_in_expect_is_named_with_its_path() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["yes"] = "dne"
    found = errors(data)
    assert list(found) == ["steps.ask.expect.yes"]
    assert "unknown step 'dne'" in found["steps.ask.expect.yes"]
    assert "ask, done" in found["steps.ask.expect.yes"]  # lists what exists


@pytest.mark.parametrize(
    ("path", "edit"),
    [
        ("greeting", lambda d: d.update(greeting="hello")),
        ("anywhere.wrong_number", lambda d: d["anywhere"].update(wrong_number="bye")),
        ("steps.ask.on_no_input.then", lambda d: d["steps"]["ask"].update(on_no_input={"then": "gone"})),
        ("steps.ask.on_no_match.then", lambda d: d["steps"]["ask"].update(on_no_match={"then": "gone"})),
        ("steps.ask.capture.next", lambda d: d["steps"]["ask"].update(capture={"slot": "x", "next": "gone"})),
    ],
)
def test_unknown_step_anywhere_in_the_flow(path: str, edit: Any) -> None:
    data = minimal()
    edit(data)
    found = errors(data)
    assert path in found and "unknown step" in found[path], found


def test_unreachable_step_is_named() -> None:
    data = minimal()
    data["steps"]["orphan"] = {"end": {"outcome": "rejected"}}
    data["steps"]["lonely"] = {"say": "Anyone?", "expect": {"yes": "orphan"}}
    found = errors(data)
    assert set(found) == {"steps.orphan", "steps.lonely"}
    assert "unreachable" in found["steps.orphan"]


def test_steps_reached_only_through_anywhere_or_retries_are_reachable() -> None:
    data = minimal()
    data["anywhere"]["callback_request"] = "later"
    data["steps"]["ask"]["on_no_match"] = {"then": "human"}
    data["steps"]["later"] = {"end": {"outcome": "callback"}}
    data["steps"]["human"] = {"end": {"escalate": "repeated_failure"}}
    load_flow(data)


# --- every path ends --------------------------------------------------------------------


def test_steps_that_can_never_end_the_call_are_named() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"] = {"yes": "again", "no": "again"}
    retry_to_ask = {"then": "ask"}
    data["steps"]["again"] = {"say": "Really?", "expect": {"yes": "ask"}, "on_no_input": retry_to_ask,
                              "on_no_match": retry_to_ask}  # fmt: skip
    data["steps"]["ask"]["on_no_input"] = {"then": "again"}
    data["steps"]["ask"]["on_no_match"] = {"then": "again"}
    del data["steps"]["done"]
    found = errors(data)
    assert "ever ends the call" in found["steps.ask"]
    assert "ever ends the call" in found["steps.again"]


def test_a_silence_loop_between_steps_is_named() -> None:
    data = minimal()
    data["steps"]["ask"]["on_no_input"] = {"then": "still_there"}
    data["steps"]["still_there"] = {
        "say": "Still there?",
        "expect": {"yes": "ask"},
        "on_no_input": {"then": "ask"},
    }
    found = errors(data)
    assert list(found) == ["steps.still_there.on_no_input.then"]
    assert "ask -> still_there -> ask" in found["steps.still_there.on_no_input.then"]


# --- prompts and lead fields -----------------------------------------------------------


def test_missing_lead_field_is_named_when_a_sample_lead_is_given() -> None:
    data = minimal()
    data["steps"]["ask"]["say"] = "Hello {first_name}, your order {order_id} of {item}?"
    found = errors(data, sample_lead=LEAD)
    assert found == {"steps.ask.say": "lead field(s) {order_id}, {item} missing from the sample lead"}


def test_missing_lead_field_in_an_inline_ending_is_named() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["no"] = {"outcome": "rejected", "say": "Cancelling {order_id}."}
    assert list(errors(data, sample_lead=LEAD)) == ["steps.ask.expect.no.end.say"]


def test_without_a_sample_lead_the_session_refuses_a_lead_lacking_fields() -> None:
    data = minimal()
    data["steps"]["ask"]["say"] = "Hello {first_name}, order {order_id}?"
    flow = load_flow(data)  # no sample lead: nothing to check against yet
    assert flow.required_lead_fields() == ("first_name", "order_id")
    with pytest.raises(MissingLeadFields) as caught:
        DialogSession(flow, LEAD)
    assert caught.value.missing == ("order_id",)
    assert "order_id" in str(caught.value) and "mini" in str(caught.value)


@pytest.mark.parametrize(
    ("template", "problem"),
    [
        ("Hello {first_name!r}", "format spec or conversion"),
        ("Amount {amount:.2f}", "format spec or conversion"),
        ("Hi {lead.name}", "plain name"),
        ("Hi {0}", "plain name"),
        ("Hi {first_name", "malformed"),
        ("", "at least 1 character"),
    ],
)
def test_malformed_templates_are_refused(template: str, problem: str) -> None:
    data = minimal()
    data["steps"]["ask"]["say"] = template
    found = errors(data)
    assert problem in found["steps.ask.say"], found


def test_a_slot_used_before_it_is_captured_is_named() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["callback_request"] = "when"
    data["steps"]["ask"]["on_no_match"] = {"say": "We said {callback_time}, right?"}
    data["steps"]["when"] = {"say": "When?", "capture": {"slot": "callback_time", "next": "noted"}}
    data["steps"]["noted"] = {"end": {"outcome": "callback", "detail": "{callback_time}"}}
    found = errors(data)
    assert list(found) == ["steps.ask.on_no_match.say"]
    assert "captured by step(s) when" in found["steps.ask.on_no_match.say"]


def test_a_slot_captured_on_only_some_paths_is_named() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"] = {"yes": "done", "no": "why", "change_request": "noted"}
    data["steps"]["why"] = {"say": "Why?", "capture": {"slot": "reason", "next": "noted"}}
    data["steps"]["noted"] = {"end": {"outcome": "rejected", "detail": "{reason}"}}
    assert list(errors(data)) == ["steps.noted.end.detail"]
    data["steps"]["ask"]["expect"]["change_request"] = "why"
    load_flow(data)


# --- outcomes, intents, shapes ---------------------------------------------------------


def test_bad_outcome_name_is_named() -> None:
    data = minimal()
    data["steps"]["done"]["end"]["outcome"] = "confirmd"
    found = errors(data)
    assert list(found) == ["steps.done.end.outcome"]
    assert "'confirmed'" in found["steps.done.end.outcome"]


def test_bad_outcome_name_in_an_inline_ending_is_named() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["no"] = {"outcome": "nope"}
    assert list(errors(data)) == ["steps.ask.expect.no.end.outcome"]


def test_escalated_is_written_as_escalate_with_a_reason() -> None:
    data = minimal()
    data["steps"]["done"]["end"] = {"outcome": "escalated"}
    assert "escalate: <reason>" in errors(data)["steps.done.end"]
    data["steps"]["done"]["end"] = {"escalate": "boredom"}
    assert list(errors(data)) == ["steps.done.end.escalate"]


@pytest.mark.parametrize("end", [{}, {"outcome": "confirmed", "escalate": "negotiation"}])
def test_an_ending_has_exactly_one_of_outcome_or_escalate(end: dict[str, str]) -> None:
    data = minimal()
    data["steps"]["done"]["end"] = end
    assert "exactly one of 'outcome'" in errors(data)["steps.done.end"]


def test_unknown_intent_name_is_named() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["maybe"] = "done"
    assert list(errors(data)) == ["steps.ask.expect.maybe.[key]"]


def test_unknown_cannot_be_expected() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["unknown"] = "done"
    assert "on_no_match" in errors(data)["steps.ask.expect.unknown"]


def test_misspelt_fields_are_refused() -> None:
    data = minimal()
    data["steps"]["ask"]["sya"] = "Hello"
    data["colour"] = "blue"
    assert set(errors(data)) == {"steps.ask.sya", "colour"}


def test_terminal_steps_take_no_prompt_or_expectations() -> None:
    data = minimal()
    data["steps"]["done"].update(say="Bye", expect={"yes": "ask"})
    found = errors(data)
    assert set(found) == {"steps.done.say", "steps.done.expect"}
    assert "end.say" in found["steps.done.say"]


def test_a_non_terminal_step_needs_a_prompt_and_expectations() -> None:
    data = minimal()
    data["steps"]["ask"] = {"on_no_input": {"reprompts": 1}}
    found = errors(data)
    assert {"steps.ask.say", "steps.ask.expect"} <= set(found)


def test_every_flow_must_honour_opt_out() -> None:
    data = minimal()
    data["anywhere"] = {}
    assert "opt-out" in errors(data)["anywhere.opt_out"]


def test_opt_out_cannot_lead_anywhere_but_an_opt_out_ending() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["opt_out"] = "done"  # ends, but as "confirmed"
    assert "outcome 'opt_out'" in errors(data)["steps.ask.expect.opt_out"]


def test_dtmf_keys_are_single_keypad_keys_and_must_be_expected() -> None:
    data = minimal()
    data["steps"]["ask"]["dtmf"] = {"12": "yes", "3": "human_request"}
    found = errors(data)
    assert "steps.ask.dtmf.12.[key]" in found
    data["steps"]["ask"]["dtmf"] = {"3": "human_request"}
    assert "does not expect" in errors(data)["steps.ask.dtmf.3"]


def test_all_problems_are_reported_at_once() -> None:
    data = minimal()
    data["steps"]["ask"]["expect"]["yes"] = "dne"
    data["steps"]["ask"]["expect"]["no"] = "gone"
    assert set(errors(data)) == {"steps.ask.expect.yes", "steps.ask.expect.no"}


def test_flows_load_from_json_text() -> None:
    assert load_flow_json(json.dumps(minimal()), LEAD) == load_flow(minimal(), LEAD)


def test_loaded_flows_are_immutable() -> None:
    flow = load_flow(minimal())
    with pytest.raises(ValidationError):
        flow.greeting = "done"


# --- the library -----------------------------------------------------------------------


def test_library_has_the_three_flows_and_a_hinglish_variant() -> None:
    assert set(available()) >= {
        ("order_confirmation", "en-IN"), ("order_confirmation", "hi-Latn"),
        ("payment_reminder", "en-IN"), ("address_verification", "en-IN"),
    }  # fmt: skip


@pytest.mark.parametrize("data", FLOW_DATA, ids=lambda d: f"{d['name']}-{d['language']}")
def test_library_flows_are_json_data_valid_against_the_sample_lead(data: dict[str, Any]) -> None:
    assert json.loads(json.dumps(data)) == data
    flow = load_flow_json(json.dumps(data), SAMPLE_LEAD)
    assert flow == library_flow(data["name"], data["language"])
    assert set(flow.required_lead_fields()) <= set(SAMPLE_LEAD)
    assert Intent.OPT_OUT in flow.anywhere


def test_unknown_library_flow_lists_what_exists() -> None:
    with pytest.raises(KeyError, match="payment_reminder"):
        library_flow("debt_collection")
