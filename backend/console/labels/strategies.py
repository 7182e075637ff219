"""The dunning strategies page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.strategies": ("Strategies", "උපාය මාර්ග", "உத்திகள்"),
    "strategies.title": (
        "Dunning strategies",
        "හිඟ මුදල් අයකිරීමේ උපාය මාර්ග",
        "நிலுவை வசூல் உத்திகள்",
    ),
    "strategies.intro": (
        "Each segment's ladder of steps. A change is a new version; steps already taken "
        "keep the version they were taken under.",
        "එක් එක් කාණ්ඩයේ පියවර පෙළ. වෙනසක් නව අනුවාදයකි; දැනටමත් ගත් පියවර ඒවා ගත් අනුවාදය තබා ගනී.",
        "ஒவ்வொரு பிரிவின் படிநிலை. ஒரு மாற்றம் புதிய பதிப்பாகும்; ஏற்கெனவே எடுத்த "
        "படிகள் அவை எடுக்கப்பட்ட பதிப்பை வைத்திருக்கும்.",
    ),
    "strategies.no_segments": (
        "No segment yet: add segments first.",
        "තවම කාණ්ඩයක් නැත: පළමුව කාණ්ඩ එක් කරන්න.",
        "இன்னும் பிரிவு இல்லை: முதலில் பிரிவுகளைச் சேர்க்கவும்.",
    ),
    "strategies.none": (
        "No strategy: accounts in this segment take no step.",
        "උපාය මාර්ගයක් නැත: මෙම කාණ්ඩයේ ගිණුම් කිසිදු පියවරක් නොගනී.",
        "உத்தி இல்லை: இந்தப் பிரிவின் கணக்குகள் எந்தப் படியும் எடுக்காது.",
    ),
    "strategies.new": ("Add a strategy", "උපාය මාර්ගයක් එක් කරන්න", "உத்தியைச் சேர்"),
    "strategies.edit": ("Edit strategy", "උපාය මාර්ගය සංස්කරණය", "உத்தியைத் திருத்து"),
    "strategies.edit_steps": ("Edit steps", "පියවර සංස්කරණය", "படிகளைத் திருத்து"),
    "strategies.name": ("Name", "නම", "பெயர்"),
    "strategies.version": ("Version", "අනුවාදය", "பதிப்பு"),
    "strategies.version_n": ("version {n}", "අනුවාදය {n}", "பதிப்பு {n}"),
    "strategies.versions": ("Version history", "අනුවාද ඉතිහාසය", "பதிப்பு வரலாறு"),
    "strategies.no_versions": (
        "No version yet: saving stores the first.",
        "තවම අනුවාදයක් නැත: සුරැකීමෙන් පළමුවැන්න ගබඩා වේ.",
        "இன்னும் பதிப்பு இல்லை: சேமித்தால் முதல் பதிப்பு சேமிக்கப்படும்.",
    ),
    "strategies.steps": ("Steps", "පියවර", "படிகள்"),
    "strategies.saved_by": ("Saved by", "සුරැකූ අය", "சேமித்தவர்"),
    "strategies.saved_at": ("Saved at", "සුරැකූ වේලාව", "சேமித்த நேரம்"),
    "strategies.rows_hint": (
        "Steps are taken top to bottom; leave the rows at the end empty to add none.",
        "පියවර ඉහළ සිට පහළට ගනු ලැබේ; කිසිවක් එක් නොකිරීමට අවසාන පේළි හිස්ව තබන්න.",
        "படிகள் மேலிருந்து கீழாக எடுக்கப்படும்; எதையும் சேர்க்காமலிருக்க இறுதி வரிசைகளை வெறுமையாக விடவும்.",
    ),
    "strategies.step_n": ("Step {n}", "පියවර {n}", "படி {n}"),
    "strategies.key": ("Key", "යතුර", "குறியீடு"),
    "strategies.kind": ("Kind", "වර්ගය", "வகை"),
    "strategies.no_kind": ("Choose a kind", "වර්ගයක් තෝරන්න", "வகையைத் தேர்ந்தெடு"),
    "strategies.template": ("Template", "ආකෘතිය", "வார்ப்புரு"),
    "strategies.no_template": ("No message", "පණිවිඩයක් නැත", "செய்தி இல்லை"),
    "strategies.conditions": ("Conditions", "කොන්දේසි", "நிபந்தனைகள்"),
    "strategies.min_days_past_due": (
        "Days past due, at least",
        "අවම ප්\u200dරමාද දින",
        "குறைந்தபட்ச தாமத நாட்கள்",
    ),
    "strategies.no_response_days": (
        "No answer for days",
        "පිළිතුරක් නැති දින",
        "பதில் இல்லாத நாட்கள்",
    ),
    "strategies.wait_days": ("Wait (days)", "රැඳී සිටීම (දින)", "காத்திருப்பு (நாட்கள்)"),
    "strategies.min_balance": (
        "Balance at least ({currency})",
        "අවම ශේෂය ({currency})",
        "குறைந்தபட்ச நிலுவை ({currency})",
    ),
    "strategies.channels": ("Channels", "මාධ්\u200dය", "வழிகள்"),
    "step_kind.reminder": ("Reminder", "සිහිකැඳවීම", "நினைவூட்டல்"),
    "step_kind.follow_up": ("Follow-up", "පසු විපරම", "தொடர் நினைவூட்டல்"),
    "step_kind.final_notice": ("Final notice", "අවසාන දැනුම්දීම", "இறுதி அறிவிப்பு"),
    "step_kind.suspension": ("Suspension", "සේවය අත්හිටුවීම", "சேவை இடைநிறுத்தம்"),
    "step_kind.handoff": ("Hand-off to a DRC", "DRC වෙත භාර දීම", "DRC-க்கு ஒப்படைப்பு"),
    "saved.strategy_saved": (
        "Strategy saved as a new version.",
        "උපාය මාර්ගය නව අනුවාදයක් ලෙස සුරැකුණා.",
        "உத்தி புதிய பதிப்பாகச் சேமிக்கப்பட்டது.",
    ),
}
