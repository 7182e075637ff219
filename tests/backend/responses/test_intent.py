"""The reply classifier: opt-outs, promises with their day, disputes, in three languages."""

from __future__ import annotations

from datetime import date

import pytest

from backend.responses.intent import classify
from backend.responses.models import Intent

WEDNESDAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    "text",
    ["STOP", "stop", " Stop! ", "STOP ALL", "unsubscribe", "නවතන්න", "நிறுத்து", "நிறுத்தவும்"],
)
def test_stop_words_in_each_language(text):
    assert classify(text, received_on=WEDNESDAY).intent is Intent.STOP


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("I will pay Friday", date(2026, 12, 4)),
        ("will pay on friday thanks", date(2026, 12, 4)),
        ("I'll pay tomorrow", date(2026, 12, 3)),
        ("pay on 12th", date(2026, 12, 12)),
        ("will pay by the 1st", date(2027, 1, 1)),
        ("I can pay today", date(2026, 12, 2)),
        ("will pay wednesday", date(2026, 12, 2)),
        ("will pay monday", date(2026, 12, 7)),
        ("හෙට ගෙවන්නම්", date(2026, 12, 3)),  # I will pay tomorrow
        ("සිකුරාදා ගෙවන්නම්", date(2026, 12, 4)),  # I will pay on Friday
        ("நாளை செலுத்துவேன்", date(2026, 12, 3)),  # I will pay tomorrow
        ("வெள்ளிக்கிழமை கட்டுவேன்", date(2026, 12, 4)),  # I will pay on Friday
        ("I will pay soon", None),
    ],
)
def test_promises_carry_the_day_they_name(text, day):
    reading = classify(text, received_on=WEDNESDAY)
    assert (reading.intent, reading.promised_on) == (Intent.PROMISE, day)


def test_a_day_past_in_the_month_is_next_months_and_kept_within_it():
    assert classify("pay on 31st", received_on=date(2027, 1, 31)).promised_on == date(2027, 1, 31)
    assert classify("pay on 30th", received_on=date(2027, 1, 31)).promised_on == date(2027, 2, 28)


@pytest.mark.parametrize(
    "text",
    [
        "This is not my bill",
        "I already paid last week",
        "දැනටමත් ගෙව්වා",  # already paid
        "මගේ බිල නොවේ",  # not my bill
        "ஏற்கனவே செலுத்திவிட்டேன்",  # already paid
        "என் பில் அல்ல",  # not my bill
    ],
)
def test_disputes(text):
    assert classify(text, received_on=WEDNESDAY).intent is Intent.DISPUTE


@pytest.mark.parametrize("text", ["who is this?", "please stop calling my mother", "ok", ""])
def test_anything_else_is_other(text):
    assert classify(text, received_on=WEDNESDAY).intent is Intent.OTHER
