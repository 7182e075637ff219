"""The allocation rules page."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.allocation": ("Allocation", "බෙදා හැරීම", "ஒதுக்கீடு"),
    "allocation.title": ("Allocation rules", "බෙදා හැරීමේ නීති", "ஒதுக்கீட்டு விதிகள்"),
    "allocation.intro": (
        "New cases go to DRCs by the first rule that matches, tried from the top.",
        "නව නඩු ගොනු ඉහළ සිට පරීක්ෂා කර, ගැළපෙන පළමු නීතිය අනුව DRC වෙත යයි.",
        "புதிய வழக்குகள் மேலிருந்து சோதிக்கப்பட்டு, பொருந்தும் முதல் விதியின்படி DRC-களுக்குச் செல்கின்றன.",
    ),
    "allocation.none": (
        "No allocation rules yet.",
        "තවමත් බෙදා හැරීමේ නීති නැත.",
        "இன்னும் ஒதுக்கீட்டு விதிகள் இல்லை.",
    ),
    "allocation.new": ("New rule", "නව නීතිය", "புதிய விதி"),
    "allocation.edit": ("Edit rule", "නීතිය සංස්කරණය", "விதியைத் திருத்து"),
    "allocation.order": ("Order", "අනුපිළිවෙල", "வரிசை"),
    "allocation.name": ("Name", "නම", "பெயர்"),
    "allocation.priority": ("Priority", "ප්\u200dරමුඛතාව", "முன்னுரிமை"),
    "allocation.priority_hint": (
        "Lower numbers are tried first.",
        "අඩු අංක පළමුව පරීක්ෂා කෙරේ.",
        "குறைந்த எண்கள் முதலில் சோதிக்கப்படும்.",
    ),
    "allocation.conditions": ("Conditions", "කොන්දේසි", "நிபந்தனைகள்"),
    "allocation.band": ("Outstanding", "හිඟ මුදල", "நிலுவைத் தொகை"),
    "allocation.arrears_min": (
        "Outstanding at least",
        "අවම හිඟ මුදල",
        "குறைந்தபட்ச நிலுவைத் தொகை",
    ),
    "allocation.arrears_max": (
        "Outstanding at most",
        "උපරිම හිඟ මුදල",
        "அதிகபட்ச நிலுவைத் தொகை",
    ),
    "allocation.amount_hint": (
        "In rupees, e.g. 5000.00; blank for no bound.",
        "රුපියල්වලින්, උදා. 5000.00; සීමාවක් නැතිනම් හිස්ව තබන්න.",
        "ரூபாயில், எ.கா. 5000.00; வரம்பு இல்லையெனில் காலியாக விடவும்.",
    ),
    "allocation.currency": ("Currency", "මුදල් වර්ගය", "நாணயம்"),
    "allocation.regions": ("Regions", "කලාප", "பிராந்தியங்கள்"),
    "allocation.regions_hint": (
        "Separated by commas; blank for any region.",
        "කොමා වලින් වෙන් කරන්න; ඕනෑම කලාපයක් සඳහා හිස්ව තබන්න.",
        "காற்புள்ளிகளால் பிரிக்கவும்; எந்தப் பிராந்தியத்துக்கும் காலியாக விடவும்.",
    ),
    "allocation.actions": ("Recovery asked", "ඉල්ලූ අය කිරීම", "கோரப்பட்ட மீட்பு"),
    "allocation.age": ("Days overdue", "ප්\u200dරමාද වූ දින", "தாமதமான நாட்கள்"),
    "allocation.min_age_days": (
        "Overdue at least (days)",
        "අවම ප්\u200dරමාද දින",
        "குறைந்தபட்ச தாமத நாட்கள்",
    ),
    "allocation.max_age_days": (
        "Overdue at most (days)",
        "උපරිම ප්\u200dරමාද දින",
        "அதிகபட்ச தாமத நாட்கள்",
    ),
    "allocation.drcs": ("DRCs", "DRC ආයතන", "DRC நிறுவனங்கள்"),
    "allocation.excluded": ("Never to", "කිසිදා නොයවන", "ஒருபோதும் அனுப்பாதவை"),
    "allocation.none_means_any": (
        "None ticked means any.",
        "කිසිවක් තෝරා නැතිනම් ඕනෑම එකක්.",
        "எதுவும் தேர்வு செய்யாவிட்டால் ஏதேனும் ஒன்று.",
    ),
    "allocation.none_means_any_drc": (
        "None ticked means any active DRC.",
        "කිසිවක් තෝරා නැතිනම් ඕනෑම සක්\u200dරිය DRC එකක්.",
        "எதுவும் தேர்வு செய்யாவிட்டால் செயலில் உள்ள எந்த DRC-யும்.",
    ),
    "allocation.any": ("any", "ඕනෑම", "ஏதேனும்"),
    "allocation.any_drc": ("any active DRC", "ඕනෑම සක්\u200dරිය DRC", "செயலில் உள்ள எந்த DRC-யும்"),
    "allocation.strategy": ("Ranking", "ශ්\u200dරේණිගත කිරීම", "தரவரிசை"),
    "allocation.validity_days": ("Held for (days)", "රඳවා ගන්නා දින", "வைத்திருக்கும் நாட்கள்"),
    "allocation.active": ("Active", "සක්\u200dරියයි", "செயலில்"),
    "allocation.up": ("Move up", "ඉහළට", "மேலே நகர்த்து"),
    "allocation.down": ("Move down", "පහළට", "கீழே நகர்த்து"),
    "strategy.performance": (
        "Best performance first",
        "හොඳම කාර්ය සාධනය පළමුව",
        "சிறந்த செயல்திறன் முதலில்",
    ),
    "strategy.capacity": (
        "Most spare capacity first",
        "වැඩිම ඉතිරි ධාරිතාව පළමුව",
        "அதிக மீதமுள்ள கொள்ளளவு முதலில்",
    ),
    "saved.rule_created": ("Rule added.", "නීතිය එක් කළා.", "விதி சேர்க்கப்பட்டது."),
    "saved.rule_updated": ("Rule saved.", "නීතිය සුරැකුණා.", "விதி சேமிக்கப்பட்டது."),
    "saved.rule_enabled": ("Rule enabled.", "නීතිය සක්\u200dරිය කළා.", "விதி இயக்கப்பட்டது."),
    "saved.rule_disabled": ("Rule disabled.", "නීතිය අක්\u200dරිය කළා.", "விதி முடக்கப்பட்டது."),
    "saved.rules_reordered": (
        "Rule order saved.",
        "නීති අනුපිළිවෙල සුරැකුණා.",
        "விதிகளின் வரிசை சேமிக்கப்பட்டது.",
    ),
}
