"""The billing and payment disputes pages."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.disputes": ("Disputes", "ආරවුල්", "முரண்பாடுகள்"),
    "disputes.title": (
        "Billing and payment disputes",
        "බිල්පත් සහ ගෙවීම් ආරවුල්",
        "கட்டண மற்றும் செலுத்துதல் முரண்பாடுகள்",
    ),
    "disputes.intro": (
        "A customer says a bill or a payment is wrong. While any of theirs is unresolved, "
        "no collection message reaches them. Investigate, then resolve with a credit, a "
        "refund, a correction or a rejection.",
        "පාරිභෝගිකයෙකු බිල්පතක් හෝ ගෙවීමක් වැරදි යැයි පවසයි. ඔවුන්ගේ එකක් හෝ නොවිසඳී "
        "ඇති තාක් කල් අය කිරීමේ පණිවිඩයක් ඔවුන්ට නොයැවේ. විමර්ශනය කර, බැර කිරීමක්, "
        "ආපසු ගෙවීමක්, නිවැරදි කිරීමක් හෝ ප්‍රතික්ෂේප කිරීමක් මගින් විසඳන්න.",
        "ஒரு வாடிக்கையாளர் ஒரு கட்டணப் பட்டியல் அல்லது செலுத்துதல் தவறு என்கிறார். அவருடைய "
        "ஏதேனும் ஒன்று தீர்க்கப்படாத வரை, வசூல் செய்தி எதுவும் அவரை அடையாது. விசாரித்து, "
        "வரவு, பணத்திருப்பம், திருத்தம் அல்லது நிராகரிப்பு மூலம் தீர்க்கவும்.",
    ),
    "disputes.none": (
        "No dispute here.",
        "මෙහි ආරවුලක් නැත.",
        "இங்கு முரண்பாடு எதுவும் இல்லை.",
    ),
    "disputes.item_title": ("Dispute", "ආරවුල", "முரண்பாடு"),
    "disputes.back": ("Back to the disputes", "ආරවුල් වෙත ආපසු", "முரண்பாடுகளுக்குத் திரும்பு"),
    "disputes.which": ("States of dispute", "ආරවුල් තත්ත්ව", "முரண்பாட்டு நிலைகள்"),
    "disputes.unresolved": ("Not yet resolved", "තවම නොවිසඳූ", "இன்னும் தீர்க்கப்படாதவை"),
    "disputes.raise": ("Raise a dispute", "ආරවුලක් ඉදිරිපත් කරන්න", "முரண்பாட்டைப் பதிவுசெய்"),
    "disputes.new_title": ("Raise a dispute", "ආරවුලක් ඉදිරිපත් කිරීම", "முரண்பாட்டைப் பதிவுசெய்தல்"),
    "disputes.new_intro": (
        "Record what the customer disputes on one of their accounts. Collection contact "
        "stops at once and resumes when every dispute of theirs is resolved.",
        "පාරිභෝගිකයාගේ ගිණුමක ඔවුන් විරුද්ධ වන දේ සටහන් කරන්න. අය කිරීමේ සම්බන්ධතා "
        "වහාම නවතින අතර ඔවුන්ගේ සියලු ආරවුල් විසඳූ විට නැවත ආරම්භ වේ.",
        "வாடிக்கையாளர் தன் கணக்கு ஒன்றில் எதை மறுக்கிறார் என்பதைப் பதிவுசெய்யவும். வசூல் "
        "தொடர்பு உடனே நிற்கும்; அவருடைய எல்லா முரண்பாடுகளும் தீர்ந்ததும் மீண்டும் தொடங்கும்.",
    ),
    "disputes.raised": ("Raised", "ඉදිරිපත් කළේ", "பதிவுசெய்யப்பட்டது"),
    "disputes.investigated": ("Investigation started", "විමර්ශනය ඇරඹුවේ", "விசாரணை தொடங்கியது"),
    "disputes.resolved": ("Resolved", "විසඳුවේ", "தீர்க்கப்பட்டது"),
    "disputes.kind": ("Kind", "වර්ගය", "வகை"),
    "disputes.account": ("Account number", "ගිණුම් අංකය", "கணக்கு எண்"),
    "disputes.customer": ("Customer", "පාරිභෝගිකයා", "வாடிக்கையாளர்"),
    "disputes.case": ("Case", "නඩු ලිපිය", "வழக்கு"),
    "disputes.case_hint": (
        "DRC supervisors: the case of your DRC the dispute was raised on.",
        "DRC අධීක්ෂකවරුනි: ආරවුල ඉදිරිපත් වූ ඔබේ DRC හි නඩු ලිපිය.",
        "DRC மேற்பார்வையாளர்களே: முரண்பாடு எழுப்பப்பட்ட உங்கள் DRC-யின் வழக்கு.",
    ),
    "disputes.invoice": ("Invoice", "ඉන්වොයිසිය", "விலைப்பட்டியல்"),
    "disputes.payment": ("Payment", "ගෙවීම", "செலுத்துதல்"),
    "disputes.receipt": ("Provider receipt", "සැපයුම්කරු රිසිට්පත", "வழங்குநர் ரசீது"),
    "disputes.amount": ("Amount", "මුදල", "தொகை"),
    "disputes.amount_rupees": ("Amount (rupees)", "මුදල (රුපියල්)", "தொகை (ரூபாய்)"),
    "disputes.currency": ("Currency", "මුදල් ඒකකය", "நாணயம்"),
    "disputes.disputed_hint": (
        "What the customer says is wrong, if they say.",
        "පාරිභෝගිකයා වැරදි යැයි පවසන මුදල, ඔවුන් පවසන්නේ නම්.",
        "வாடிக்கையாளர் தவறு என்று சொல்லும் தொகை, சொன்னால்.",
    ),
    "disputes.description": ("What the customer says", "පාරිභෝගිකයා පවසන දේ", "வாடிக்கையாளர் சொல்வது"),
    "disputes.description_hint": (
        "Kept with the dispute and in the audit trail.",
        "ආරවුල සමඟ සහ විගණන සටහනේ තබා ගැනේ.",
        "முரண்பாட்டுடனும் தணிக்கைப் பதிவிலும் வைக்கப்படும்.",
    ),
    "disputes.state": ("State", "තත්ත්වය", "நிலை"),
    "disputes.contact": ("Collection contact", "අය කිරීමේ සම්බන්ධතා", "வசூல் தொடர்பு"),
    "disputes.held": ("Contact on hold", "සම්බන්ධතා නවතා ඇත", "தொடர்பு நிறுத்தப்பட்டுள்ளது"),
    "disputes.not_held": ("Not on hold", "නවතා නැත", "நிறுத்தப்படவில்லை"),
    "disputes.resolution": ("Resolution", "විසඳුම", "தீர்வு"),
    "disputes.outcome": ("Outcome", "ප්‍රතිඵලය", "முடிவு"),
    "disputes.choose": ("Choose…", "තෝරන්න…", "தேர்ந்தெடு…"),
    "disputes.note": ("Note", "සටහන", "குறிப்பு"),
    "disputes.note_hint": (
        "The correction made, the reason for rejecting, or why the money is given back.",
        "කළ නිවැරදි කිරීම, ප්‍රතික්ෂේප කිරීමට හේතුව, හෝ මුදල් ආපසු දෙන්නේ ඇයි.",
        "செய்த திருத்தம், நிராகரிப்பதற்கான காரணம், அல்லது பணம் ஏன் திருப்பித் தரப்படுகிறது.",
    ),
    "disputes.amount_hint": (
        "A credit or a refund only. A refund of a payment is its whole amount.",
        "බැර කිරීමකට හෝ ආපසු ගෙවීමකට පමණි. ගෙවීමක ආපසු ගෙවීම එහි මුළු මුදලයි.",
        "வரவு அல்லது பணத்திருப்பத்திற்கு மட்டும். ஒரு செலுத்துதலின் பணத்திருப்பம் அதன் முழுத் தொகை.",
    ),
    "disputes.followed": ("What followed", "ඉන් පසු සිදු වූ දේ", "அதன் பின் நடந்தது"),
    "disputes.credit_note": (
        "BSS is to issue a credit note for this amount.",
        "BSS මෙම මුදල සඳහා බැර පත්‍රයක් නිකුත් කළ යුතුය.",
        "இந்தத் தொகைக்கு BSS வரவுக் குறிப்பு வழங்க வேண்டும்.",
    ),
    "disputes.reversed": (
        "Payment {payment} reversed.",
        "ගෙවීම {payment} ආපසු හරවන ලදී.",
        "செலுத்துதல் {payment} திரும்பப்பெறப்பட்டது.",
    ),
    "disputes.refunded": (
        "Receipt {receipt} refunded.",
        "රිසිට්පත {receipt} ආපසු ගෙවන ලදී.",
        "ரசீது {receipt} பணம் திருப்பித் தரப்பட்டது.",
    ),
    "disputes.is_resolved": (
        "This dispute is resolved.",
        "මෙම ආරවුල විසඳා ඇත.",
        "இந்த முரண்பாடு தீர்க்கப்பட்டது.",
    ),
    "disputes.operators_decide": (
        "Operator staff investigate and resolve disputes.",
        "ආරවුල් විමර්ශනය කර විසඳන්නේ ක්‍රියාකරු කාර්ය මණ්ඩලයයි.",
        "முரண்பாடுகளை இயக்குநர் பணியாளர்கள் விசாரித்துத் தீர்க்கின்றனர்.",
    ),
    "disputes.investigate": ("Investigate", "විමර්ශනය කරන්න", "விசாரி"),
    "disputes.investigate_hint": (
        "Take the dispute up; then resolve it.",
        "ආරවුල භාර ගන්න; ඉන්පසු එය විසඳන්න.",
        "முரண்பாட்டை எடுத்துக்கொள்ளவும்; பின்னர் அதைத் தீர்க்கவும்.",
    ),
    "disputes.resolve": ("Resolve", "විසඳන්න", "தீர்"),
    "dispute_kind.incorrect_charge": ("Incorrect charge", "වැරදි ගාස්තුව", "தவறான கட்டணம்"),
    "dispute_kind.payment_not_credited": (
        "Payment not credited",
        "ගෙවීම බැර කර නැත",
        "செலுத்துதல் வரவு வைக்கப்படவில்லை",
    ),
    "dispute_kind.duplicate_charge": ("Duplicate charge", "දෙවරක් අය කිරීම", "இருமுறை கட்டணம்"),
    "dispute_kind.refund_request": ("Refund request", "ආපසු ගෙවීමේ ඉල්ලීම", "பணத்திருப்பக் கோரிக்கை"),
    "dispute_status.open": ("Open", "විවෘතයි", "திறந்தது"),
    "dispute_status.investigating": ("Investigating", "විමර්ශනය වෙමින්", "விசாரணையில்"),
    "dispute_status.resolved": ("Resolved", "විසඳා ඇත", "தீர்க்கப்பட்டது"),
    "dispute_outcome.credit": ("Credit", "බැර කිරීම", "வரவு"),
    "dispute_outcome.refund": ("Refund", "ආපසු ගෙවීම", "பணத்திருப்பம்"),
    "dispute_outcome.correct": ("Correct the record", "වාර්තාව නිවැරදි කරන්න", "பதிவைத் திருத்து"),
    "dispute_outcome.rejected": ("Reject", "ප්‍රතික්ෂේප කරන්න", "நிராகரி"),
    "queue_done.raise": (
        "Raised: collection contact is on hold.",
        "ඉදිරිපත් කළා: අය කිරීමේ සම්බන්ධතා නවතා ඇත.",
        "பதிவுசெய்யப்பட்டது: வசூல் தொடர்பு நிறுத்தப்பட்டுள்ளது.",
    ),
    "queue_done.investigate": (
        "Under investigation.",
        "විමර්ශනය වෙමින් පවතී.",
        "விசாரணையில் உள்ளது.",
    ),
    "queue_done.resolve": ("Resolved.", "විසඳුවා.", "தீர்க்கப்பட்டது."),
}
