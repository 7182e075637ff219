"""The staff worklist page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.worklist": ("Worklist", "කාර්ය ලැයිස්තුව", "பணிப் பட்டியல்"),
    "worklist.title": ("Staff worklist", "කාර්ය මණ්ඩල කාර්ය ලැයිස්තුව", "பணியாளர் பணிப் பட்டியல்"),
    "worklist.intro": (
        "Promises to follow up, replies nobody could match, and accounts the ladder got "
        "no answer from. Claim one, do it, and close it with a note.",
        "පසු විපරම් කළ යුතු පොරොන්දු, කිසිවෙකුට ගැළපිය නොහැකි වූ පිළිතුරු සහ පියගැට "
        "පෙළට පිළිතුරක් නොලැබුණු ගිණුම්. එකක් භාරගෙන, එය කර, සටහනක් සමඟ වසන්න.",
        "பின்தொடர வேண்டிய உறுதிமொழிகள், யாராலும் பொருத்த முடியாத பதில்கள், படிநிலைக்குப் "
        "பதில் கிடைக்காத கணக்குகள். ஒன்றை ஏற்று, செய்து, குறிப்புடன் மூடவும்.",
    ),
    "worklist.none": ("Nothing waits.", "කිසිවක් බලාපොරොත්තුවෙන් නැත.", "எதுவும் காத்திருக்கவில்லை."),
    "worklist.item_title": ("Worklist item", "කාර්ය අයිතමය", "பணி உருப்படி"),
    "worklist.back": ("Back to the worklist", "කාර්ය ලැයිස්තුවට ආපසු", "பணிப் பட்டியலுக்குத் திரும்பு"),
    "worklist.which": ("Kinds of item", "අයිතම වර්ග", "உருப்படி வகைகள்"),
    "worklist.every_kind": ("Every kind", "සියලු වර්ග", "எல்லா வகைகளும்"),
    "worklist.due": ("Due", "නියමිත දිනය", "உரிய நாள்"),
    "worklist.what": ("What", "කුමක්ද", "என்ன"),
    "worklist.title_of": ("Summary", "සාරාංශය", "சுருக்கம்"),
    "worklist.account": ("Account", "ගිණුම", "கணக்கு"),
    "worklist.customer": ("Customer", "පාරිභෝගිකයා", "வாடிக்கையாளர்"),
    "worklist.state": ("State", "තත්ත්වය", "நிலை"),
    "worklist.assignee": ("Claimed by", "භාරගත් අය", "ஏற்றவர்"),
    "worklist.opened": ("Opened", "විවෘත කළේ", "திறக்கப்பட்டது"),
    "worklist.closed": ("Closed", "වැසුවේ", "மூடப்பட்டது"),
    "worklist.look_up": ("Account number", "ගිණුම් අංකය", "கணக்கு எண்"),
    "worklist.open_account": ("Open the account", "ගිණුම විවෘත කරන්න", "கணக்கைத் திற"),
    "worklist.reply": ("The reply", "පිළිතුර", "பதில்"),
    "worklist.candidates": (
        "Customers it could be from",
        "එය පැමිණිය හැකි පාරිභෝගිකයින්",
        "அது வந்திருக்கக்கூடிய வாடிக்கையாளர்கள்",
    ),
    "worklist.notes": ("Notes", "සටහන්", "குறிப்புகள்"),
    "worklist.no_notes": ("No note yet.", "තවම සටහනක් නැත.", "இன்னும் குறிப்பு இல்லை."),
    "worklist.done": (
        "This item is done.",
        "මෙම අයිතමය අවසන්.",
        "இந்த உருப்படி முடிந்தது.",
    ),
    "worklist.claim": ("Claim", "භාරගන්න", "ஏற்றுக்கொள்"),
    "worklist.close": ("Close with this note", "මෙම සටහන සමඟ වසන්න", "இந்தக் குறிப்புடன் மூடு"),
    "worklist.note": ("What was done", "කළ දේ", "செய்யப்பட்டது"),
    "worklist.note_hint": (
        "Kept with the item and in the audit trail.",
        "අයිතමය සමඟ සහ විගණන සටහනේ තබා ගැනේ.",
        "உருப்படியுடனும் தணிக்கைப் பதிவிலும் வைக்கப்படும்.",
    ),
    "work_kind.promise_follow_up": (
        "Promise to follow up",
        "පසු විපරම් කළ යුතු පොරොන්දුව",
        "பின்தொடர வேண்டிய உறுதிமொழி",
    ),
    "work_kind.unmatched_response": (
        "Unmatched reply",
        "නොගැළපුණු පිළිතුර",
        "பொருந்தாத பதில்",
    ),
    "work_kind.escalation": ("Escalation", "උත්සන්න කිරීම", "மேலனுப்புதல்"),
    "work_status.open": ("Open", "විවෘතයි", "திறந்தது"),
    "work_status.claimed": ("Claimed", "භාරගෙන ඇත", "ஏற்கப்பட்டது"),
    "work_status.done": ("Done", "අවසන්", "முடிந்தது"),
    "queue_done.claim": (
        "Claimed: the item is yours.",
        "භාරගත්තා: අයිතමය ඔබගේයි.",
        "ஏற்கப்பட்டது: உருப்படி உங்களுடையது.",
    ),
    "queue_done.close": ("Closed.", "වැසුවා.", "மூடப்பட்டது."),
}
