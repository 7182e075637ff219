"""The champion/challenger report page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "experiments.title": (
        "Champion and challenger: {segment}",
        "ශූරයා සහ අභියෝගකයා: {segment}",
        "சாம்பியனும் சவாலரும்: {segment}",
    ),
    "experiments.back": (
        "Back to the strategies",
        "උපාය මාර්ග වෙත ආපසු",
        "உத்திகளுக்குத் திரும்பு",
    ),
    "experiments.intro": (
        "A share of the segment's new cycles climbs the challenger's ladder; the rest the "
        "champion's. Each arm's outcomes, side by side.",
        "කාණ්ඩයේ නව චක්\u200dර වලින් කොටසක් අභියෝගකයාගේ පියගැට පෙළ නගී; ඉතිරිය "
        "ශූරයාගේ. එක් එක් ශාඛාවේ ප්\u200dරතිඵල, පැත්තෙන් පැත්තට.",
        "பிரிவின் புதிய சுழற்சிகளில் ஒரு பங்கு சவாலரின் படிநிலையில் ஏறும்; மீதி "
        "சாம்பியனுடையதில். ஒவ்வொரு கிளையின் விளைவுகளும் அருகருகே.",
    ),
    "experiments.report": ("Champion/challenger", "ශූරයා/අභියෝගකයා", "சாம்பியன்/சவாலர்"),
    "experiments.trial": ("The experiment", "පරීක්ෂණය", "சோதனை"),
    "experiments.status": ("Status", "තත්ත්වය", "நிலை"),
    "experiments.share": ("Challenger's share", "අභියෝගකයාගේ කොටස", "சவாலரின் பங்கு"),
    "experiments.champion": ("Champion", "ශූරයා", "சாம்பியன்"),
    "experiments.challenger": ("Challenger", "අභියෝගකයා", "சவாலர்"),
    "experiments.challenger_steps": (
        "Challenger's steps",
        "අභියෝගකයාගේ පියවර",
        "சவாலரின் படிகள்",
    ),
    "experiments.started": ("Started", "ආරම්භ විය", "தொடங்கியது"),
    "experiments.ended": ("Ended", "අවසන් විය", "முடிந்தது"),
    "experiments.arms": ("Outcomes per arm", "ශාඛාව අනුව ප්\u200dරතිඵල", "கிளை வாரியான விளைவுகள்"),
    "experiments.interval_hint": (
        "Figures in brackets are the 95% confidence interval; amounts are means per account.",
        "වරහන් තුළ ඇත්තේ 95% විශ්වාස අන්තරයයි; මුදල් ගිණුමකට සාමාන්\u200dයයන් වේ.",
        "அடைப்புக்குறிக்குள் உள்ளவை 95% நம்பக இடைவெளி; தொகைகள் ஒரு கணக்கிற்கான சராசரிகள்.",
    ),
    "experiments.no_arms": ("No outcome yet.", "තවම ප්\u200dරතිඵලයක් නැත.", "இன்னும் விளைவு இல்லை."),
    "experiments.arm": ("Arm", "ශාඛාව", "கிளை"),
    "experiments.accounts": ("Accounts", "ගිණුම්", "கணக்குகள்"),
    "experiments.cure_rate": ("Cure rate", "නිරවුල් වීමේ අනුපාතය", "தீர்வு விகிதம்"),
    "experiments.cures": ("{n} cured", "{n} නිරවුල් විය", "{n} தீர்ந்தன"),
    "experiments.collected": ("Collected", "අය කළ මුදල", "வசூலானது"),
    "experiments.within": ("{days} days", "දින {days}", "{days} நாட்கள்"),
    "experiments.total": ("total", "එකතුව", "மொத்தம்"),
    "experiments.contacts_per_cure": (
        "Contacts per cure",
        "නිරවුල් වීමකට සම්බන්ධ කිරීම්",
        "ஒரு தீர்வுக்கான தொடர்புகள்",
    ),
    "experiments.messages": ("{n} messages", "පණිවිඩ {n}", "{n} செய்திகள்"),
    "experiments.cost": ("Cost", "පිරිවැය", "செலவு"),
    "experiments.per_cure": ("per cure", "නිරවුල් වීමකට", "ஒரு தீர்வுக்கு"),
    "experiments.promote_title": (
        "Promote the challenger",
        "අභියෝගකයා ප්\u200dරවර්ධනය කරන්න",
        "சவாலரை உயர்த்து",
    ),
    "experiments.promote_intro": (
        "The challenger's ladder becomes the champion's next version and the experiment ends.",
        "අභියෝගකයාගේ පියගැට පෙළ ශූරයාගේ ඊළඟ අනුවාදය වන අතර පරීක්ෂණය අවසන් වේ.",
        "சவாலரின் படிநிலை சாம்பியனின் அடுத்த பதிப்பாகும்; சோதனை முடியும்.",
    ),
    "experiments.promote": ("Promote", "ප්\u200dරවර්ධනය කරන්න", "உயர்த்து"),
    "arm.champion": ("Champion", "ශූරයා", "சாம்பியன்"),
    "arm.challenger": ("Challenger", "අභියෝගකයා", "சவாலர்"),
    "experiment_status.running": ("Running", "ක්\u200dරියාත්මකයි", "நடைபெறுகிறது"),
    "experiment_status.promoted": ("Promoted", "ප්\u200dරවර්ධනය කළා", "உயர்த்தப்பட்டது"),
    "experiment_status.stopped": ("Stopped", "නැවැත්වුවා", "நிறுத்தப்பட்டது"),
    "saved.challenger_promoted": (
        "Challenger promoted: its ladder is the champion's new version.",
        "අභියෝගකයා ප්\u200dරවර්ධනය කළා: එහි පියගැට පෙළ ශූරයාගේ නව අනුවාදයයි.",
        "சவாலர் உயர்த்தப்பட்டார்: அதன் படிநிலை சாம்பியனின் புதிய பதிப்பு.",
    ),
}
