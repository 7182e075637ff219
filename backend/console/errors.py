"""Outcomes that are not problems of the API: they send the browser somewhere.

They are not DomainErrors, so the API's error catalogue stays as it is.
"""

from __future__ import annotations


class SignInRequired(Exception):
    """No live session: the browser goes to the sign-in page, and comes back after."""


class OfficerRefused(Exception):
    """A recovery officer: the console politely points them to the app."""
