"""Contact values per kind, and how a contact book applies changes."""

from __future__ import annotations

import pytest

from backend.customers.contacts import ContactBook, normalise
from backend.customers.models import Contact, ContactKind, derived_contact_id
from backend.customers.schemas import ContactAdd, ContactEdit


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        (ContactKind.MOBILE, "+94 (77) 123-4567", "+94771234567"),
        (ContactKind.LANDLINE, "011.234.5678", "0112345678"),
        (ContactKind.EMAIL, " A.Perera@Mail.LK ", "a.perera@mail.lk"),
        (ContactKind.ADDRESS, " 5,  Lake Road\n\tKandy ", "5, Lake Road Kandy"),
    ],
)
def test_values_are_normalised_per_kind(kind, value, stored):
    assert normalise(kind, value) == stored


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (ContactKind.MOBILE, "123"),
        (ContactKind.MOBILE, "+94 77 ABC 4567"),
        (ContactKind.EMAIL, "perera@localhost"),
        (ContactKind.ADDRESS, "Road"),
        (ContactKind.ADDRESS, "12 Lake\x00 Road"),
    ],
)
def test_values_that_are_refused(kind, value):
    with pytest.raises(ValueError):
        normalise(kind, value)


def test_contacts_stored_without_an_id_keep_a_stable_one():
    first = Contact.model_validate({"kind": "mobile", "value": "0771234567"})
    again = Contact.model_validate({"kind": "mobile", "value": "0771234567"})
    assert first.id == again.id == derived_contact_id("mobile", "0771234567")


def test_one_primary_per_kind_and_the_first_of_a_kind_is_primary():
    book = ContactBook([], actor_uid="ro-1", source="field")
    book.apply(0, ContactAdd(op="add", kind=ContactKind.MOBILE, value="0771111111"))
    book.apply(1, ContactAdd(op="add", kind=ContactKind.MOBILE, value="0772222222"))
    assert [c.primary for c in book.contacts] == [True, False]
    second = book.contacts[1].id
    book.apply(2, ContactEdit(op="update", id=second, primary=True))
    assert [c.primary for c in book.contacts] == [False, True]
    assert [e.action for e in book.events] == [
        "customer.contact_add",
        "customer.contact_add",
        "customer.contact_update",  # the new primary
        "customer.contact_update",  # the old one demoted
    ]
