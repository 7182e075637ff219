"""What every work queue shares: the live list, the item page, the decision buttons."""

from __future__ import annotations

# key: (English, Sinhala, Tamil)
LABELS: dict[str, tuple[str, str, str]] = {
    "queue.waiting": ("Waiting for a decision", "තීරණයක් බලාපොරොත්තුවෙන්", "முடிவுக்காகக் காத்திருப்பவை"),
    "queue.live": (
        "This list refreshes by itself.",
        "මෙම ලැයිස්තුව ස්වයංක්\u200dරීයව යාවත්කාලීන වේ.",
        "இந்தப் பட்டியல் தானாகப் புதுப்பிக்கப்படும்.",
    ),
    "queue.more": (
        "Showing {count}; more appear as these are decided.",
        "{count}ක් පෙන්වයි; මේවා තීරණය කළ විට තවත් පෙනේ.",
        "{count} காட்டப்படுகின்றன; இவை முடிவானதும் மேலும் தோன்றும்.",
    ),
    "queue.actions": ("Actions", "ක්\u200dරියා", "செயல்கள்"),
    "queue.review": ("Review", "සමාලෝචනය", "பரிசீலி"),
    "queue.details": ("Details", "විස්තර", "விவரங்கள்"),
    "queue.decide": ("Decision", "තීරණය", "முடிவு"),
    "queue.decided": (
        "This item is no longer waiting for a decision.",
        "මෙය තවදුරටත් තීරණයක් බලාපොරොත්තුවෙන් නැත.",
        "இது இனி முடிவுக்காகக் காத்திருக்கவில்லை.",
    ),
    "queue.approve": ("Approve", "අනුමත කරන්න", "ஒப்புதல் அளி"),
    "queue.reject": ("Reject", "ප්\u200dරතික්ෂේප කරන්න", "நிராகரி"),
    "queue_done.approve": ("Approved.", "අනුමත කරන ලදී.", "ஒப்புதல் அளிக்கப்பட்டது."),
    "queue_done.reject": ("Rejected.", "ප්\u200dරතික්ෂේප කරන ලදී.", "நிராகரிக்கப்பட்டது."),
    "queue_done.reapply": ("Re-applied.", "නැවත යොදන ලදී.", "மீண்டும் பயன்படுத்தப்பட்டது."),
    "queue_done.edit": (
        "Re-applied with your changes.",
        "ඔබේ වෙනස්කම් සමඟ නැවත යොදන ලදී.",
        "உங்கள் மாற்றங்களுடன் மீண்டும் பயன்படுத்தப்பட்டது.",
    ),
    "queue_done.dismiss": ("Dismissed.", "ඉවත ලන ලදී.", "தள்ளுபடி செய்யப்பட்டது."),
}
