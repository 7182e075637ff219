"""Bulk incident uploads: the form, the latest imports, progress and the row report."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "nav.uploads": ("Uploads", "උඩුගත කිරීම්", "பதிவேற்றங்கள்"),
    "uploads.title": (
        "Incident uploads",
        "සිද්ධි උඩුගත කිරීම්",
        "சம்பவப் பதிவேற்றங்கள்",
    ),
    "uploads.new": (
        "Upload a file of incidents",
        "සිද්ධි ගොනුවක් උඩුගත කරන්න",
        "சம்பவக் கோப்பைப் பதிவேற்று",
    ),
    "uploads.file": ("File", "ගොනුව", "கோப்பு"),
    "uploads.file_hint": (
        "CSV with a header line (.csv), or JSON Lines (.jsonl), in the intake format.",
        "ශීර්ෂ පේළියක් සහිත CSV (.csv) හෝ JSON Lines (.jsonl), ලබාගැනීමේ ආකෘතියට අනුව.",
        "தலைப்பு வரியுடன் கூடிய CSV (.csv) அல்லது JSON Lines (.jsonl), உள்ளீட்டு வடிவில்.",
    ),
    "uploads.submit": ("Upload", "උඩුගත කරන්න", "பதிவேற்று"),
    "uploads.recent": ("Latest imports", "නවතම ආයාත", "அண்மைய இறக்குமதிகள்"),
    "uploads.none": (
        "No files have been imported yet.",
        "තවම කිසිදු ගොනුවක් ආයාත කර නැත.",
        "இதுவரை எந்தக் கோப்பும் இறக்குமதி செய்யப்படவில்லை.",
    ),
    "uploads.back": ("All uploads", "සියලු උඩුගත කිරීම්", "அனைத்துப் பதிவேற்றங்களும்"),
    "uploads.col_file": ("File", "ගොනුව", "கோப்பு"),
    "uploads.col_started": ("Started", "ආරම්භ විය", "தொடங்கியது"),
    "uploads.col_status": ("Status", "තත්ත්වය", "நிலை"),
    "uploads.rows": ("Rows", "පේළි", "வரிசைகள்"),
    "uploads.accepted": ("Rows taken", "ගත් පේළි", "ஏற்கப்பட்ட வரிசைகள்"),
    "uploads.duplicates": ("Duplicate rows", "අනුපිටපත් පේළි", "நகல் வரிசைகள்"),
    "uploads.rejected": ("Refused rows", "ප්\u200dරතික්ෂේපිත පේළි", "மறுக்கப்பட்ட வரிசைகள்"),
    "uploads.incidents": ("Cases opened", "විවෘත කළ ගොනු", "திறக்கப்பட்ட வழக்குகள்"),
    "upload_source.manual": ("Registered by hand", "අතින් ලියාපදිංචි කළ", "கைமுறையாகப் பதிவு"),
    "upload_source.bulk_file": ("Uploaded file", "උඩුගත කළ ගොනුව", "பதிவேற்றிய கோப்பு"),
    "upload_source.data_lake": ("Data lake", "දත්ත විලය", "தரவு ஏரி"),
    "upload_status.running": ("Importing…", "ආයාත වෙමින්…", "இறக்குமதியாகிறது…"),
    "upload_status.done": ("Done", "අවසන්", "முடிந்தது"),
    "upload_status.failed": (
        "Stopped part-way; upload the file again to complete it",
        "අතරමග නතර විය; සම්පූර්ණ කිරීමට ගොනුව නැවත උඩුගත කරන්න",
        "இடையில் நின்றது; முடிக்கக் கோப்பை மீண்டும் பதிவேற்றுங்கள்",
    ),
    "uploads.progress": ("Progress", "ප්\u200dරගතිය", "முன்னேற்றம்"),
    "uploads.rows_done": (
        "{done} of {total} rows read",
        "පේළි {total} න් {done} ක් කියවා ඇත",
        "{total} வரிசைகளில் {done} படிக்கப்பட்டன",
    ),
    "uploads.report": ("Row report", "පේළි වාර්තාව", "வரிசை அறிக்கை"),
    "uploads.report_hint": (
        "Rows not listed here were taken.",
        "මෙහි ලැයිස්තුගත නොවූ පේළි ගනු ලැබීය.",
        "இங்கு பட்டியலிடப்படாத வரிசைகள் ஏற்கப்பட்டன.",
    ),
    "uploads.all_taken": (
        "Every row was taken.",
        "සියලු පේළි ගනු ලැබීය.",
        "எல்லா வரிசைகளும் ஏற்கப்பட்டன.",
    ),
    "uploads.omitted": (
        "{count} more rows are not listed.",
        "තවත් පේළි {count} ක් ලැයිස්තුගත කර නැත.",
        "மேலும் {count} வரிசைகள் பட்டியலிடப்படவில்லை.",
    ),
    "uploads.download": ("Download CSV", "CSV බාගන්න", "CSV பதிவிறக்கு"),
    "uploads.col_row": ("Row", "පේළිය", "வரிசை"),
    "uploads.col_outcome": ("Outcome", "ප්\u200dරතිඵලය", "முடிவு"),
    "uploads.col_field": ("Field", "ක්ෂේත්\u200dරය", "புலம்"),
    "uploads.col_problem": ("Problem", "ගැටලුව", "சிக்கல்"),
    "upload_outcome.refused": ("Refused", "ප්\u200dරතික්ෂේප විය", "மறுக்கப்பட்டது"),
    "upload_outcome.duplicate": ("Duplicate", "අනුපිටපත", "நகல்"),
}
