"""The staff accounts page (operator admins)."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.users": ("Users", "පරිශීලකයින්", "பயனர்கள்"),
    "users.title": ("Users", "පරිශීලකයින්", "பயனர்கள்"),
    "users.new": ("New user", "නව පරිශීලකයා", "புதிய பயனர்"),
    "users.edit": ("Edit user", "පරිශීලකයා සංස්කරණය", "பயனரைத் திருத்து"),
    "users.filters": ("Filter users", "පරිශීලකයින් පෙරන්න", "பயனர்களை வடிகட்டு"),
    "users.clear": ("Clear filters", "පෙරහන් ඉවත් කරන්න", "வடிகட்டிகளை அழி"),
    "users.none": ("No users match.", "ගැළපෙන පරිශීලකයින් නැත.", "பொருந்தும் பயனர்கள் இல்லை."),
    "users.pages": ("Pages", "පිටු", "பக்கங்கள்"),
    "users.uid": ("Sign-in id", "පිවිසුම් හැඳුනුම", "உள்நுழைவு அடையாளம்"),
    "users.uid_hint": (
        "The account's Firebase Authentication uid.",
        "ගිණුමේ Firebase Authentication uid අගය.",
        "கணக்கின் Firebase Authentication uid.",
    ),
    "users.name": ("Name", "නම", "பெயர்"),
    "users.email": ("Email", "ඊමේල්", "மின்னஞ்சல்"),
    "users.role": ("Role", "භූමිකාව", "பங்கு"),
    "users.drc": ("DRC", "DRC", "DRC"),
    "users.no_drc": (
        "No DRC (operator staff)",
        "DRC නැත (ක්\u200dරියාකරු කාර්ය මණ්ඩලය)",
        "DRC இல்லை (இயக்குநர் பணியாளர்)",
    ),
    "users.phone": ("Phone", "දුරකථනය", "தொலைபேசி"),
    "users.area": ("Area", "ප්\u200dරදේශය", "பகுதி"),
    "users.area_hint": (
        "Where a recovery officer works; cases of that region go to them first.",
        "අය කිරීමේ නිලධාරියා වැඩ කරන ප්\u200dරදේශය; එම කලාපයේ නඩු ගොනු පළමුව ඔහුට යයි.",
        "மீட்பு அலுவலர் பணிபுரியும் பகுதி; அப்பிராந்திய வழக்குகள் முதலில் அவருக்குச் செல்லும்.",
    ),
    "saved.user_created": ("User created.", "පරිශීලකයා සෑදුවා.", "பயனர் உருவாக்கப்பட்டார்."),
    "saved.user_updated": ("User saved.", "පරිශීලකයා සුරැකුණා.", "பயனர் சேமிக்கப்பட்டார்."),
    "saved.user_enabled": ("User enabled.", "පරිශීලකයා සක්\u200dරිය කළා.", "பயனர் இயக்கப்பட்டார்."),
    "saved.user_disabled": (
        "User disabled; they are signed out at their next request.",
        "පරිශීලකයා අක්\u200dරිය කළා; ඊළඟ ඉල්ලීමේදී ඔහු පිටවනු ඇත.",
        "பயனர் முடக்கப்பட்டார்; அடுத்த கோரிக்கையில் அவர் வெளியேற்றப்படுவார்.",
    ),
}
