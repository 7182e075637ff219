"""Every route named in mobile_contract/API_MAP.md exists in the published OpenAPI."""

from __future__ import annotations

import json
import re

from backend.contract import CONTRACT_DIR

_ROUTE = re.compile(r"`(GET|POST|PATCH|PUT|DELETE) (/[^`?\s]*)")


def test_every_mapped_route_exists():
    paths = json.loads((CONTRACT_DIR / "openapi.json").read_text())["paths"]
    text = (CONTRACT_DIR / "API_MAP.md").read_text()
    mapped = _ROUTE.findall(text)
    assert len(mapped) >= 11
    missing = [f"{m} {p}" for m, p in mapped if m.lower() not in paths.get(p, {})]
    assert not missing, f"API_MAP.md names routes that do not exist: {missing}"


def test_every_seed_api_is_mapped():
    text = (CONTRACT_DIR / "API_MAP.md").read_text()
    seed_names = [
        "RO_CPE_Collection",
        "List_All_Mediation_Board_Cases_By_DRC_ID_or_RO_ID_Ext_01",
        "Mediation_Board_Submit",
        "Count_Mediation_Board_Phase_Cases",
        "Case_Details_for_DRC",
        "list_Active_Customer_Negotiations",
        "List_Active_RO_Requests",
        "Customer_Negotiations",
        "List_All_DRC_Negotiation_Cases_ext_1",
        "Count_Negotiation_Phase_Cases",
        "Update_Customer_Contacts",
    ]
    assert all(name in text for name in seed_names)
