import pytest


@pytest.fixture(autouse=True)
def _database(app):
    """Domain tests call services directly, so the documents must be bound."""
    return app
