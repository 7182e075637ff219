"""The daily reconciliation page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.reconciliation": ("Reconciliation", "සැසඳුම", "ஒப்பீடு"),
    "reconciliation.title": ("Daily reconciliation", "දෛනික සැසඳුම", "தினசரி ஒப்பீடு"),
    "reconciliation.choose": ("Choose a day", "දිනයක් තෝරන්න", "ஒரு நாளைத் தேர்வுசெய்"),
    "reconciliation.day": ("Day (UTC)", "දිනය (UTC)", "நாள் (UTC)"),
    "reconciliation.show": ("Show", "පෙන්වන්න", "காட்டு"),
    "reconciliation.run": (
        "Reconcile {day} now",
        "{day} දැන් සසඳන්න",
        "{day} ஐ இப்போது ஒப்பிடு",
    ),
    "reconciliation.report": ("Report for {day}", "{day} වාර්තාව", "{day} க்கான அறிக்கை"),
    "reconciliation.download": ("Download CSV", "CSV බාගන්න", "CSV பதிவிறக்கு"),
    "reconciliation.not_run": (
        "This day has not been reconciled yet. The schedule reconciles each day at 04:00 UTC "
        "the next morning; you can run it now.",
        "මෙම දිනය තවම සසඳා නැත. කාලසටහන සෑම දිනයක්ම පසුදා උදේ 04:00 UTC ට සසඳයි; ඔබට එය දැන් ධාවනය කළ හැක.",
        "இந்த நாள் இன்னும் ஒப்பிடப்படவில்லை. அட்டவணை ஒவ்வொரு நாளையும் மறுநாள் காலை "
        "04:00 UTC க்கு ஒப்பிடும்; இப்போதே இயக்கலாம்.",
    ),
    "reconciliation.generated": ("Made {at}", "සාදන ලද්දේ {at}", "உருவாக்கப்பட்டது {at}"),
    "reconciliation.provider": ("Provider", "සපයන්නා", "வழங்குநர்"),
    "reconciliation.transactions": ("Transactions", "ගනුදෙනු", "பரிவர்த்தனைகள்"),
    "reconciliation.matched": ("Matched", "ගැළපුණු", "பொருந்தியவை"),
    "reconciliation.nothing": (
        "No provider reported a payment on this day.",
        "මෙම දිනයේ කිසිදු සපයන්නෙක් ගෙවීමක් වාර්තා කළේ නැත.",
        "இந்த நாளில் எந்த வழங்குநரும் கட்டணத்தைப் புகாரளிக்கவில்லை.",
    ),
    "recon_section.missing": ("Missing", "අතුරුදන්", "காணாதவை"),
    "recon_section.duplicated": ("Duplicated", "අනුපිටපත්", "இரட்டிப்புகள்"),
    "recon_section.amount_mismatches": (
        "Amount mismatches",
        "මුදල් නොගැළපීම්",
        "தொகை பொருந்தாமைகள்",
    ),
    "recon_section.timing_differences": (
        "Timing differences",
        "කාල වෙනස්කම්",
        "நேர வேறுபாடுகள்",
    ),
    "recon_section.suspense": ("In suspense", "අත්හිටුවීමේ", "நிலுவையில்"),
    "recon_section.invoice_differences": (
        "Invoice differences",
        "ඉන්වොයිස් වෙනස්කම්",
        "விலைப்பட்டியல் வேறுபாடுகள்",
    ),
    "reconciliation.transaction": ("Transaction", "ගනුදෙනුව", "பரிவர்த்தனை"),
    "reconciliation.kind": ("What", "කුමක්ද", "என்ன"),
    "reconciliation.amounts": ("Amounts", "මුදල්", "தொகைகள்"),
    "reconciliation.statement_days": ("Statement days", "ප්\u200dරකාශ දින", "அறிக்கை நாட்கள்"),
    "reconciliation.callback_days": ("Callback days", "දැනුම්දීම් දින", "அறிவிப்பு நாட்கள்"),
    "reconciliation.receipt": ("Receipt", "රිසිට්පත", "ரசீது"),
    "recon_kind.not_in_callbacks": (
        "In the statement, no callback",
        "ප්\u200dරකාශයේ ඇත, දැනුම්දීමක් නැත",
        "அறிக்கையில் உள்ளது, அறிவிப்பு இல்லை",
    ),
    "recon_kind.not_in_statement": (
        "Callback, not in the statement",
        "දැනුම්දීම ඇත, ප්\u200dරකාශයේ නැත",
        "அறிவிப்பு உள்ளது, அறிக்கையில் இல்லை",
    ),
    "recon_kind.not_booked": ("Never booked", "කිසිදා පොත් නොකළ", "பதிவு செய்யப்படவில்லை"),
    "recon_kind.twice_in_statement": (
        "Twice in one statement",
        "එක් ප්\u200dරකාශයක දෙවරක්",
        "ஒரே அறிக்கையில் இருமுறை",
    ),
    "recon_kind.booked_twice": (
        "Booked twice",
        "දෙවරක් පොත් කළ",
        "இருமுறை பதிவு செய்யப்பட்டது",
    ),
    "recon_kind.amount_mismatch": (
        "Sources give different amounts",
        "මූලාශ්\u200dර වෙනස් මුදල් දක්වයි",
        "மூலங்கள் வெவ்வேறு தொகைகளைக் காட்டுகின்றன",
    ),
    "recon_kind.timing": (
        "Callback and statement on different days",
        "දැනුම්දීම සහ ප්\u200dරකාශය වෙනස් දිනවල",
        "அறிவிப்பும் அறிக்கையும் வெவ்வேறு நாட்களில்",
    ),
    "recon_kind.suspense": (
        "Waiting to be matched by staff",
        "කාර්ය මණ්ඩලය ගැළපීමට බලා සිටී",
        "ஊழியர்கள் பொருத்தக் காத்திருக்கிறது",
    ),
    "recon_kind.invoice_difference": (
        "Booked to invoices for another amount",
        "වෙනත් මුදලකට ඉන්වොයිස් වලට පොත් කළ",
        "வேறு தொகைக்கு விலைப்பட்டியல்களில் பதிவு",
    ),
    "reconciliation.latest": ("Days reconciled", "සැසඳූ දින", "ஒப்பிட்ட நாட்கள்"),
    "reconciliation.exceptions": (
        "{count} to look at",
        "බැලිය යුතු {count}",
        "பார்க்க வேண்டியவை {count}",
    ),
    "reconciliation.none_yet": (
        "No day has been reconciled yet.",
        "තවම කිසිදු දිනයක් සසඳා නැත.",
        "இன்னும் எந்த நாளும் ஒப்பிடப்படவில்லை.",
    ),
    "reconciliation.statements": ("Bank statements", "බැංකු ප්\u200dරකාශ", "வங்கி அறிக்கைகள்"),
    "reconciliation.statement_file": (
        "Statement file (CSV or camt.053)",
        "ප්\u200dරකාශ ගොනුව (CSV හෝ camt.053)",
        "அறிக்கைக் கோப்பு (CSV அல்லது camt.053)",
    ),
    "reconciliation.import": ("Import", "ආයාත කරන්න", "இறக்குமதி செய்"),
    "reconciliation.imported": (
        "{name} imported: {lines} lines.",
        "{name} ආයාත කළා: පේළි {lines}.",
        "{name} இறக்குமதி செய்யப்பட்டது: {lines} வரிகள்.",
    ),
    "reconciliation.already_imported": (
        "{name} was imported before; nothing was booked again.",
        "{name} කලින් ආයාත කර ඇත; කිසිවක් නැවත පොත් නොකළා.",
        "{name} முன்பே இறக்குமதி செய்யப்பட்டது; எதுவும் மீண்டும் பதிவு செய்யப்படவில்லை.",
    ),
    "reconciliation.file": ("File", "ගොනුව", "கோப்பு"),
    "reconciliation.imported_at": ("Imported", "ආයාත කළේ", "இறக்குமதி செய்த நேரம்"),
    "reconciliation.importing": ("Importing", "ආයාත වෙමින්", "இறக்குமதியாகிறது"),
    "reconciliation.lines": ("Lines", "පේළි", "வரிகள்"),
}
