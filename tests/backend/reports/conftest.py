"""A local SMTP server (aiosmtpd) for the scheduled reports' mail."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.backend.notifications.servers import SmtpServer


@pytest.fixture(scope="session")
def report_smtp() -> Iterator[SmtpServer]:
    try:
        server = SmtpServer()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.close()


@pytest.fixture
def smtp(report_smtp: SmtpServer) -> SmtpServer:
    report_smtp.reset()
    return report_smtp
