"""The dashboard: cards, charts and the tables of their figures."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.dashboard": ("Dashboard", "උපකරණ පුවරුව", "கட்டுப்பாட்டுப் பலகை"),
    "dashboard.title": ("Dashboard", "උපකරණ පුවරුව", "கட்டுப்பாட்டுப் பலகை"),
    "dashboard.filters": ("Dashboard filters", "පුවරුවේ පෙරහන්", "பலகை வடிகட்டிகள்"),
    "dashboard.figures": ("Figures", "සංඛ්\u200dයා", "புள்ளிவிவரங்கள்"),
    "dashboard.window": ("Period", "කාල සීමාව", "காலம்"),
    "dashboard.months": ("Last {n} months", "පසුගිය මාස {n}", "கடந்த {n} மாதங்கள்"),
    "dashboard.since": (
        "Work since {day}; cases held and open cases as they are now.",
        "{day} සිට කළ වැඩ; දරන සහ විවෘත ගොනු දැන් පවතින පරිදි.",
        "{day} முதல் செய்த பணி; வைத்திருக்கும் மற்றும் திறந்த வழக்குகள் இப்போதுள்ளபடி.",
    ),
    "dashboard.live": (
        "These figures refresh by themselves.",
        "මෙම සංඛ්\u200dයා ස්වයංක්\u200dරීයව යාවත්කාලීන වේ.",
        "இந்தப் புள்ளிவிவரங்கள் தானாகப் புதுப்பிக்கப்படும்.",
    ),
    "dashboard.open_cases": ("Open cases", "විවෘත ගොනු", "திறந்த வழக்குகள்"),
    "dashboard.collected": ("Collected", "අය කළ මුදල", "வசூலித்த தொகை"),
    "dashboard.placed": ("Arrears placed", "පැවරූ හිඟ මුදල", "ஒப்படைத்த நிலுவை"),
    "dashboard.rate": ("Recovery rate", "අය කිරීමේ අනුපාතය", "மீட்பு விகிதம்"),
    "dashboard.promises": (
        "Promises kept / broken",
        "රැකි / කඩ කළ පොරොන්දු",
        "காப்பாற்றிய / மீறிய வாக்குறுதிகள்",
    ),
    "dashboard.kept_broken": (
        "{kept} kept, {broken} broken",
        "රැකි {kept}, කඩ කළ {broken}",
        "{kept} காப்பாற்றியவை, {broken} மீறியவை",
    ),
    "dashboard.by_phase": ("Cases by phase", "අදියර අනුව ගොනු", "கட்டம் வாரியாக வழக்குகள்"),
    "dashboard.aging": ("Aging of open cases", "විවෘත ගොනුවල කල් ඉකුත්වීම", "திறந்த வழக்குகளின் கால அளவு"),
    "dashboard.recovery": (
        "Amounts recovered and recovery rate",
        "අය කළ මුදල් සහ අය කිරීමේ අනුපාතය",
        "மீட்ட தொகைகளும் மீட்பு விகிதமும்",
    ),
    "dashboard.officers": ("Officers' performance", "නිලධාරීන්ගේ කාර්ය සාධනය", "அலுவலர்களின் செயல்திறன்"),
    "dashboard.drcs": ("DRCs compared", "DRC සැසඳීම", "DRC-களின் ஒப்பீடு"),
    "dashboard.table_of": (
        "The figures of: {title}",
        "සංඛ්\u200dයා: {title}",
        "புள்ளிவிவரங்கள்: {title}",
    ),
    "dashboard.chart_first": (
        "The chart draws the first {n}, most collected first.",
        "ප්\u200dරස්තාරයේ ඇත්තේ වැඩිපුරම අය කළ පළමු {n} පමණි.",
        "வரைபடம் அதிகம் வசூலித்த முதல் {n} மட்டும் காட்டுகிறது.",
    ),
    "dashboard.cases": ("Cases", "ගොනු", "வழக்குகள்"),
    "dashboard.held": ("Cases held", "දරන ගොනු", "வைத்திருக்கும் வழக்குகள்"),
    "dashboard.contacts": ("Contacts", "සම්බන්ධ කර ගැනීම්", "தொடர்புகள்"),
    "dashboard.kept": ("Promises kept", "රැකි පොරොන්දු", "காப்பாற்றிய வாக்குறுதிகள்"),
    "dashboard.broken": ("Promises broken", "කඩ කළ පොරොන්දු", "மீறிய வாக்குறுதிகள்"),
    "dashboard.month": ("Month", "මාසය", "மாதம்"),
    "dashboard.days_overdue": ("Days overdue", "ප්\u200dරමාද දින", "தாமத நாட்கள்"),
    "dashboard.band": ("{low}\u2013{high} days", "දින {low}\u2013{high}", "{low}\u2013{high} நாட்கள்"),
    "dashboard.band_over": ("Over {days} days", "දින {days} ට වැඩි", "{days} நாட்களுக்கு மேல்"),
    "dashboard.nobody": ("No one to show.", "පෙන්වීමට කිසිවෙක් නැත.", "காட்ட யாரும் இல்லை."),
}
