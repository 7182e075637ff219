"""What the Flutter team codes against, generated from the code itself.

`debtx contract write` refreshes mobile_contract/; a test fails when it falls behind.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

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


def sync_protocol() -> dict[str, Any]:
    """JSON Schemas of what travels through push and pull (and the Firestore outbox)."""
    from sync.protocol import Change, Mutation, PullPage, PushBatch, PushResults, Result

    models = (Mutation, PushBatch, Result, PushResults, Change, PullPage)
    _, schemas = models_json_schema(
        [(model, "validation") for model in models], ref_template="#/$defs/{model}"
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "DebtX sync protocol",
        **schemas,
    }


def sync_mutations() -> dict[str, Any]:
    """Every mutation the app may send: its conflict policy and its `args` JSON Schema."""
    from backend.syncing.service import REGISTRY

    return {
        "mutations": {
            name: {
                "summary": spec.summary,
                "policy": spec.policy.value,
                "args": spec.args.model_json_schema(),
            }
            for name, spec in sorted(REGISTRY.mutations.items())
        }
    }


def firestore_documents() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the documents the mirror writes to Firestore, by file stem."""
    from backend.syncing.mirror import FIRESTORE_SCHEMAS

    return {
        stem: {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            **model.model_json_schema(mode="serialization"),
        }
        for stem, model in FIRESTORE_SCHEMAS.items()
    }


def render() -> dict[str, str]:
    """Every generated contract file, by path relative to mobile_contract/."""
    return {
        "openapi.json": _dump(openapi_document()),
        "errors.json": _dump({"errors": catalogue()}),
        "sync/protocol.json": _dump(sync_protocol()),
        "sync/mutations.json": _dump(sync_mutations()),
        **{
            f"firestore/{stem}.json": _dump(schema)
            for stem, schema in firestore_documents().items()
        },
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
