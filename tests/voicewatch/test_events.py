import pytest

from voicewatch import EventError, VoiceWatchValidationError
from voicewatch.events import CallContext, CustomerUtterance, PartialUtterance, parse_context, parse_event


def test_discriminated_by_type() -> None:
    e = parse_event({"type": "utterance", "text": "yes", "asr_confidence": 0.9,
                     "prosody": {"energy_z": 1.0, "pitch_z": 0.0, "rate_z": -0.5}, "silence_before_s": 0.4})
    assert isinstance(e, CustomerUtterance) and e.prosody is not None and e.prosody.energy_z == 1.0
    assert isinstance(parse_event({"type": "partial", "text": "I want"}), PartialUtterance)
    assert parse_event(e) is e


@pytest.mark.parametrize(("event", "field"), [
    ({"type": "utterance", "text": "yes", "asr_confidence": 1.7}, "asr_confidence"),
    ({"type": "utterance", "text": "yes", "prosody": {"energy_z": "loud"}}, "prosody.energy_z"),
    ({"type": "utterance", "text": "yes", "confidence": 0.9}, "confidence"),
    ({"type": "utterance"}, "text"),
    ({"type": "silence", "duration_s": -1}, "duration_s"),
    ({"type": "context", "currency": "rupees"}, "currency"),
])
def test_malformed_event_names_the_field(event: dict, field: str) -> None:
    with pytest.raises(EventError) as info:
        parse_event(event)
    assert any(f.endswith(field) for f in info.value.fields), info.value.fields
    assert field.split(".")[-1] in str(info.value)
    assert isinstance(info.value, VoiceWatchValidationError) and isinstance(info.value, ValueError)


def test_unknown_event_type() -> None:
    with pytest.raises(EventError) as info:
        parse_event({"type": "dtmf", "digit": "1"})
    assert "type" in str(info.value)


def test_events_are_immutable() -> None:
    e = parse_event({"type": "utterance", "text": "yes"})
    with pytest.raises(Exception):
        e.text = "no"  # type: ignore[misc]


def test_context_update_merges() -> None:
    ctx = parse_context({"order_value": 100, "currency": "USD", "customer_tier": "regular"})
    merged = ctx.merged(CallContext(customer_tier="premium"))
    assert (merged.order_value, merged.currency, merged.customer_tier) == (100, "USD", "premium")
