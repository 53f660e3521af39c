from tests.voicewatch.helpers import policy, state, view
from voicewatch.signals import misunderstanding


def test_low_confidence_turn_fails_but_one_failure_is_weak() -> None:
    hits = misunderstanding.detect(view("uh the the what", asr=0.3), state(), policy())
    assert hits and hits[0].reason == "repeated_failure" and hits[0].score < 0.5


def test_second_failure_in_a_row_escalates() -> None:
    s = state()
    s.commit_turn(0.0, None, failed=True)
    hits = misunderstanding.detect(view("hello? hello? kya bola", asr=0.35), s, policy())
    assert hits and hits[0].score >= 0.9 and hits[0].value == 2


def test_repeat_request_counts_even_with_good_asr() -> None:
    assert misunderstanding.failure_cause(view("sorry, can you repeat that?", asr=0.9), policy())
    assert misunderstanding.failure_cause(view("kya? phir se boliye", asr=0.8), policy())


def test_clear_answer_is_not_a_failure() -> None:
    assert misunderstanding.failure_cause(view("Yes, that's correct", asr=0.88), policy()) is None
    assert misunderstanding.detect(view("Yes, that's correct", asr=0.88), state(), policy()) == ()


def test_recovery_resets_the_streak() -> None:
    s = state()
    s.commit_turn(0.0, None, failed=True)
    s.commit_turn(0.4, None, failed=False)
    hits = misunderstanding.detect(view("what?", asr=0.4), s, policy())
    assert hits[0].value == 1 and hits[0].score < 0.5


def test_partials_never_count_towards_the_streak() -> None:
    s = state()
    s.commit_turn(0.0, None, failed=True)
    assert misunderstanding.detect(view("uh", asr=0.2, partial=True), s, policy()) == ()


def test_dead_air_after_a_failure() -> None:
    s = state()
    s.note_silence(12.0, counts_as_failure=True)
    s.note_silence(12.0, counts_as_failure=True)
    hits = misunderstanding.after_dead_air(s, policy(), 12.0)
    assert hits and hits[0].score >= 0.9
    assert misunderstanding.after_dead_air(s, policy(), 2.0) == ()
