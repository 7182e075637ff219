from tests.backend.dunning.conftest import as_operator, operator  # noqa: F401  (fixtures)
