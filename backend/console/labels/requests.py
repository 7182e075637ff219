"""Officer requests waiting for a decision."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.requests": ("Requests", "ඉල්ලීම්", "கோரிக்கைகள்"),
    "requests.title": ("Officer requests", "නිලධාරී ඉල්ලීම්", "அலுவலர் கோரிக்கைகள்"),
    "requests.intro": (
        "Requests officers raised on their cases, waiting for approval.",
        "නිලධාරීන් තම නඩු ගොනු මත ඉදිරිපත් කළ, අනුමැතිය බලාපොරොත්තුවෙන් ඇති ඉල්ලීම්.",
        "அலுவலர்கள் தங்கள் வழக்குகளில் எழுப்பிய, ஒப்புதலுக்குக் காத்திருக்கும் கோரிக்கைகள்.",
    ),
    "requests.none": (
        "No request is waiting.",
        "බලාපොරොත්තුවෙන් ඇති ඉල්ලීමක් නැත.",
        "காத்திருக்கும் கோரிக்கை எதுவும் இல்லை.",
    ),
    "requests.item_title": ("Officer request", "නිලධාරී ඉල්ලීම", "அலுவலர் கோரிக்கை"),
    "requests.back": ("Back to requests", "ඉල්ලීම් වෙත ආපසු", "கோரிக்கைகளுக்குத் திரும்பு"),
    "requests.type": ("Request", "ඉල්ලීම", "கோரிக்கை"),
    "requests.asked": ("Asked for", "ඉල්ලා ඇත්තේ", "கேட்கப்பட்டது"),
    "requests.by": ("Raised by", "ඉදිරිපත් කළේ", "எழுப்பியவர்"),
    "requests.raised": ("Raised", "ඉදිරිපත් කළ වේලාව", "எழுப்பிய நேரம்"),
    "requests.until": ("Validity until {day}", "{day} දක්වා වලංගු", "{day} வரை செல்லுபடி"),
    "requests.status": ("Status", "තත්ත්වය", "நிலை"),
    "requests.details": ("Details", "විස්තර", "விவரங்கள்"),
    "requests.requested_until": (
        "Validity asked for",
        "ඉල්ලූ වලංගු දිනය",
        "கேட்கப்பட்ட செல்லுபடி நாள்",
    ),
    "requests.decided_by": ("Decided by", "තීරණය කළේ", "முடிவு செய்தவர்"),
    "requests.note": ("Note to the officer", "නිලධාරියාට සටහන", "அலுவலருக்குக் குறிப்பு"),
    "requests.note_hint": (
        "Required when rejecting: say what the officer can do.",
        "ප්\u200dරතික්ෂේප කරන විට අවශ්\u200dයයි: නිලධාරියාට කළ හැකි දේ සඳහන් කරන්න.",
        "நிராகரிக்கும்போது தேவை: அலுவலர் என்ன செய்யலாம் எனக் குறிப்பிடுங்கள்.",
    ),
    "requests.letter_reference": (
        "Issued letter's reference",
        "නිකුත් කළ ලිපියේ යොමුව",
        "வழங்கிய கடிதத்தின் குறிப்பு",
    ),
    "requests.letter_reference_hint": (
        "Required to approve a mediation board letter.",
        "සමථ මණ්ඩල ලිපියක් අනුමත කිරීමට අවශ්\u200dයයි.",
        "மத்தியஸ்த சபைக் கடிதத்துக்கு ஒப்புதல் அளிக்கத் தேவை.",
    ),
    "requests.not_yours": (
        "Someone else decides this request: operator staff decide validity extensions and "
        "board letters, and nobody decides a request they raised.",
        "මෙම ඉල්ලීම තීරණය කරන්නේ වෙනත් අයෙකි: වලංගු කාලය දීර්ඝ කිරීම් සහ මණ්ඩල ලිපි "
        "ක්\u200dරියාකරු කාර්ය මණ්ඩලය තීරණය කරයි; තමන් ඉදිරිපත් කළ ඉල්ලීමක් කිසිවෙක් තීරණය නොකරයි.",
        "இந்தக் கோரிக்கையை வேறொருவர் முடிவு செய்வார்: செல்லுபடி நீட்டிப்புகளையும் சபைக் "
        "கடிதங்களையும் இயக்குநர் பணியாளர்கள் முடிவு செய்வர்; தான் எழுப்பிய கோரிக்கையை யாரும் முடிவு செய்வதில்லை.",
    ),
    "request_type.mediation_board_letter": (
        "Mediation board letter",
        "සමථ මණ්ඩල ලිපිය",
        "மத்தியஸ்த சபைக் கடிதம்",
    ),
    "request_type.validity_extension": (
        "Validity extension",
        "වලංගු කාලය දීර්ඝ කිරීම",
        "செல்லுபடி நீட்டிப்பு",
    ),
    "request_type.other": ("Other", "වෙනත්", "பிற"),
    "request_status.pending": ("Pending", "පොරොත්තුවෙන්", "நிலுவையில்"),
    "request_status.approved": ("Approved", "අනුමත විය", "ஒப்புதல் பெற்றது"),
    "request_status.rejected": ("Rejected", "ප්\u200dරතික්ෂේප විය", "நிராகரிக்கப்பட்டது"),
}
