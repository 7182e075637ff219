"""The wording of customer messages (English, Sinhala, Tamil) and of staff notifications.

Customer templates take exactly these placeholders: {name}, {amount}, {due_date},
{reference} and {link}. Operators may replace any built-in wording (per key, channel and
language); what they store is checked against the same placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import Formatter

from backend.customers.models import Language
from backend.notifications.errors import TemplateInvalid
from backend.notifications.models import Channel, NotificationKind, TemplateKey

VARIABLES = frozenset({"name", "amount", "due_date", "reference", "link"})
# What a preview fills the placeholders with.
SAMPLE = {
    "name": "Nimal Perera",
    "amount": "LKR 12,500.00",
    "due_date": "2026-01-15",
    "reference": "ACC-00012345",
    "link": "https://pay.example.lk/ACC-00012345",
}


@dataclass(frozen=True)
class Wording:
    subject: str | None
    body: str


_SMS: dict[TemplateKey, dict[Language, str]] = {
    TemplateKey.PAYMENT_REMINDER: {
        Language.ENGLISH: (
            "Dear {name}, your overdue balance of {amount} is due on {due_date}. "
            "Pay with reference {reference} or at {link}. Thank you."
        ),
        Language.SINHALA: (
            "හිතවත් {name}, ඔබගේ හිඟ මුදල {amount} {due_date} දිනට ගෙවිය යුතුය. "
            "{reference} යොමු අංකය සමඟ හෝ {link} හරහා ගෙවන්න. ස්තූතියි."
        ),
        Language.TAMIL: (
            "அன்புள்ள {name}, உங்கள் நிலுவைத் தொகை {amount} {due_date} அன்று செலுத்தப்பட "
            "வேண்டும். {reference} என்ற குறிப்பு எண்ணுடன் அல்லது {link} மூலம் செலுத்தவும். நன்றி."
        ),
    },
    TemplateKey.PROMISE_DUE: {
        Language.ENGLISH: (
            "Dear {name}, a reminder that the payment of {amount} you promised is due today, "
            "{due_date}. Reference {reference}; pay online at {link}."
        ),
        Language.SINHALA: (
            "හිතවත් {name}, ඔබ පොරොන්දු වූ {amount} ගෙවීම අද, {due_date} දිනට නියමිතය. "
            "යොමු අංකය {reference}; {link} හරහා මාර්ගගතව ගෙවන්න."
        ),
        Language.TAMIL: (
            "அன்புள்ள {name}, நீங்கள் உறுதியளித்த {amount} கட்டணம் இன்று, {due_date} அன்று "
            "செலுத்தப்பட வேண்டும். குறிப்பு எண் {reference}; {link} மூலம் இணையத்தில் செலுத்தலாம்."
        ),
    },
    TemplateKey.INSTALMENT_MISSED: {
        Language.ENGLISH: (
            "Dear {name}, we have not received your instalment of {amount} due on {due_date}. "
            "Please pay with reference {reference} or at {link} to keep your plan active."
        ),
        Language.SINHALA: (
            "හිතවත් {name}, {due_date} දිනට ගෙවිය යුතුව තිබූ {amount} වාරිකය අපට ලැබී නැත. "
            "ඔබගේ ගෙවීම් සැලැස්ම අඛණ්ඩව පවත්වා ගැනීමට {reference} යොමු අංකය සමඟ හෝ "
            "{link} හරහා ගෙවන්න."
        ),
        Language.TAMIL: (
            "அன்புள்ள {name}, {due_date} அன்று செலுத்த வேண்டிய {amount} தவணை எங்களுக்குக் "
            "கிடைக்கவில்லை. உங்கள் தவணைத் திட்டம் தொடர {reference} என்ற குறிப்பு எண்ணுடன் "
            "அல்லது {link} மூலம் செலுத்தவும்."
        ),
    },
}

_SUBJECTS: dict[TemplateKey, dict[Language, str]] = {
    TemplateKey.PAYMENT_REMINDER: {
        Language.ENGLISH: "Payment reminder",
        Language.SINHALA: "ගෙවීම් සිහිකැඳවීම",
        Language.TAMIL: "கட்டண நினைவூட்டல்",
    },
    TemplateKey.PROMISE_DUE: {
        Language.ENGLISH: "Your promised payment is due today",
        Language.SINHALA: "ඔබ පොරොන්දු වූ ගෙවීම අදට නියමිතයි",
        Language.TAMIL: "நீங்கள் உறுதியளித்த கட்டணம் இன்று செலுத்த வேண்டியது",
    },
    TemplateKey.INSTALMENT_MISSED: {
        Language.ENGLISH: "Missed instalment",
        Language.SINHALA: "නොගෙවූ වාරිකය",
        Language.TAMIL: "செலுத்தப்படாத தவணை",
    },
}


def built_in(key: TemplateKey, channel: Channel, language: Language) -> Wording:
    """DebtX's own wording; email uses the SMS text as its body, with a subject."""
    body = _SMS[key][language]
    subject = _SUBJECTS[key][language] if channel is Channel.EMAIL else None
    return Wording(subject=subject, body=body)


