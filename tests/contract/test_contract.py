"""mobile_contract/ must describe the code as it is."""

from __future__ import annotations

import json

from backend import contract
from backend.core.errors import catalogue


def test_generated_contract_files_are_current():
    stale = contract.stale_files()
    assert not stale, f"mobile_contract/ is stale ({', '.join(stale)}): run `debtx contract`"


def test_every_error_code_is_catalogued_once():
    codes = [e["code"] for e in catalogue()]
    assert len(codes) == len(set(codes))
    published = json.loads((contract.CONTRACT_DIR / "errors.json").read_text())["errors"]
    assert {e["code"] for e in published} == set(codes)
    assert all(e["description"] for e in published)


def test_development_routes_stay_out_of_the_contract():
    paths = json.loads((contract.CONTRACT_DIR / "openapi.json").read_text())["paths"]
    assert not [p for p in paths if p.startswith("/auth/dev")]


def test_error_responses_are_documented_as_problem_details():
    document = contract.openapi_document()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (
                        path,
                        method,
                        status,
                    )
