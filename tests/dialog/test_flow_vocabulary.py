"""pbx's flow library implements the contract's flow catalogue, in the contract's words."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pbx.api import FLOW_CATALOGUE
from pbx.dialog.flow import End
from pbx.dialog.library import available, library_flow


def test_the_library_has_every_catalogue_flow_in_its_languages_with_its_lead_fields() -> None:
    library: dict[str, set[str]] = {}
    for name, language in available():
        library.setdefault(name, set()).add(language)
        fields = set(library_flow(name, language).required_lead_fields())
        assert fields == set(FLOW_CATALOGUE[name].lead_fields), (name, language)
    assert library == {name.value: set(flow.languages) for name, flow in FLOW_CATALOGUE.items()}


@pytest.mark.parametrize(("end", "problem"), [
    ({"outcome": "voicemail"}, "not one a flow can end with"),  # pbx's word, not a flow's
    ({"outcome": "completed"}, "outcome"),  # no such word
    ({"escalate": "anger"}, "not a reason a flow hands over for"),  # VoiceWatch's, not a flow's
    ({"escalate": "bored"}, "escalate"),
])
def test_a_flow_ending_outside_the_flows_vocabulary_is_refused(end, problem) -> None:
    with pytest.raises(ValidationError, match=problem):
        End.model_validate(end)


def test_a_flow_can_end_with_its_own_outcomes_and_reasons() -> None:
    assert End.model_validate({"outcome": "confirmed"}).outcome == "confirmed"
    assert End.model_validate({"escalate": "human_request"}).escalate == "human_request"
