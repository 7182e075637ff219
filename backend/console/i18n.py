"""The console's languages, and the translator every template's labels go through."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from backend.console.labels import ENGLISH, SINHALA, TAMIL


class Language(StrEnum):
    ENGLISH = "en"
    SINHALA = "si"
    TAMIL = "ta"

    @property
    def native_name(self) -> str:
        return NATIVE_NAMES[self]


NATIVE_NAMES = {Language.ENGLISH: "English", Language.SINHALA: "සිංහල", Language.TAMIL: "தமிழ்"}
CATALOGUES: dict[Language, dict[str, str]] = {
    Language.ENGLISH: ENGLISH,
    Language.SINHALA: SINHALA,
    Language.TAMIL: TAMIL,
}

Translate = Callable[..., str]


def language_of(value: str | None) -> Language:
    """The language a cookie or form names; English when it names none we have."""
    try:
        return Language(value or Language.ENGLISH)
    except ValueError:
        return Language.ENGLISH


def translator(language: Language) -> Translate:
    """`t(key, **values)`: the label in `language`; an unknown key fails loudly in tests."""
    catalogue = CATALOGUES[language]

    def t(key: str, **values: object) -> str:
        text = catalogue[key]
        return text.format(**values) if values else text

    return t
