"""Customer contacts: what a valid value is for each kind, and how changes apply.

Pure functions over lists of `Contact`; the service loads, checks versions and stores.
Rules: values are normalised per kind (phone separators dropped, email lower-cased,
address whitespace collapsed); at most one primary per kind, and the first contact of
a kind becomes primary; a contact disappears only when a change removes it by id.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from backend.core import clock, pii
from backend.customers.errors import (
    ContactDuplicate,
    ContactInvalid,
    ContactUnknown,
    TooManyContacts,
)
from backend.customers.models import Contact, ContactKind
from backend.customers.schemas import ContactAdd, ContactChange, ContactEdit, ContactRemove

MAX_CONTACTS = 50
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")
_PHONE_SEPARATORS = re.compile(r"[ ()./-]")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def normalise(kind: ContactKind, value: str) -> str:
    """The value as stored for its kind; ValueError with the reason when it is not valid."""
    if kind in (ContactKind.MOBILE, ContactKind.LANDLINE):
        phone = _PHONE_SEPARATORS.sub("", value.strip())
        if not _PHONE.match(phone):
            raise ValueError("a phone number is 7 to 15 digits, optionally after a +")
        return phone
    if kind is ContactKind.EMAIL:
        email = value.strip().lower()
        if len(email) > 254 or not _EMAIL.match(email):
            raise ValueError("not an email address")
        return email
    address = " ".join(value.split())
    if _CONTROL.search(value.replace("\n", " ").replace("\t", " ")) or not 5 <= len(address) <= 300:
        raise ValueError("an address is 5 to 300 printable characters")
    return address


def summary(contact: Contact | None) -> dict[str, Any] | None:
    """A contact as a conflict keeps it (the review inbox seals it at rest)."""
    if contact is None:
        return None
    return {
        "id": contact.id,
        "kind": contact.kind.value,
        "value": contact.value,
        "primary": contact.primary,
    }


def audited(contact: Contact | None) -> dict[str, Any] | None:
    """What the audit trail records about a contact: its value masked."""
    shown = summary(contact)
    return shown and {**shown, "value": pii.mask(shown["value"])}


@dataclass
class ContactEvent:
    """One audited change: `before` None for an addition, `after` None for a removal."""

    action: str
    before: Contact | None
    after: Contact | None


class ContactBook:
    """A customer's contacts being changed; collects one event per change."""

    def __init__(
        self, contacts: list[Contact], *, actor_uid: str | None, source: str, version: int = 0
    ) -> None:
        self.contacts = [c.model_copy() for c in contacts]
        self.events: list[ContactEvent] = []
        self.actor_uid = actor_uid
        self.source = source
        self.version = version  # the customer version these changes will be stored at
        self.now = clock.now()

    def apply(self, index: int, change: ContactChange) -> None:
        if isinstance(change, ContactAdd):
            self._add(index, change)
        elif isinstance(change, ContactEdit):
            self._edit(index, change)
        elif isinstance(change, ContactRemove):
            self._remove(index, change)

    def add_known(self, kind: ContactKind, value: str) -> bool:
        """Add a normalised value unless already recorded; True when added."""
        if self._find_value(kind, value) is not None:
            return False
        self._insert(kind, value, primary=False)
        return True

    def _add(self, index: int, change: ContactAdd) -> None:
        value = _valid(index, change.kind, change.value)
        if self._find_value(change.kind, value) is not None:
            raise ContactDuplicate(
                f"A {change.kind} contact {value} is already recorded", change=index
            )
        self._insert(change.kind, value, primary=change.primary)

    def _insert(self, kind: ContactKind, value: str, *, primary: bool) -> None:
        if len(self.contacts) >= MAX_CONTACTS:
            raise TooManyContacts(f"A customer has at most {MAX_CONTACTS} contacts")
        first = not any(c.kind is kind for c in self.contacts)
        contact = Contact(
            id=uuid.uuid4().hex[:12],
            kind=kind,
            value=value,
            primary=primary or first,
            source=self.source,
            updated_at=self.now,
            updated_by=self.actor_uid,
            value_version=self.version,
            primary_version=self.version,
        )
        if contact.primary:
            self._demote(kind, keep=contact.id)
        self.contacts.append(contact)
        self.events.append(ContactEvent("customer.contact_add", None, contact))

    def _edit(self, index: int, change: ContactEdit) -> None:
        position, current = self._find_id(index, change.id)
        fields: dict[str, Any] = {}
        if change.value is not None:
            value = _valid(index, current.kind, change.value)
            other = self._find_value(current.kind, value)
            if other is not None and other.id != current.id:
                raise ContactDuplicate(
                    f"A {current.kind} contact {value} is already recorded", change=index
                )
            if value != current.value:
                fields.update(value=value, verified=False)
        if change.primary is not None and change.primary != current.primary:
            fields["primary"] = change.primary
        if fields:
            self._replace(position, current, fields)
            if fields.get("primary"):
                self._demote(current.kind, keep=current.id)

    def _remove(self, index: int, change: ContactRemove) -> None:
        position, current = self._find_id(index, change.id)
        del self.contacts[position]
        self.events.append(ContactEvent("customer.contact_remove", current, None))

    def _demote(self, kind: ContactKind, *, keep: str) -> None:
        for position, contact in enumerate(self.contacts):
            if contact.kind is kind and contact.primary and contact.id != keep:
                self._replace(position, contact, {"primary": False})

    def _replace(self, position: int, current: Contact, fields: dict[str, Any]) -> None:
        versions = {
            f"{name}_version": self.version for name in ("value", "primary") if name in fields
        }
        updated = current.model_copy(
            update={**fields, **versions, "updated_at": self.now, "updated_by": self.actor_uid}
        )
        self.contacts[position] = updated
        self.events.append(ContactEvent("customer.contact_update", current, updated))

    def _find_value(self, kind: ContactKind, value: str) -> Contact | None:
        return next((c for c in self.contacts if c.kind is kind and c.value == value), None)

    def _find_id(self, index: int, contact_id: str) -> tuple[int, Contact]:
        for position, contact in enumerate(self.contacts):
            if contact.id == contact_id:
                return position, contact
        raise ContactUnknown(f"The customer has no contact {contact_id}", change=index)


def _valid(index: int, kind: ContactKind, value: str) -> str:
    try:
        return normalise(kind, value)
    except ValueError as exc:
        raise ContactInvalid(
            f"changes[{index}]: {exc}",
            errors=[{"in": "body", "field": f"changes.{index}.value", "reason": str(exc)}],
        ) from exc
