"""The offline-sync engine: mutations, idempotency, conflict policies, change log, mirror.

Domains register their mutations and projections with it; it imports no domain.
"""
