"""Contact changes made offline, merged with what changed on the server since.

The app edits contacts against the customer version it last read (`base_version`).
Each contact remembers the version that last changed its value and its primary flag,
so a change clashes only when the server changed that very field since. A true clash
is settled by the field's rule, and the losing value is kept in the review inbox:

- `value`: the later device time wins; a tie goes to the server.
- `primary`: the server wins (the office's choice of main number stands).
- removing a contact the server changed since, or editing one it removed: manual;
  nothing changes until a supervisor decides.

Adding a contact never clashes; adding one already on record changes nothing.
"""

from __future__ import annotations

from datetime import datetime

from backend.customers.contacts import normalise, summary
from backend.customers.models import Contact, ContactKind
from backend.customers.schemas import ContactAdd, ContactChange, ContactEdit, ContactRemove
from sync.protocol import Resolution, Rule, Winner


class ContactMerge:
    def __init__(self, contacts: list[Contact], *, base_version: int, device_time: datetime):
        self.by_id = {c.id: c for c in contacts}
        self.known = {(c.kind, c.value) for c in contacts}
        self.base_version = base_version
        self.device_time = device_time
        self.changes: list[ContactChange] = []
        self.resolutions: list[Resolution] = []

    def add(self, changes: list[ContactChange]) -> ContactMerge:
        for change in changes:
            if isinstance(change, ContactAdd):
                self._add(change)
            elif isinstance(change, ContactRemove):
                self._remove(change)
            elif isinstance(change, ContactEdit):
                self._edit(change)
        return self

    def _add(self, change: ContactAdd) -> None:
        if (change.kind, _normalised(change.kind, change.value)) not in self.known:
            self.changes.append(change)

    def _remove(self, change: ContactRemove) -> None:
        current = self.by_id.get(change.id)
        if current is None:
            return  # removed on the server too
        if max(current.value_version, current.primary_version) > self.base_version:
            self._clash(f"contacts.{change.id}", Rule.MANUAL, Winner.PENDING, None, current)
            return
        self.changes.append(change)

    def _edit(self, change: ContactEdit) -> None:
        current = self.by_id.get(change.id)
        if current is None:
            client = change.model_dump(mode="json", exclude_none=True)
            self._clash(f"contacts.{change.id}", Rule.MANUAL, Winner.PENDING, client, None)
            return
        edit: dict = {}
        if change.value is not None and self._client_value_wins(current, change.value):
            edit["value"] = change.value
        if change.primary is not None and self._client_primary_wins(current, change.primary):
            edit["primary"] = change.primary
        if edit:
            self.changes.append(ContactEdit(op="update", id=change.id, **edit))

    def _client_value_wins(self, current: Contact, value: str) -> bool:
        unchanged = current.value_version <= self.base_version
        if unchanged or _normalised(current.kind, value) == current.value:
            return True
        client_later = self.device_time > current.updated_at
        winner = Winner.CLIENT if client_later else Winner.SERVER
        field = f"contacts.{current.id}.value"
        self.resolutions.append(
            Resolution(
                field=field,
                rule=Rule.LATER_DEVICE_TIME,
                winner=winner,
                client_value=value,
                server_value=current.value,
            )
        )
        return client_later

    def _client_primary_wins(self, current: Contact, primary: bool) -> bool:
        if current.primary_version <= self.base_version or primary == current.primary:
            return True
        field = f"contacts.{current.id}.primary"
        self.resolutions.append(
            Resolution(
                field=field,
                rule=Rule.SERVER_WINS,
                winner=Winner.SERVER,
                client_value=primary,
                server_value=current.primary,
            )
        )
        return False

    def _clash(
        self,
        field: str,
        rule: Rule,
        winner: Winner,
        client: object,
        server: Contact | None,
    ) -> None:
        self.resolutions.append(
            Resolution(
                field=field,
                rule=rule,
                winner=winner,
                client_value=client,
                server_value=summary(server),
            )
        )


def _normalised(kind: ContactKind, value: str) -> str:
    try:
        return normalise(kind, value)
    except ValueError:
        return value  # the contact book rejects it with the reason