def check(text: str, *, field: str = "body") -> None:
    """Refuse unknown placeholders, conversions, format specs and unbalanced braces;
    the problem names `field`, the part of the template the text is."""
    try:
        fields = [f for f in Formatter().parse(text) if f[1] is not None]
    except ValueError as exc:
        raise TemplateInvalid.on(field, f"Template cannot be read: {exc}") from exc
    for _, name, spec, conversion in fields:
        if name not in VARIABLES or spec or conversion:
            raise TemplateInvalid.on(
                field,
                f"Unknown placeholder {{{name}}}; use {', '.join(sorted(VARIABLES))}",
                placeholder=name,
            )


def render(text: str, variables: dict[str, str]) -> str:
    """Fill a checked template; a variable with no value reads as an empty string."""
    return text.format_map({name: variables.get(name, "") for name in VARIABLES})


# Staff notifications: (title, body) per kind, filled from what the trigger passes.
_STAFF: dict[NotificationKind, tuple[str, str]] = {
    NotificationKind.CASE_ASSIGNED: ("Case assigned to you", "{customer}, account {account}."),
    NotificationKind.CASE_TAKEN_AWAY: (
        "Case taken away",
        "{customer}, account {account}, is no longer assigned to you.",
    ),
    NotificationKind.PROMISE_DUE: (
        "Promise due today",
        "{customer} promised to pay {amount} today (account {account}).",
    ),
    NotificationKind.FOLLOW_UP_DUE: (
        "Follow-up due today",
        "{customer}, account {account}: follow-up at {at} UTC.",
    ),
    NotificationKind.FOLLOW_UP_OVERDUE: (
        "Follow-up overdue",
        "{customer}, account {account}: the follow-up was due {at} UTC.",
    ),
    NotificationKind.INSTALMENT_MISSED: (
        "Instalment missed",
        "{customer} missed instalment {number} of {amount}, due {due_date}.",
    ),
    NotificationKind.HEARING_TOMORROW: (
        "Mediation hearing tomorrow",
        "{customer}, account {account}: the board sits at {at} UTC.",
    ),
    NotificationKind.REQUEST_APPROVED: (
        "Request approved",
        "Your {request} request on {customer}'s case was approved. {note}",
    ),
    NotificationKind.REQUEST_REJECTED: (
        "Request rejected",
        "Your {request} request on {customer}'s case was rejected: {note}",
    ),
    NotificationKind.MUTATION_REJECTED: (
        "Change not applied",
        "A change you sent (mutation {mutation_id}) was rejected: {reason}",
    ),
    NotificationKind.MUTATION_IN_REVIEW: (
        "Change sent for review",
        "A change you sent (mutation {mutation_id}) waits for your supervisor: {reason}",
    ),
    NotificationKind.VALIDITY_ENDING: (
        "Case returns to the pool soon",
        "{customer}, account {account}: the validity period ends {until} UTC.",
    ),
    NotificationKind.BROADCAST: ("{title}", "{body}"),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def staff_text(kind: NotificationKind, params: dict[str, str]) -> tuple[str, str]:
    """Title and body of a staff notification."""
    title, body = _STAFF[kind]
    return title.format_map(_Blank(params)), body.format_map(_Blank(params)).strip()
