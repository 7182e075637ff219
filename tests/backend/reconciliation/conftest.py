"""The local bank server for the reconciliation's statements."""

from tests.backend.banking.conftest import bank, bank_server

__all__ = ["bank", "bank_server"]
