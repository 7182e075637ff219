"""Who may see a change: DebtX's tenancy, as the audiences the change log keeps.

A case's changes go to the officer holding it ("ro:<uid>") and to its DRC's supervisors
("drc:<id>"); a user's own records (their mutations' outcomes) to that user alone.
Operator staff read every change, so they have no audience of their own.
"""

from __future__ import annotations

OFFICER = "ro"
DRC = "drc"


def officer(uid: str) -> str:
    return f"{OFFICER}:{uid}"


def drc(drc_id: str) -> str:
    return f"{DRC}:{drc_id}"


def holding(ro_id: str | None, drc_id: str | None) -> list[str]:
    """The audiences of a case held by `ro_id` within `drc_id`."""
    found = []
    if ro_id:
        found.append(officer(ro_id))
    if drc_id:
        found.append(drc(drc_id))
    return found


def parse(audience: str) -> tuple[str, str]:
    """(kind, who): `OFFICER` or `DRC`, and the uid or DRC id."""
    kind, _, who = audience.partition(":")
    return kind, who
