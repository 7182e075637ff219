"""What the settings pages share: forms, buttons, status."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "editing.back": ("Back to the list", "ලැයිස්තුවට ආපසු", "பட்டியலுக்குத் திரும்பு"),
    "editing.save": ("Save", "සුරකින්න", "சேமி"),
    "editing.cancel": ("Cancel", "අවලංගු කරන්න", "ரத்துசெய்"),
    "editing.edit": ("Edit", "සංස්කරණය", "திருத்து"),
    "editing.enable": ("Enable", "සක්\u200dරිය කරන්න", "இயக்கு"),
    "editing.disable": ("Disable", "අක්\u200dරිය කරන්න", "முடக்கு"),
    "editing.active": ("Active", "සක්\u200dරියයි", "செயலில்"),
    "editing.inactive": ("Disabled", "අක්\u200dරියයි", "முடக்கப்பட்டது"),
    "editing.status": ("Status", "තත්ත්වය", "நிலை"),
    "editing.actions": ("Actions", "ක්\u200dරියා", "செயல்கள்"),
    "editing.filter": ("Filter", "පෙරන්න", "வடிகட்டு"),
    "editing.any": ("Any", "ඕනෑම", "ஏதேனும்"),
    "editing.next_page": ("Next page", "ඊළඟ පිටුව", "அடுத்த பக்கம்"),
}
