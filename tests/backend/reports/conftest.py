"""The notifications' local SMTP server (aiosmtpd) for the scheduled reports' mail."""

from __future__ import annotations

import pytest

from tests.backend.notifications.conftest import smtp_server  # noqa: F401 (a fixture)
from tests.backend.notifications.servers import SmtpServer


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> SmtpServer:  # noqa: F811
    smtp_server.reset()
    return smtp_server
