import pytest

from backend.core.settings import RetentionSettings


@pytest.fixture
def retention_settings(settings):
    """Two years for closed cases, seven for customers, 180 days for deliveries; the
    change log keeps DEBTX_SYNC__RETENTION_DAYS (30)."""
    return settings.model_copy(update={"retention": RetentionSettings(batch_size=2)})
