"""The DRCs page (operator admins)."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.drcs": ("DRCs", "DRC ආයතන", "DRC நிறுவனங்கள்"),
    "drcs.title": (
        "Debt recovery companies",
        "ණය අය කිරීමේ සමාගම්",
        "கடன் மீட்பு நிறுவனங்கள்",
    ),
    "drcs.new": ("New DRC", "නව DRC", "புதிய DRC"),
    "drcs.none": ("No DRCs yet.", "තවමත් DRC නැත.", "இன்னும் DRC இல்லை."),
    "drcs.id": ("Code", "කේතය", "குறியீடு"),
    "drcs.id_hint": (
        "Capital letters, digits and dashes, e.g. DRC-ACME.",
        "ලොකු අකුරු, ඉලක්කම් සහ ඉරි, උදා. DRC-ACME.",
        "பெரிய எழுத்துகள், எண்கள், கோடுகள், எ.கா. DRC-ACME.",
    ),
    "drcs.name": ("Name", "නම", "பெயர்"),
    "drcs.regions": ("Regions", "කලාප", "பிராந்தியங்கள்"),
    "drcs.regions_hint": (
        "Separated by commas; blank takes any region.",
        "කොමා වලින් වෙන් කරන්න; හිස් නම් ඕනෑම කලාපයක්.",
        "காற்புள்ளிகளால் பிரிக்கவும்; காலியெனில் எந்தப் பிராந்தியமும்.",
    ),
    "drcs.any_region": ("Any region", "ඕනෑම කලාපයක්", "எந்தப் பிராந்தியமும்"),
    "drcs.capacity": ("Capacity", "ධාරිතාව", "கொள்ளளவு"),
    "drcs.capacity_hint": (
        "Open cases it may hold at once.",
        "එකවර දැරිය හැකි විවෘත නඩු ගොනු ගණන.",
        "ஒரே நேரத்தில் வைத்திருக்கக்கூடிய திறந்த வழக்குகள்.",
    ),
    "drcs.score": ("Performance score", "කාර්ය සාධන ලකුණ", "செயல்திறன் மதிப்பெண்"),
    "drcs.score_hint": ("From 0 to 1.", "0 සිට 1 දක්වා.", "0 முதல் 1 வரை."),
    "drcs.preference": ("Hands cases out", "නඩු ගොනු බෙදන ආකාරය", "வழக்குகளைப் பகிரும் முறை"),
    "drcs.contact": ("Contact", "සම්බන්ධතා", "தொடர்பு"),
    "drcs.contact_email": ("Contact email", "සම්බන්ධතා ඊමේල්", "தொடர்பு மின்னஞ்சல்"),
    "drcs.contact_phone": ("Contact phone", "සම්බන්ධතා දුරකථනය", "தொடர்பு தொலைபேசி"),
    "preference.manual": ("By hand", "අතින්", "கைமுறையாக"),
    "preference.round_robin": ("In turn", "වාරයෙන් වාරයට", "முறை வைத்து"),
    "preference.least_loaded": (
        "Least loaded first",
        "අඩුම බර ඇති අයට පළමුව",
        "குறைந்த சுமை உள்ளவருக்கு முதலில்",
    ),
    "preference.by_area": ("By area", "ප්\u200dරදේශය අනුව", "பகுதி வாரியாக"),
    "saved.drc_created": ("DRC registered.", "DRC ලියාපදිංචි කළා.", "DRC பதிவு செய்யப்பட்டது."),
    "saved.drc_enabled": ("DRC enabled.", "DRC සක්\u200dරිය කළා.", "DRC இயக்கப்பட்டது."),
    "saved.drc_disabled": ("DRC disabled.", "DRC අක්\u200dරිය කළා.", "DRC முடக்கப்பட்டது."),
}
