"""The SMS gateway and SMTP servers, for tests that send to customers and hear back."""

from tests.backend.notifications.conftest import (  # noqa: F401  (fixtures)
    edges,
    fcm_server,
    notify_settings,
    senders,
    service_account,
    sms_server,
    smtp_server,
)
