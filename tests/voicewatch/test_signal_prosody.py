from tests.voicewatch.helpers import AGITATED, CALM, LOUD_HAPPY, policy, state, view
from voicewatch.events import Prosody
from voicewatch.signals import prosody


def test_agitation_needs_all_features_up() -> None:
    assert prosody.agitation(AGITATED) > 1.5
    # Loud alone (market noise) stays low even though energy is high.
    assert prosody.agitation(Prosody(energy_z=2.5, pitch_z=-0.8, rate_z=0.2)) < 0.5


def test_agitated_neutral_speech_is_anger_evidence() -> None:
    hits = prosody.detect(view("Hello? Hello?", prosody=AGITATED), state(), policy())
    assert hits and hits[0].reason == "anger" and hits[0].score >= 0.6


def test_loud_but_happy_caller_is_discounted() -> None:
    loud = Prosody(energy_z=2.6, pitch_z=2.0, rate_z=1.6)
    hits = prosody.detect(view("Yes yes, great, thank you so much, confirm it!", prosody=loud), state(), policy())
    assert hits and hits[0].score == 0.0
    assert "positive wording" in hits[0].evidence


def test_calm_or_missing_prosody_gives_nothing() -> None:
    assert prosody.detect(view("Okay", prosody=CALM), state(), policy()) == ()
    assert prosody.detect(view("Okay", prosody=None), state(), policy()) == ()
    assert prosody.detect(view("Okay", prosody=LOUD_HAPPY), state(), policy()) == ()


def test_partial_results_count_the_voice_only_partly() -> None:
    final = prosody.detect(view("I will", prosody=AGITATED), state(), policy())[0].score
    partial = prosody.detect(view("I will", prosody=AGITATED, partial=True), state(), policy())[0].score
    assert partial < final
