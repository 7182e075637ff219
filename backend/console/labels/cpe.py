"""Returned equipment awaiting the RCMP's approval."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.cpe": ("Equipment approval", "උපකරණ අනුමැතිය", "உபகரண ஒப்புதல்"),
    "cpe.title": (
        "Returned equipment to approve",
        "අනුමත කළ යුතු ආපසු ලැබුණු උපකරණ",
        "ஒப்புதல் தர வேண்டிய திருப்பிய உபகரணங்கள்",
    ),
    "cpe.intro": (
        "Cases whose equipment was collected and waits for the RCMP's approval.",
        "උපකරණ එකතු කර RCMP අනුමැතිය බලාපොරොත්තුවෙන් ඇති නඩු ගොනු.",
        "உபகரணங்கள் சேகரிக்கப்பட்டு RCMP ஒப்புதலுக்குக் காத்திருக்கும் வழக்குகள்.",
    ),
    "cpe.none": (
        "No equipment is waiting for approval.",
        "අනුමැතිය බලාපොරොත්තුවෙන් උපකරණ නැත.",
        "ஒப்புதலுக்குக் காத்திருக்கும் உபகரணம் எதுவும் இல்லை.",
    ),
    "cpe.item_title": ("Returned equipment", "ආපසු ලැබුණු උපකරණ", "திருப்பிய உபகரணங்கள்"),
    "cpe.back": ("Back to equipment approval", "උපකරණ අනුමැතියට ආපසු", "உபகரண ஒப்புதலுக்குத் திரும்பு"),
    "cpe.items": ("Items", "අයිතම", "உருப்படிகள்"),
    "cpe.status": ("Recorded as", "සටහන් කළ ලෙස", "பதிவான நிலை"),
    "cpe.condition": ("Condition", "තත්ත්වය", "நிலைமை"),
    "cpe.photo": ("Photo", "ඡායාරූපය", "புகைப்படம்"),
    "cpe.collected_at": ("Collected", "එකතු කළේ", "சேகரிக்கப்பட்டது"),
    "cpe.reason": ("Reason", "හේතුව", "காரணம்"),
    "cpe.reason_hint": (
        "Required when rejecting: the items go back to the officer.",
        "ප්\u200dරතික්ෂේප කරන විට අවශ්\u200dයයි: අයිතම නැවත නිලධාරියා වෙත යයි.",
        "நிராகரிக்கும்போது தேவை: உருப்படிகள் அலுவலரிடம் திரும்பும்.",
    ),
    "cpe.reference": ("RCMP reference", "RCMP යොමුව", "RCMP குறிப்பு"),
    "cpe.reference_hint": ("Optional.", "අත්\u200dයවශ්\u200dය නොවේ.", "விருப்பத்துக்குரியது."),
    "cpe_status.open": ("Open", "විවෘත", "திறந்துள்ளது"),
    "cpe_status.not_available": ("Not available", "ලබා ගත නොහැක", "கிடைக்கவில்லை"),
    "cpe_status.lost": ("Lost", "නැති වී ඇත", "தொலைந்தது"),
    "cpe_status.damaged": ("Damaged", "හානි වී ඇත", "சேதமடைந்தது"),
    "cpe_status.collected": ("Collected", "එකතු කළා", "சேகரிக்கப்பட்டது"),
}
