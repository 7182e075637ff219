"""The customer message templates page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.templates": ("Message templates", "පණිවිඩ ආකෘති", "செய்தி வார்ப்புருக்கள்"),
    "templates.title": (
        "Customer message templates",
        "පාරිභෝගික පණිවිඩ ආකෘති",
        "வாடிக்கையாளர் செய்தி வார்ப்புருக்கள்",
    ),
    "templates.intro": (
        "The wording customers receive by SMS and email, in each language.",
        "පාරිභෝගිකයින්ට SMS සහ ඊමේල් මගින් ලැබෙන වචන, එක් එක් භාෂාවෙන්.",
        "வாடிக்கையாளர்கள் SMS மற்றும் மின்னஞ்சல் மூலம் பெறும் சொற்கள், ஒவ்வொரு மொழியிலும்.",
    ),
    "templates.edit": ("Edit message template", "පණිවිඩ ආකෘතිය සංස්කරණය", "செய்தி வார்ப்புருவைத் திருத்து"),
    "templates.message": ("Message", "පණිවිඩය", "செய்தி"),
    "templates.channel": ("Channel", "මාධ්\u200dයය", "வழி"),
    "templates.language": ("Language", "භාෂාව", "மொழி"),
    "templates.wording": ("Wording", "වචන", "சொற்கள்"),
    "templates.built_in": ("Built in", "පෙරනිමි", "இயல்புநிலை"),
    "templates.custom": ("Reworded", "වෙනස් කළ", "மாற்றப்பட்டது"),
    "templates.subject": ("Subject", "මාතෘකාව", "பொருள்"),
    "templates.body": ("Text", "පෙළ", "உரை"),
    "templates.placeholders": (
        "Placeholders: {names}",
        "ස්ථාන දරණ: {names}",
        "இடம்பிடிகள்: {names}",
    ),
    "templates.preview": ("Preview", "පෙරදසුන", "முன்னோட்டம்"),
    "templates.preview_title": (
        "Preview with sample values",
        "නියැදි අගයන් සමඟ පෙරදසුන",
        "மாதிரி மதிப்புகளுடன் முன்னோட்டம்",
    ),
    "templates.preview_intro": (
        "What a customer would read; nothing is saved until you press Save.",
        "පාරිභෝගිකයෙකු කියවන දේ; සුරකින්න ඔබන තුරු කිසිවක් සුරැකෙන්නේ නැත.",
        "ஒரு வாடிக்கையாளர் படிப்பது; சேமி அழுத்தும் வரை எதுவும் சேமிக்கப்படாது.",
    ),
    "templates.reset_title": (
        "Built-in wording",
        "පෙරනිමි වචන",
        "இயல்புநிலைச் சொற்கள்",
    ),
    "templates.reset_intro": (
        "Drop this wording and send DebtX's own again.",
        "මෙම වචන ඉවත් කර නැවත DebtX හි මුල් වචන යවන්න.",
        "இந்தச் சொற்களை நீக்கி மீண்டும் DebtX-இன் சொந்தச் சொற்களை அனுப்பு.",
    ),
    "templates.reset": (
        "Back to the built-in wording",
        "පෙරනිමි වචන වෙත ආපසු",
        "இயல்புநிலைச் சொற்களுக்குத் திரும்பு",
    ),
    "template.payment_reminder": ("Payment reminder", "ගෙවීම් සිහිකැඳවීම", "கட்டண நினைவூட்டல்"),
    "template.promise_due": ("Promise due", "පොරොන්දුව නියමිතයි", "உறுதிமொழி நாள்"),
    "template.instalment_missed": ("Missed instalment", "නොගෙවූ වාරිකය", "செலுத்தப்படாத தவணை"),
    "channel.sms": ("SMS", "SMS", "SMS"),
    "channel.email": ("Email", "ඊමේල්", "மின்னஞ்சல்"),
    "language.en": ("English", "ඉංග්\u200dරීසි", "ஆங்கிலம்"),
    "language.si": ("Sinhala", "සිංහල", "சிங்களம்"),
    "language.ta": ("Tamil", "දෙමළ", "தமிழ்"),
    "saved.template_saved": ("Template saved.", "ආකෘතිය සුරැකුණා.", "வார்ப்புரு சேமிக்கப்பட்டது."),
    "saved.template_reset": (
        "Template back to the built-in wording.",
        "ආකෘතිය පෙරනිමි වචන වෙත ආපසු ගියා.",
        "வார்ப்புரு இயல்புநிலைச் சொற்களுக்குத் திரும்பியது.",
    ),
}
