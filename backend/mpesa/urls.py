"""Where Daraja calls DebtX back. Daraja does not sign its callbacks, so each URL
carries the secret `DEBTX_MPESA__CALLBACK_TOKEN` as its `token` query parameter."""

from __future__ import annotations

from backend.core.settings import MpesaSettings

STK = "/mpesa/callbacks/stk"
C2B_VALIDATION = "/mpesa/callbacks/c2b/validation"
C2B_CONFIRMATION = "/mpesa/callbacks/c2b/confirmation"


def callback_url(settings: MpesaSettings, path: str) -> str:
    """The URL Daraja calls back on, with the token that tells DebtX it is Daraja."""
    token = settings.callback_token.get_secret_value()
    return f"{settings.callback_base_url.rstrip('/')}{path}?token={token}"
