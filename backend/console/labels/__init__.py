"""Every label the console shows, in English, Sinhala and Tamil.

Each page keeps its labels in a module of this package, as `LABELS`: key to the label in
(English, Sinhala, Tamil). Modules are found by themselves, so a new page adds one file.
Problem details from the API (field reasons, details) stay in English, as the API sends them.
"""

from __future__ import annotations

import importlib
import pkgutil

Labels = dict[str, tuple[str, str, str]]


def _collect() -> Labels:
    found: Labels = {}
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        labels: Labels = importlib.import_module(f"{__name__}.{module.name}").LABELS
        if clash := found.keys() & labels.keys():
            raise RuntimeError(f"console labels defined twice: {sorted(clash)}")
        found |= labels
    return found


LABELS = _collect()
ENGLISH = {key: text[0] for key, text in LABELS.items()}
SINHALA = {key: text[1] for key, text in LABELS.items()}
TAMIL = {key: text[2] for key, text in LABELS.items()}
