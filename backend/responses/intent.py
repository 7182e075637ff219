"""What a customer's reply means, by rules in English, Sinhala and Tamil.

Pure functions. Order matters: an opt-out wins over everything, a dispute over a
promise ("already paid, will not pay again" is a dispute), and a promise needs words of
paying; its day is read from the text against the day the reply arrived (local time).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from backend.responses.models import Intent

# Whole replies that opt out (after lower-casing and trimming punctuation).
STOP_WORDS = frozenset(
    {
        "stop",
        "stop all",
        "stopall",
        "unsubscribe",
        "opt out",
        "optout",
        "නවතන්න",  # Sinhala: stop
        "නවත්වන්න",  # Sinhala: make it stop
        "නතර කරන්න",  # Sinhala: put an end to it
        "நிறுத்து",  # Tamil: stop
        "நிறுத்தவும்",  # Tamil: please stop
        "நிறுத்துங்கள்",  # Tamil: stop (polite plural)
    }
)

DISPUTE_PHRASES = (
    "not my bill",
    "not mine",
    "wrong bill",
    "already paid",
    "i paid already",
    "paid already",
    "dispute",
    "මගේ බිල නොවේ",  # Sinhala: not my bill
    "මගේ බිලක් නොවේ",  # Sinhala: not a bill of mine
    "දැනටමත් ගෙව",  # Sinhala: already paid (ගෙවා / ගෙව්වා)
    "කලින්ම ගෙව",  # Sinhala: paid earlier
    "என் பில் அல்ல",  # Tamil: not my bill
    "என்னுடைய பில் இல்லை",  # Tamil: it is not my bill
    "ஏற்கனவே செலுத்த",  # Tamil: already paid (செலுத்தினேன் / செலுத்திவிட்டேன்)
    "ஏற்கனவே கட்ட",  # Tamil: already paid (கட்டிவிட்டேன்)
)

PROMISE_PATTERN = re.compile(
    r"\b(will|i'll|ill|shall|going to|can|gonna)\s+(pay|settle)\b|\bpay(ing)?\s+(on|by|this|next|"
    r"tomorrow|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d)"
    r"|ගෙවන්නම්|ගෙවනවා|ගෙවන්න පුළුවන්"  # Sinhala: I will pay / paying / can pay
    r"|செலுத்துவேன்|கட்டுவேன்|செலுத்துகிறேன்|கட்டுகிறேன்"  # Tamil: I will pay / I am paying
)

# Weekday names, Monday first, in each language (Sinhala and Tamil as texted, with their
# common spellings); the first one found in the reply is the day meant.
WEEKDAYS: tuple[tuple[str, ...], ...] = (
    ("monday", "mon", "සඳුදා", "සදුදා", "திங்கள்"),
    ("tuesday", "tue", "අඟහරුවාදා", "අගහරුවාදා", "செவ்வாய்"),
    ("wednesday", "wed", "බදාදා", "புதன்"),
    ("thursday", "thu", "බ්‍රහස්පතින්දා", "බ්රහස්පතින්දා", "வியாழன்"),
    ("friday", "fri", "සිකුරාදා", "வெள்ளி"),
    ("saturday", "sat", "සෙනසුරාදා", "சனி"),
    ("sunday", "sun", "ඉරිදා", "ஞாயிறு"),
)
TOMORROW = ("tomorrow", "tmrw", "tmr", "හෙට", "நாளை")
TODAY = ("today", "tonight", "අද", "இன்று")
DAY_OF_MONTH = re.compile(r"\b(?:on|by|before)?\s*(\d{1,2})(?:st|nd|rd|th)?\b(?![/:.-]?\d)")


@dataclass(frozen=True)
class Reading:
    intent: Intent
    promised_on: date | None = None


def _plain(text: str) -> str:
    return " ".join(re.sub(r"[!.,?;:\"'()]+", " ", text.lower()).split())


def is_stop(text: str) -> bool:
    """A reply that is an opt-out word and nothing else."""
    return _plain(text) in STOP_WORDS


def classify(text: str, *, received_on: date) -> Reading:
    """The reply's intent; a promise carries the day it names (None when it names none)."""
    if is_stop(text):
        return Reading(Intent.STOP)
    lowered = text.lower()
    if any(phrase in lowered for phrase in DISPUTE_PHRASES):
        return Reading(Intent.DISPUTE)
    if PROMISE_PATTERN.search(lowered):
        return Reading(Intent.PROMISE, promised_day(lowered, received_on))
    return Reading(Intent.OTHER)


def _has_word(text: str, word: str) -> bool:
    if word.isascii():
        return re.search(rf"\b{re.escape(word)}\b", text) is not None
    return word in text


def promised_day(text: str, received_on: date) -> date | None:
    """The day a promise names: today, tomorrow, a weekday (the next one, today counting),
    or a day of the month (this month's, else next month's)."""
    if any(_has_word(text, w) for w in TOMORROW):
        return received_on + timedelta(days=1)
    if any(_has_word(text, w) for w in TODAY):
        return received_on
    for weekday, names in enumerate(WEEKDAYS):
        if any(_has_word(text, name) for name in names):
            return received_on + timedelta(days=(weekday - received_on.weekday()) % 7)
    found = DAY_OF_MONTH.search(text)
    if found and 1 <= int(found.group(1)) <= 31:
        return _day_of_month(int(found.group(1)), received_on)
    return None


def _day_of_month(day: int, received_on: date) -> date:
    year, month = received_on.year, received_on.month
    if day < received_on.day:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
