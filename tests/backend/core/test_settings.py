"""Settings are validated at start; production refuses unsafe defaults."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from backend.core.settings import Settings

REAL_SECRET = "s" * 40
REAL_PII = {"keys": {"2026-12": "k" * 40}, "current_key_id": "2026-12", "index_key": "x" * 40}
REAL_MPESA = {
    "consumer_key": "app-key",
    "consumer_secret": "app-secret",
    "passkey": "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
    "callback_token": REAL_SECRET,
}


def test_defaults_are_a_working_development_setup(monkeypatch):
    monkeypatch.delenv("DEBTX_ENV", raising=False)
    settings = Settings(_env_file=None)
    assert settings.env == "development"
    assert "retryWrites=false" in settings.mongo.uri.get_secret_value()


def test_nested_settings_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("DEBTX_MONGO__DATABASE", "elsewhere")
    monkeypatch.setenv("DEBTX_FIREBASE__PROJECT_ID", "telco-prod")
    settings = Settings(_env_file=None)
    assert settings.mongo.database == "elsewhere"
    assert settings.firebase.project_id == "telco-prod"


@pytest.mark.parametrize(
    ("overrides", "complaint"),
    [
        ({"auth": {"dev_login": True}, "internal_token": REAL_SECRET}, "DEV_LOGIN"),
        ({}, "placeholder"),
        ({"internal_token": "short"}, "at least 32"),
        (
            {"internal_token": REAL_SECRET, "firebase": {"cert_url": "http://127.0.0.1/certs"}},
            "CERT_URL",
        ),
        (
            {
                "internal_token": REAL_SECRET,
                "firebase": {"firestore_emulator_host": "127.0.0.1:8080"},
            },
            "EMULATOR",
        ),
        ({"internal_token": REAL_SECRET}, "CONSOLE__SESSION_SECRET"),
        (
            {"internal_token": REAL_SECRET, "console": {"session_secret": REAL_SECRET}},
            "SMS_WEBHOOK_SECRET",
        ),
        (
            {
                "internal_token": REAL_SECRET,
                "console": {"session_secret": REAL_SECRET},
                "responses": {"sms_webhook_secret": REAL_SECRET},
            },
            "OSS__SIGNING_SECRET",
        ),
        (
            {
                "internal_token": REAL_SECRET,
                "console": {"session_secret": REAL_SECRET},
                "responses": {"sms_webhook_secret": REAL_SECRET},
                "oss": {"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
            },
            "BILLING__WEBHOOK_SECRET",
        ),
        (
            {
                "internal_token": REAL_SECRET,
                "console": {"session_secret": REAL_SECRET},
                "responses": {"sms_webhook_secret": REAL_SECRET},
                "oss": {"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
                "billing": {"webhook_secret": REAL_SECRET},
            },
            "CARDS__API_KEY",
        ),
        (
            {
                "internal_token": REAL_SECRET,
                "console": {"session_secret": REAL_SECRET},
                "responses": {"sms_webhook_secret": REAL_SECRET},
                "oss": {"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
                "billing": {"webhook_secret": REAL_SECRET},
            },
            "MPESA__CONSUMER_KEY",
        ),
    ],
    ids=[
        "dev_login",
        "placeholder_secret",
        "short_secret",
        "local_certs",
        "emulator",
        "console_secret",
        "sms_webhook_secret",
        "oss_secret",
        "billing_secret",
        "card_secrets",
        "mpesa_credentials",
    ],
)
def test_production_refuses_unsafe_settings(overrides, complaint):
    with pytest.raises(ValidationError, match=complaint):
        Settings(_env_file=None, env="production", **overrides)


def test_production_accepts_real_settings():
    settings = Settings(
        _env_file=None,
        env="production",
        internal_token=REAL_SECRET,
        console={"session_secret": REAL_SECRET},
        responses={"sms_webhook_secret": REAL_SECRET},
        oss={"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
        pii=REAL_PII,
        bank={"client_secret": REAL_SECRET, "webhook_secret": REAL_SECRET},
        billing={"webhook_secret": REAL_SECRET},
        cards={"api_key": REAL_SECRET, "webhook_secret": REAL_SECRET},
        mpesa=REAL_MPESA,
    )
    assert settings.is_production


REAL_REST = {
    "internal_token": REAL_SECRET,
    "console": {"session_secret": REAL_SECRET},
    "responses": {"sms_webhook_secret": REAL_SECRET},
    "oss": {"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
    "bank": {"client_secret": REAL_SECRET, "webhook_secret": REAL_SECRET},
    "billing": {"webhook_secret": REAL_SECRET},
    "cards": {"api_key": REAL_SECRET, "webhook_secret": REAL_SECRET},
    "mpesa": REAL_MPESA,
}


@pytest.mark.parametrize(
    ("pii", "complaint"),
    [
        ({}, "PII__KEYS must hold real secrets"),
        ({**REAL_PII, "keys": {"2026-12": "k" * 40, "old": "dev-insecure-pii"}}, "PII__KEYS"),
        ({**REAL_PII, "index_key": "short"}, "PII__INDEX_KEY must be a real secret"),
        ({**REAL_PII, "index_key": "k" * 40}, "INDEX_KEY must differ"),
    ],
    ids=["placeholder_key", "placeholder_old_key", "short_index_key", "shared_key"],
)
def test_production_refuses_placeholder_pii_keys(pii, complaint):
    with pytest.raises(ValidationError, match=complaint):
        Settings(_env_file=None, env="production", pii=pii, **REAL_REST)


def test_the_current_pii_key_must_be_in_the_ring(monkeypatch):
    monkeypatch.setenv("DEBTX_PII__KEYS", json.dumps({"a": "a" * 40, "b": "b" * 40}))
    monkeypatch.setenv("DEBTX_PII__CURRENT_KEY_ID", "b")
    assert Settings(_env_file=None).pii.current_key_id == "b"
    with pytest.raises(ValidationError, match="not in KEYS"):
        Settings(_env_file=None, pii={"current_key_id": "c"})


def test_production_refuses_placeholder_bank_secrets():
    with pytest.raises(ValidationError, match="DEBTX_BANK__WEBHOOK_SECRET"):
        Settings(
            _env_file=None,
            env="production",
            internal_token=REAL_SECRET,
            console={"session_secret": REAL_SECRET},
            responses={"sms_webhook_secret": REAL_SECRET},
            oss={"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
            bank={"client_secret": REAL_SECRET},
        )


def test_invalid_values_are_refused_at_start():
    with pytest.raises(ValidationError):
        Settings(_env_file=None, log_level="LOUD")
    with pytest.raises(ValidationError):
        Settings(_env_file=None, firebase={"project_id": "Bad Project"})


async def test_production_refuses_a_mongodb_that_is_not_a_replica_set(tmp_path):
    """A standalone server has no transactions; production will not start on one."""
    from backend.core.errors import ServiceUnavailable
    from backend.devstack import components as c
    from backend.resources import Resources

    standalone = c.mongodb(tmp_path / "m", c.free_port(), tmp_path)
    standalone.argv.append("--standalone")
    standalone.start().wait_ready(60)
    try:
        settings = Settings(
            _env_file=None,
            env="production",
            internal_token=REAL_SECRET,
            console={"session_secret": REAL_SECRET},
            responses={"sms_webhook_secret": REAL_SECRET},
            oss={"signing_secret": REAL_SECRET, "callback_secret": REAL_SECRET},
            pii=REAL_PII,
            bank={"client_secret": REAL_SECRET, "webhook_secret": REAL_SECRET},
            billing={"webhook_secret": REAL_SECRET},
            cards={"api_key": REAL_SECRET, "webhook_secret": REAL_SECRET},
            mpesa=REAL_MPESA,
            mongo={"uri": c.mongo_uri(standalone), "server_selection_timeout_ms": 2000},
        )
        with pytest.raises(ServiceUnavailable, match="replica set"):
            await Resources.open(settings)
    finally:
        standalone.stop()
