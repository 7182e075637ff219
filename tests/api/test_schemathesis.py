"""Property-based API tests: requests generated from the published contract, sent to a
live server, never produce a 5xx and are answered as the contract says."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from backend.contract import CONTRACT_DIR
from backend.users.models import Role
from tests.factories import bearer, make_drc, make_user

schema = schemathesis.openapi.from_path(CONTRACT_DIR / "openapi.json")

SCHEMA_LEVEL_CODES = {"request.invalid", "request.malformed_json", "request.malformed"}


@schemathesis.check
def schema_valid_data_passes_validation(ctx, response, case):
    """A request the contract calls valid may still break a business rule (422 with a
    domain code, such as an unknown DRC), but never our own request validation."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code in (400, 422):
        code = response.json().get("code")
        assert code not in SCHEMA_LEVEL_CODES, (
            f"schema-valid request refused by validation: {response.text}"
        )
    return True


@schemathesis.check
def schema_violating_data_is_rejected(ctx, response, case):
    """Schemathesis' own negative-data check, except where the headers were made invalid:
    the test replaces Authorization with a real token, so that violation never arrives,
    and Schemathesis would count it beside others it knows serialization undid (a
    one-element array for a query string: `?region=0.0`)."""
    if case.meta is not None and _headers_mutated(case.meta):
        return None
    return negative_data_rejection(ctx, response, case)


def _headers_mutated(meta) -> bool:
    return meta.is_negative_at(ParameterLocation.HEADER) or any(
        mutation.parameter_location is ParameterLocation.HEADER
        for mutation in meta.phase.data.mutations
    )


@pytest.fixture
async def admin_headers(signing_key) -> dict[str, str]:
    await make_drc("DRC-FUZZ")
    return bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_conformant_responses(case, live_server, admin_headers):
    case.call_and_validate(
        base_url=live_server,
        headers=admin_headers,
        timeout=30,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
        additional_checks=[schema_valid_data_passes_validation, schema_violating_data_is_rejected],
    )
