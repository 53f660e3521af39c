"""Sentiment: our lexicon rules, and parity with VADER on general English."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from voicewatch.sentiment import analyse_sentiment, score_sentiment

# Hand-labelled general English (+1 happy, -1 unhappy), written for this test and
# deliberately not about calls, plus a few call-centre lines.
LABELLED = [
    ("The food at that new restaurant was absolutely delicious.", 1),
    ("I love how quiet the park is in the morning.", 1),
    ("The movie was a complete waste of two hours.", -1),
    ("My flight got cancelled and nobody told me why.", -1),
    ("She gave a wonderful speech at the wedding.", 1),
    ("This phone's battery dies way too fast, very disappointing.", -1),
    ("Thanks so much for your help yesterday!", 1),
    ("The hotel room was dirty and smelled awful.", -1),
    ("What a beautiful sunset tonight.", 1),
    ("I'm really worried about the exam results.", -1),
    ("The new update made the app so much better.", 1),
    ("He was rude to the waiter the entire evening.", -1),
    ("Not bad at all, I'd go again.", 1),
    ("I hate waiting in long queues.", -1),
    ("Our team won the championship, what a great day!", 1),
    ("The instructions were confusing and badly written.", -1),
    ("It's a lovely little cafe with friendly staff.", 1),
    ("The package arrived broken and the support was useless.", -1),
    ("I'm so proud of my daughter.", 1),
    ("That was the worst concert I've ever been to.", -1),
    ("The garden looks amazing after the rain.", 1),
    ("I feel terrible about missing your party.", -1),
    ("Great value for money, highly recommended.", 1),
    ("The traffic this morning was a nightmare.", -1),
    ("I really enjoyed the book, the ending was perfect.", 1),
    ("The service was slow and the staff seemed annoyed.", -1),
    ("Happy birthday, hope you have a fantastic year!", 1),
    ("I can't stand this noise anymore.", -1),
    ("The kids had fun at the beach.", 1),
    ("Sadly the shop closed down last month.", -1),
    ("This is the best coffee in town.", 1),
    ("He lied to us and I'm furious.", -1),
    ("The doctor was kind and very patient.", 1),
    ("The report is full of mistakes, it's embarrassing.", -1),
    ("Such a pleasant surprise to see you!", 1),
    ("My laptop crashed and I lost all my work.", -1),
    ("Everything went smoothly, thank you.", 1),
    ("The weather ruined our picnic.", -1),
    ("I'm excited about the trip next week.", 1),
    ("That joke was offensive and stupid.", -1),
    # call-centre lines
    ("No problem at all, go ahead.", 1),
    ("Are you kidding me? I already told you, this is pathetic.", -1),
    ("I'm not upset, just confirm it quickly please.", 1),
    ("I'm sick of this, stop wasting my time!", -1),
    ("You guys are a joke!", -1),
    ("I'm fed up with these calls.", -1),
    ("Koi baat nahi, kar dijiye.", 1),
]
GENERAL_ENGLISH = 40


def _sign_accuracy(rows: list[tuple[str, int]], scores: list[float]) -> float:
    ok = sum(1 for (_, label), s in zip(rows, scores) if (s > 0.05 and label > 0) or (s < -0.05 and label < 0))
    return ok / len(rows)


def test_not_worse_than_vader_on_labelled_english() -> None:
    vader = SentimentIntensityAnalyzer()
    general = LABELLED[:GENERAL_ENGLISH]
    ours = _sign_accuracy(general, [score_sentiment(t) for t, _ in general])
    base = _sign_accuracy(general, [vader.polarity_scores(t)["compound"] for t, _ in general])
    assert ours >= base
    assert ours >= 0.9


def test_better_than_vader_on_call_centre_lines() -> None:
    vader = SentimentIntensityAnalyzer()
    calls = LABELLED[GENERAL_ENGLISH:]
    ours = _sign_accuracy(calls, [score_sentiment(t) for t, _ in calls])
    base = _sign_accuracy(calls, [vader.polarity_scores(t)["compound"] for t, _ in calls])
    assert ours > base and ours == 1.0


@pytest.mark.parametrize("text", [t for t, _ in LABELLED[:GENERAL_ENGLISH]] + [
    "VADER is smart, handsome, and funny.", "The book was only kind of good.",
    "The plot was good, but the characters are uncompelling and the dialog is not great.",
    "Today SUX!", "Make sure you :) or :D today!", "Catch utf-8 emoji such as 💘 and 😁",
])
def test_plain_english_keeps_vader_score_unless_our_lexicon_applies(text: str) -> None:
    result = analyse_sentiment(text)
    vader = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert result.vader == pytest.approx(vader)
    if not result.adjusted:
        assert result.score == pytest.approx(vader)


def test_score_range_and_label() -> None:
    for text in ["Bakwas service, bilkul bekaar!!!", "Bahut badhiya, shukriya!", "pincode 560001"]:
        r = analyse_sentiment(text)
        assert -1.0 <= r.score <= 1.0
    assert analyse_sentiment("Bahut badhiya, shukriya!").label == "positive"
    assert analyse_sentiment("pincode 560001").label == "neutral"


@pytest.mark.parametrize(("text", "sign"), [
    ("not bad", 1),
    ("koi baat nahi", 1),
    ("koi problem nahi, kar dijiye", 1),
    ("bilkul bekaar", -1),
    ("bahut bura laga", -1),
    ("accha nahi hai", -1),
    ("bura nahi hai", 1),
    ("good nahi hai", -1),
    ("no worries", 1),
    ("theek hai ji, dhanyavaad", 1),
    ("dimaag kharab kar diya", -1),
    ("pareshan mat karo", -1),
    ("chinta mat kijiye", 1),
    ("बहुत बेकार सर्विस", -1),
    ("बहुत बढ़िया, धन्यवाद", 1),
])
def test_negation_intensifiers_and_hinglish(text: str, sign: int) -> None:
    s = score_sentiment(text)
    assert (s > 0.05) if sign > 0 else (s < -0.05), (text, s)


def test_intensifier_strengthens() -> None:
    assert score_sentiment("bilkul bekaar") < score_sentiment("bekaar")
    assert score_sentiment("bahut accha") > score_sentiment("accha")


def test_hindi_negation_does_not_cross_a_clause() -> None:
    r = analyse_sentiment("sorry... ky... nahi samjha")
    assert r.score == pytest.approx(r.vader)


def test_contrast_makes_the_second_half_dominate() -> None:
    assert score_sentiment("service accha tha lekin delivery bakwas") < 0
