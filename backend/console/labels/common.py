"""The console's frame: navigation, roles, sign-in and problem pages."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "app.name": ("DebtX console", "DebtX කොන්සෝලය", "DebtX கட்டுப்பாட்டகம்"),
    "nav.skip": ("Skip to content", "අන්තර්ගතයට යන්න", "உள்ளடக்கத்துக்குச் செல்க"),
    "nav.main": ("Main navigation", "ප්\u200dරධාන සංචාලනය", "முதன்மை வழிசெலுத்தல்"),
    "nav.menu": ("Menu", "මෙනුව", "பட்டி"),
    "nav.cases": ("Cases", "නඩු ගොනු", "வழக்குகள்"),
    "nav.sign_out": ("Sign out", "පිටවන්න", "வெளியேறு"),
    "nav.language": ("Language", "භාෂාව", "மொழி"),
    "nav.change_language": ("Change", "වෙනස් කරන්න", "மாற்று"),
    "nav.signed_in_as": ("Signed in as {name}", "{name} ලෙස පිවිස ඇත", "{name} ஆக உள்நுழைந்துள்ளீர்கள்"),
    "role.operator_admin": ("Operator administrator", "ක්\u200dරියාකරු පරිපාලක", "இயக்குநர் நிர்வாகி"),
    "role.operator_officer": ("Operator officer", "ක්\u200dරියාකරු නිලධාරී", "இயக்குநர் அலுவலர்"),
    "role.drc_supervisor": ("DRC supervisor", "DRC අධීක්ෂක", "DRC மேற்பார்வையாளர்"),
    "role.recovery_officer": ("Recovery officer", "අය කිරීමේ නිලධාරී", "மீட்பு அலுவலர்"),
    "signin.title": ("Sign in", "පිවිසෙන්න", "உள்நுழை"),
    "signin.intro": (
        "Sign in with your DebtX staff account.",
        "ඔබේ DebtX කාර්ය මණ්ඩල ගිණුමෙන් පිවිසෙන්න.",
        "உங்கள் DebtX பணியாளர் கணக்கில் உள்நுழையுங்கள்.",
    ),
    "signin.email": ("Email", "ඊමේල්", "மின்னஞ்சல்"),
    "signin.password": ("Password", "මුරපදය", "கடவுச்சொல்"),
    "signin.submit": ("Sign in", "පිවිසෙන්න", "உள்நுழை"),
    "signin.dev_title": ("Development sign-in", "සංවර්ධන පිවිසුම", "உருவாக்கச் சூழல் உள்நுழைவு"),
    "signin.dev_intro": (
        "Development only: sign in as a seeded account with a token signed by the local key.",
        "සංවර්ධනය සඳහා පමණි: දේශීය යතුරෙන් අත්සන් කළ ටෝකනයකින් ආදර්ශ ගිණුමකට පිවිසෙන්න.",
        "உருவாக்கத்துக்கு மட்டும்: உள்ளூர் விசையால் கையொப்பமிட்ட டோக்கனுடன் மாதிரிக் கணக்கில் உள்நுழையுங்கள்.",
    ),
    "signin.working": ("Signing in…", "පිවිසෙමින්…", "உள்நுழைகிறது…"),
    "signin.failed": (
        "Sign-in failed. Check your email and password.",
        "පිවිසීම අසාර්ථකයි. ඊමේල් සහ මුරපදය පරීක්ෂා කරන්න.",
        "உள்நுழைவு தோல்வியடைந்தது. மின்னஞ்சலையும் கடவுச்சொல்லையும் சரிபாருங்கள்.",
    ),
    "signin.not_configured": (
        "Sign-in is not configured on this server.",
        "මෙම සේවාදායකයේ පිවිසීම සකසා නැත.",
        "இந்தச் சேவையகத்தில் உள்நுழைவு அமைக்கப்படவில்லை.",
    ),
    "signin.signed_out": ("You have signed out.", "ඔබ පිටවී ඇත.", "நீங்கள் வெளியேறிவிட்டீர்கள்."),
    "refused.title": (
        "Please use the DebtX app",
        "කරුණාකර DebtX යෙදුම භාවිත කරන්න",
        "தயவுசெய்து DebtX செயலியைப் பயன்படுத்துங்கள்",
    ),
    "refused.body": (
        "The console is for DRC supervisors and operator staff. Recovery officers work their cases in the DebtX app.",
        "කොන්සෝලය DRC අධීක්ෂකවරුන් සහ ක්\u200dරියාකරු කාර්ය මණ්ඩලය සඳහා ය. අය කිරීමේ නිලධාරීන් තම නඩු ගොනු DebtX යෙදුමෙන් කටයුතු කරති.",
        "கட்டுப்பாட்டகம் DRC மேற்பார்வையாளர்களுக்கும் இயக்குநர் பணியாளர்களுக்கும் உரியது. மீட்பு அலுவலர்கள் தங்கள் வழக்குகளை DebtX செயலியில் கையாளுகின்றனர்.",
    ),
    "problem.title": ("Something went wrong", "යමක් වැරදී ඇත", "ஏதோ தவறு நடந்தது"),
    "problem.not_found": ("Not found", "හමු නොවීය", "கிடைக்கவில்லை"),
    "problem.not_found_body": (
        "This page does not exist, or it is outside your reach.",
        "මෙම පිටුව නොපවතී, නැතහොත් එය ඔබට ප්\u200dරවේශ විය නොහැක.",
        "இந்தப் பக்கம் இல்லை, அல்லது உங்கள் அணுகலுக்கு அப்பாற்பட்டது.",
    ),
    "problem.refused": ("Request refused", "ඉල්ලීම ප්\u200dරතික්ෂේප විය", "கோரிக்கை மறுக்கப்பட்டது"),
    "problem.invalid": (
        "Please check what you entered",
        "ඔබ ඇතුළත් කළ දේ පරීක්ෂා කරන්න",
        "நீங்கள் உள்ளிட்டதைச் சரிபாருங்கள்",
    ),
    "problem.sign_in_again": (
        "Please sign in again",
        "කරුණාකර නැවත පිවිසෙන්න",
        "தயவுசெய்து மீண்டும் உள்நுழையுங்கள்",
    ),
    "problem.back": ("Back to the console", "කොන්සෝලයට ආපසු", "கட்டுப்பாட்டகத்துக்குத் திரும்பு"),
    "problem.reference": ("Reference", "යොමුව", "குறிப்பு"),
    "form.has_errors": (
        "Some fields need your attention.",
        "සමහර ක්ෂේත්\u200dර ඔබේ අවධානය අවශ්\u200dයයි.",
        "சில புலங்களைச் சரிசெய்ய வேண்டும்.",
    ),
    "common.none": ("—", "—", "—"),
}
