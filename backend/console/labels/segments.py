"""The segments page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.segments": ("Segments", "කාණ්ඩ", "பிரிவுகள்"),
    "segments.title": (
        "Segments of accounts in arrears",
        "හිඟ ගිණුම් කාණ්ඩ",
        "நிலுவைக் கணக்குகளின் பிரிவுகள்",
    ),
    "segments.intro": (
        "An account joins the first segment, top to bottom, whose every rule it meets.",
        "ගිණුමක් ඉහළ සිට පහළට, සියලු නීති සපුරාලන පළමු කාණ්ඩයට එක් වේ.",
        "ஒரு கணக்கு, மேலிருந்து கீழாக, அதன் எல்லா விதிகளையும் நிறைவு செய்யும் முதல் பிரிவில் சேரும்.",
    ),
    "segments.none": (
        "No segment yet: every account stays outside the ladders.",
        "තවම කාණ්ඩයක් නැත: සෑම ගිණුමක්ම පියගැට පෙළින් පිටත සිටී.",
        "இன்னும் பிரிவு இல்லை: எல்லாக் கணக்குகளும் படிநிலைகளுக்கு வெளியே உள்ளன.",
    ),
    "segments.new": ("New segment", "නව කාණ්ඩය", "புதிய பிரிவு"),
    "segments.edit": ("Edit segment", "කාණ්ඩය සංස්කරණය", "பிரிவைத் திருத்து"),
    "segments.order": ("Order", "අනුපිළිවෙල", "வரிசை"),
    "segments.name": ("Name", "නම", "பெயர்"),
    "segments.key": ("Key", "යතුර", "குறியீடு"),
    "segments.key_hint": (
        "Lower-case letters, digits and hyphens, e.g. high-balance; it cannot change later.",
        "කුඩා අකුරු, ඉලක්කම් සහ ඉරි, උදා. high-balance; පසුව වෙනස් කළ නොහැක.",
        "சிறிய எழுத்துகள், எண்கள், இணைப்புக்கோடுகள், எ.கா. high-balance; பின்னர் மாற்ற முடியாது.",
    ),
    "segments.rules": ("Rules", "නීති", "விதிகள்"),
    "segments.version": ("Version", "අනුවාදය", "பதிப்பு"),
    "segments.strategy": ("Strategy", "උපාය මාර්ගය", "உத்தி"),
    "segments.every_account": ("Every account", "සියලු ගිණුම්", "எல்லாக் கணக்குகளும்"),
    "segments.balance": ("Balance", "ශේෂය", "நிலுவைத் தொகை"),
    "segments.balance_min": (
        "Balance at least ({currency})",
        "අවම ශේෂය ({currency})",
        "குறைந்தபட்ச நிலுவை ({currency})",
    ),
    "segments.balance_max": (
        "Balance at most ({currency})",
        "උපරිම ශේෂය ({currency})",
        "அதிகபட்ச நிலுவை ({currency})",
    ),
    "segments.amount_hint": (
        "In rupees, e.g. 5000.00; blank for no bound.",
        "රුපියල් වලින්, උදා. 5000.00; සීමාවක් නැත්නම් හිස්ව තබන්න.",
        "ரூபாயில், எ.கா. 5000.00; வரம்பு இல்லையெனில் வெறுமையாக விடவும்.",
    ),
    "segments.days_past_due": ("Days past due", "ප්\u200dරමාද දින", "தாமத நாட்கள்"),
    "segments.days_past_due_min": (
        "Days past due, at least",
        "අවම ප්\u200dරමාද දින",
        "குறைந்தபட்ச தாமத நாட்கள்",
    ),
    "segments.days_past_due_max": (
        "Days past due, at most",
        "උපරිම ප්\u200dරමාද දින",
        "அதிகபட்ச தாமத நாட்கள்",
    ),
    "segments.payments_max": (
        "Payments, at most",
        "උපරිම ගෙවීම් ගණන",
        "அதிகபட்ச கட்டணங்கள்",
    ),
    "segments.payments_hint": (
        "0 for accounts that never paid.",
        "කිසිදා නොගෙවූ ගිණුම් සඳහා 0.",
        "ஒருபோதும் செலுத்தாத கணக்குகளுக்கு 0.",
    ),
    "segments.promises_broken_min": (
        "Promises broken, at least",
        "අවම කඩ කළ පොරොන්දු",
        "குறைந்தபட்சம் மீறிய உறுதிமொழிகள்",
    ),
    "segments.regions": ("Regions", "ප්\u200dරදේශ", "பிராந்தியங்கள்"),
    "segments.product_types": ("Product types", "නිෂ්පාදන වර්ග", "தயாரிப்பு வகைகள்"),
    "segments.customer_groups": ("Customer groups", "පාරිභෝගික කණ්ඩායම්", "வாடிக்கையாளர் குழுக்கள்"),
    "segments.risk_bands": ("Risk bands", "අවදානම් මට්ටම්", "இடர் நிலைகள்"),
    "segments.list_hint": (
        "Separated by commas; blank for any.",
        "කොමා වලින් වෙන් කරන්න; ඕනෑම එකක් සඳහා හිස්ව තබන්න.",
        "காற்புள்ளிகளால் பிரிக்கவும்; ஏதேனும் எனில் வெறுமையாக விடவும்.",
    ),
    "segments.up": ("Move up", "ඉහළට", "மேலே நகர்த்து"),
    "segments.down": ("Move down", "පහළට", "கீழே நகர்த்து"),
    "saved.segment_created": ("Segment added.", "කාණ්ඩය එක් කළා.", "பிரிவு சேர்க்கப்பட்டது."),
    "saved.segment_updated": (
        "Segment saved as a new version.",
        "කාණ්ඩය නව අනුවාදයක් ලෙස සුරැකුණා.",
        "பிரிவு புதிய பதிப்பாகச் சேமிக்கப்பட்டது.",
    ),
    "saved.segments_reordered": (
        "Order saved.",
        "අනුපිළිවෙල සුරැකුණා.",
        "வரிசை சேமிக்கப்பட்டது.",
    ),
}
