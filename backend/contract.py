"""What the Flutter team codes against, generated from the code itself.

`debtx contract write` refreshes mobile_contract/; a test fails when it falls behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backend.core.errors import catalogue
from backend.core.settings import Settings

CONTRACT_DIR = Path(__file__).resolve().parents[1] / "mobile_contract"


def _dump(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def openapi_document() -> dict[str, Any]:
    """The production API: development-only routes are left out."""
    from backend.main import create_app

    app = create_app(Settings(_env_file=None, auth={"dev_login": False}, log_json=True))
    return app.openapi()


def render() -> dict[str, str]:
    """Every generated contract file, by path relative to mobile_contract/."""
    return {
        "openapi.json": _dump(openapi_document()),
        "errors.json": _dump({"errors": catalogue()}),
    }


def stale_files(directory: Path = CONTRACT_DIR) -> list[str]:
    return [
        name
        for name, text in render().items()
        if not (directory / name).exists() or (directory / name).read_text() != text
    ]


def write(directory: Path = CONTRACT_DIR) -> list[str]:
    changed = stale_files(directory)
    for name, text in render().items():
        if name in changed:
            (directory / name).parent.mkdir(parents=True, exist_ok=True)
            (directory / name).write_text(text)
    return changed
