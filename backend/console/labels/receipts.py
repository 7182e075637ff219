"""The payments received page: receipts in suspense and flagged receipts."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.receipts": ("Payments received", "ලැබුණු ගෙවීම්", "பெறப்பட்ட கொடுப்பனவுகள்"),
    "receipts.title": ("Payments received", "ලැබුණු ගෙවීම්", "பெறப்பட்ட கொடுப்பனவுகள்"),
    "receipts.intro": (
        "Money M-PESA, the bank or the card provider reported that could not be booked "
        "by itself, and receipts flagged for review. Match one to an account or case, or "
        "refund it to the payer.",
        "M-PESA, බැංකුව හෝ කාඩ්පත් සපයන්නා වාර්තා කළ, ස්වයංක්\u200dරීයව ගිණුම්ගත කළ "
        "නොහැකි වූ මුදල් සහ සමාලෝචනය සඳහා සලකුණු කළ රිසිට්පත්. එකක් ගිණුමකට හෝ "
        "නඩුවකට ගළපන්න, නැතහොත් ගෙවූ අයට ආපසු ගෙවන්න.",
        "M-PESA, வங்கி அல்லது அட்டை வழங்குநர் தெரிவித்த, தானாகப் பதிவு செய்ய முடியாத "
        "பணமும் பரிசீலனைக்காகக் குறிக்கப்பட்ட ரசீதுகளும். ஒன்றைக் கணக்கு அல்லது "
        "வழக்குடன் பொருத்தவும், அல்லது செலுத்தியவருக்குத் திருப்பிச் செலுத்தவும்.",
    ),
    "receipts.none": (
        "No receipt waits here.",
        "මෙහි කිසිදු රිසිට්පතක් බලාපොරොත්තුවෙන් නැත.",
        "இங்கு எந்த ரசீதும் காத்திருக்கவில்லை.",
    ),
    "receipts.item_title": ("Payment received", "ලැබුණු ගෙවීම", "பெறப்பட்ட கொடுப்பனவு"),
    "receipts.back": (
        "Back to payments received",
        "ලැබුණු ගෙවීම් වෙත ආපසු",
        "பெறப்பட்ட கொடுப்பனவுகளுக்குத் திரும்பு",
    ),
    "receipts.which": ("Which receipts", "කුමන රිසිට්පත්", "எந்த ரசீதுகள்"),
    "receipt_view.suspense": ("In suspense", "අත්හිටුවා ඇති", "நிலுவையில் உள்ளவை"),
    "receipt_view.flagged": ("Flagged for review", "සමාලෝචනයට සලකුණු කළ", "பரிசீலனைக்குக் குறிக்கப்பட்டவை"),
    "receipts.received": ("Received", "ලැබුණේ", "பெறப்பட்டது"),
    "receipts.paid_at": ("Paid", "ගෙවූයේ", "செலுத்தப்பட்டது"),
    "receipts.provider": ("Provider", "සපයන්නා", "வழங்குநர்"),
    "receipts.transaction": ("Transaction", "ගනුදෙනුව", "பரிவர்த்தனை"),
    "receipts.amount": ("Amount", "මුදල", "தொகை"),
    "receipts.payer": ("Payer", "ගෙවන්නා", "செலுத்துபவர்"),
    "receipts.phone": ("Phone", "දුරකථනය", "தொலைபேசி"),
    "receipts.reference": ("Reference", "යොමුව", "குறிப்பு எண்"),
    "receipts.state": ("State", "තත්ත්වය", "நிலை"),
    "receipts.sightings": ("Times reported", "වාර්තා කළ වාර ගණන", "தெரிவிக்கப்பட்ட முறைகள்"),
    "receipts.match": ("Matched by", "ගැළපූ ආකාරය", "பொருத்திய விதம்"),
    "receipts.account": ("Account", "ගිණුම", "கணக்கு"),
    "receipts.case": ("Case", "නඩුව", "வழக்கு"),
    "receipts.why_suspense": ("Why it waits", "එය බලා සිටින්නේ ඇයි", "ஏன் காத்திருக்கிறது"),
    "receipts.refunded_by": ("Refunded", "ආපසු ගෙවන ලදී", "திருப்பிச் செலுத்தப்பட்டது"),
    "receipts.flags": ("Flags", "සලකුණු", "குறியீடுகள்"),
    "receipts.no_flags": ("Nothing flagged.", "කිසිවක් සලකුණු කර නැත.", "எதுவும் குறிக்கப்படவில்லை."),
    "receipts.account_number": ("Account number", "ගිණුම් අංකය", "கணக்கு எண்"),
    "receipts.account_hint": (
        "Booked to the account's open case; without one, to the account.",
        "ගිණුමේ විවෘත නඩුවට ගිණුම්ගත වේ; එවැන්නක් නැතිනම් ගිණුමට.",
        "கணக்கின் திறந்த வழக்கில் பதிவாகும்; அது இல்லையெனில் கணக்கில்.",
    ),
    "receipts.case_id": ("Case (optional)", "නඩුව (අමතර)", "வழக்கு (விருப்பம்)"),
    "receipts.case_hint": (
        "The case's id, when the account has more than one case.",
        "ගිණුමට නඩු එකකට වඩා ඇති විට නඩුවේ හැඳුනුම් අංකය.",
        "கணக்கில் ஒன்றுக்கு மேற்பட்ட வழக்குகள் இருந்தால் வழக்கின் அடையாள எண்.",
    ),
    "receipts.book": ("Book it here", "මෙහි ගිණුම්ගත කරන්න", "இங்கே பதிவு செய்"),
    "receipts.reason": ("Why it is refunded", "ආපසු ගෙවන්නේ ඇයි", "ஏன் திருப்பிச் செலுத்தப்படுகிறது"),
    "receipts.reason_hint": (
        "Kept with the receipt and in the audit trail.",
        "රිසිට්පත සමඟ සහ විගණන සටහනේ තබා ගැනේ.",
        "ரசீதுடனும் தணிக்கைப் பதிவிலும் வைக்கப்படும்.",
    ),
    "receipts.refund": (
        "Refund to the payer",
        "ගෙවූ අයට ආපසු ගෙවන්න",
        "செலுத்தியவருக்குத் திருப்பிச் செலுத்து",
    ),
    "receipt_settled.booked": (
        "This receipt is booked; a booked payment is reversed from its case.",
        "මෙම රිසිට්පත ගිණුම්ගත කර ඇත; ගිණුම්ගත ගෙවීමක් එහි නඩුවෙන් ප්\u200dරතිවර්තනය කෙරේ.",
        "இந்த ரசீது பதிவாகிவிட்டது; பதிவான கொடுப்பனவு அதன் வழக்கிலிருந்து திரும்பப் பெறப்படும்.",
    ),
    "receipt_settled.refunded": (
        "This receipt was refunded to the payer.",
        "මෙම රිසිට්පත ගෙවූ අයට ආපසු ගෙවන ලදී.",
        "இந்த ரசீது செலுத்தியவருக்குத் திருப்பிச் செலுத்தப்பட்டது.",
    ),
    "receipts.sightings_title": (
        "Each time it was reported",
        "එය වාර්තා කළ සෑම වාරයක්ම",
        "தெரிவிக்கப்பட்ட ஒவ்வொரு முறையும்",
    ),
    "receipts.source": ("From", "මූලාශ්‍රය", "மூலம்"),
    "receipt_source.callback": ("Provider's callback", "සපයන්නාගේ ඇමතුම", "வழங்குநரின் அழைப்பு"),
    "receipt_source.statement": ("Statement line", "ප්‍රකාශ පේළිය", "அறிக்கை வரி"),
    "receipt_source.status_query": ("Status query", "තත්ත්ව විමසුම", "நிலை விசாரணை"),
    "provider.mpesa": ("M-PESA", "M-PESA", "M-PESA"),
    "provider.bank": ("Bank", "බැංකුව", "வங்கி"),
    "provider.card": ("Card", "කාඩ්පත", "அட்டை"),
    "receipt_status.booked": ("Booked", "ගිණුම්ගත කළා", "பதிவானது"),
    "receipt_status.suspense": ("In suspense", "අත්හිටුවා ඇත", "நிலுவையில்"),
    "receipt_status.refunded": ("Refunded", "ආපසු ගෙවන ලදී", "திருப்பிச் செலுத்தப்பட்டது"),
    "receipt_match.hint": (
        "Named by the payment request",
        "ගෙවීම් ඉල්ලීමෙන් නම් කළ",
        "கட்டணக் கோரிக்கையில் குறிப்பிட்டது",
    ),
    "receipt_match.reference": ("Account number", "ගිණුම් අංකය", "கணக்கு எண்"),
    "receipt_match.invoice": ("Invoice number", "ඉන්වොයිස් අංකය", "விலைப்பட்டியல் எண்"),
    "receipt_match.phone": ("Paying phone", "ගෙවූ දුරකථනය", "செலுத்திய தொலைபேசி"),
    "receipt_match.amount_window": ("Amount due", "ගෙවිය යුතු මුදල", "செலுத்த வேண்டிய தொகை"),
    "receipt_match.manual": ("By hand", "අතින්", "கைமுறையாக"),
    "receipt_flag.amount_mismatch": (
        "Reported again with another amount",
        "වෙනත් මුදලකින් නැවත වාර්තා කළා",
        "வேறு தொகையுடன் மீண்டும் தெரிவிக்கப்பட்டது",
    ),
    "receipt_flag.velocity": (
        "Many payments from one phone",
        "එක් දුරකථනයකින් ගෙවීම් බොහොමයක්",
        "ஒரே தொலைபேசியிலிருந்து பல கொடுப்பனவுகள்",
    ),
    "receipt_flag.outlier": (
        "Far above the account's usual",
        "ගිණුමේ සාමාන්\u200dයයට වඩා බොහෝ ඉහළින්",
        "கணக்கின் வழக்கத்தை விட மிக அதிகம்",
    ),
    "queue_done.match": ("Booked.", "ගිණුම්ගත කළා.", "பதிவு செய்யப்பட்டது."),
    "queue_done.refund": (
        "Marked refunded.",
        "ආපසු ගෙවූ ලෙස සලකුණු කළා.",
        "திருப்பிச் செலுத்தியதாகக் குறிக்கப்பட்டது.",
    ),
}
