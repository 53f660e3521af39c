from tests.voicewatch.helpers import policy, state, view
from voicewatch.events import Prosody
from voicewatch.signals import hesitation

SLOW = Prosody(energy_z=-0.3, pitch_z=0.0, rate_z=-1.2)


def test_long_pause_ellipsis_and_slow_speech_add_up() -> None:
    hits = hesitation.detect(view("Theek hai...", silence=2.8, prosody=SLOW), state(), policy())
    assert hits and hits[0].reason == "ambiguity" and hits[0].score >= 0.6
    assert "pause" in hits[0].evidence and "..." in hits[0].evidence


def test_prompt_answer_is_not_hesitant() -> None:
    assert hesitation.detect(view("Theek hai", silence=0.5), state(), policy()) == ()


def test_call_me_later_is_an_instruction_not_hesitation() -> None:
    assert hesitation.detect(view("Call me later... I'm driving", silence=3.0), state(), policy()) == ()


def test_garbled_speech_is_left_to_the_misunderstanding_signal() -> None:
    assert hesitation.detect(view("uh... what", silence=3.5, asr=0.3), state(), policy()) == ()
