"""The reports page: filters, downloads and the table of a report's figures."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.reports": ("Reports", "වාර්තා", "அறிக்கைகள்"),
    "reports.title": ("Reports", "වාර්තා", "அறிக்கைகள்"),
    "reports.filters": ("Report filters", "වාර්තා පෙරහන්", "அறிக்கை வடிகட்டிகள்"),
    "reports.report": ("Report", "වාර්තාව", "அறிக்கை"),
    "reports.from": ("From", "සිට", "இருந்து"),
    "reports.to": ("To", "දක්වා", "வரை"),
    "reports.period": ("Payment trends per", "ගෙවීම් ප්\u200dරවණතා", "கட்டணப் போக்குகள்"),
    "reports.period_day": ("Day", "දිනය", "நாள்"),
    "reports.period_week": ("Week", "සතිය", "வாரம்"),
    "reports.period_month": ("Month", "මාසය", "மாதம்"),
    "reports.download_csv": ("Download CSV", "CSV බාගන්න", "CSV பதிவிறக்கு"),
    "reports.download_pdf": ("Download PDF", "PDF බාගන්න", "PDF பதிவிறக்கு"),
    "reports.empty": (
        "No figures in this window",
        "මෙම කාලයේ සංඛ්\u200dයා නැත",
        "இந்தக் காலத்தில் புள்ளிவிவரங்கள் இல்லை",
    ),
}
