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
    "reports.scheduled": ("Scheduled reports", "කාලසටහන්ගත වාර්තා", "திட்டமிட்ட அறிக்கைகள்"),
    "reports.none_scheduled": (
        "No report is mailed on a schedule yet.",
        "තවමත් කිසිදු වාර්තාවක් කාලසටහනකට අනුව තැපැල් නොකෙරේ.",
        "இதுவரை எந்த அறிக்கையும் திட்டப்படி அஞ்சல் செய்யப்படவில்லை.",
    ),
    "reports.mail_this": (
        "Mail this report on a schedule",
        "මෙම වාර්තාව කාලසටහනකට අනුව තැපැල් කරන්න",
        "இந்த அறிக்கையைத் திட்டப்படி அஞ்சல் செய்",
    ),
    "reports.format": ("Format", "ආකෘතිය", "வடிவம்"),
    "reports.frequency": ("Every", "වාර", "ஒவ்வொரு"),
    "reports.frequency_daily": ("Day", "දිනපතා", "நாளும்"),
    "reports.frequency_weekly": ("Week", "සතිපතා", "வாரமும்"),
    "reports.frequency_monthly": ("Month", "මාසිකව", "மாதமும்"),
    "reports.recipients": ("Recipients", "ලබන්නන්", "பெறுநர்கள்"),
    "reports.recipients_hint": (
        "Email addresses, separated by commas",
        "කොමා වලින් වෙන් කළ ඊමේල් ලිපින",
        "காற்புள்ளிகளால் பிரிக்கப்பட்ட மின்னஞ்சல் முகவரிகள்",
    ),
    "reports.every_drc": ("Every DRC", "සියලු DRC", "அனைத்து DRC"),
    "reports.subscribe": ("Schedule", "කාලසටහන් කරන්න", "திட்டமிடு"),
    "reports.stop": ("Stop", "නවත්වන්න", "நிறுத்து"),
}
