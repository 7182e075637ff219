"""Cases in legal review."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.legal": ("Legal review", "නීතිමය සමාලෝචනය", "சட்ட மீளாய்வு"),
    "legal.title": ("Legal review", "නීතිමය සමාලෝචනය", "சட்ட மீளாய்வு"),
    "legal.intro": (
        "Cases whose mediation failed, with the board's recommendation: legal action or write-off.",
        "සමථය අසාර්ථක වූ නඩු ගොනු, මණ්ඩලයේ නිර්දේශය සමඟ: නීතිමය ක්\u200dරියාමාර්ග හෝ කපා හැරීම.",
        "மத்தியஸ்தம் தோல்வியடைந்த வழக்குகள், சபையின் பரிந்துரையுடன்: சட்ட நடவடிக்கை அல்லது தள்ளுபடி.",
    ),
    "legal.none": (
        "No case is in legal review.",
        "නීතිමය සමාලෝචනයේ නඩු ගොනු නැත.",
        "சட்ட மீளாய்வில் வழக்கு எதுவும் இல்லை.",
    ),
    "legal.item_title": (
        "Recommendation to decide",
        "තීරණය කළ යුතු නිර්දේශය",
        "முடிவு செய்ய வேண்டிய பரிந்துரை",
    ),
    "legal.back": ("Back to legal review", "නීතිමය සමාලෝචනයට ආපසු", "சட்ட மீளாய்வுக்குத் திரும்பு"),
    "legal.recommendation": ("Recommendation", "නිර්දේශය", "பரிந்துரை"),
    "legal.kind": ("Recommended", "නිර්දේශ කළේ", "பரிந்துரைக்கப்பட்டது"),
    "legal.recommended_at": ("When", "කවදා", "எப்போது"),
    "legal.justification": ("Justification", "සාධාරණීකරණය", "நியாயப்படுத்தல்"),
    "legal.hearings": ("Hearings", "නඩු විභාග", "விசாரணைகள்"),
    "legal.held_at": ("Held", "පැවැත්වූයේ", "நடைபெற்றது"),
    "legal.outcome": ("Outcome", "ප්\u200dරතිඵලය", "முடிவு"),
    "legal.notes": ("Notes", "සටහන්", "குறிப்புகள்"),
    "legal.reason": ("Reason", "හේතුව", "காரணம்"),
    "legal.reason_hint": (
        "Required when rejecting: the case goes back to mediation.",
        "ප්\u200dරතික්ෂේප කරන විට අවශ්\u200dයයි: නඩු ගොනුව නැවත සමථයට යයි.",
        "நிராகரிக்கும்போது தேவை: வழக்கு மீண்டும் மத்தியஸ்தத்துக்குச் செல்லும்.",
    ),
    "recommendation.legal": ("Legal action", "නීතිමය ක්\u200dරියාමාර්ග", "சட்ட நடவடிக்கை"),
    "recommendation.write_off": ("Write-off", "කපා හැරීම", "தள்ளுபடி"),
    "hearing.adjourned": ("Adjourned", "කල් තැබිණි", "ஒத்திவைக்கப்பட்டது"),
    "hearing.settled": ("Settled", "සමථයකට පත් විය", "தீர்வு கண்டது"),
    "hearing.failed": ("Failed", "අසාර්ථක විය", "தோல்வியடைந்தது"),
    "hearing.customer_absent": ("Customer absent", "පාරිභෝගිකයා නොපැමිණියේය", "வாடிக்கையாளர் வரவில்லை"),
}
