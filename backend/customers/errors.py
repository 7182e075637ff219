from backend.core.errors import Conflict, NotFound, ValidationFailed


class CustomerNotFound(NotFound):
    """No such customer, or none of their cases is within the caller's reach."""

    code = "customer.not_found"
    title = "Customer not found"


class CustomerChanged(Conflict):
    """The customer changed since `base_version`; reload and apply the change again."""

    code = "customer.changed"
    title = "Customer changed concurrently"


class BaseVersionUnknown(ValidationFailed):
    """`base_version` is newer than any version of the customer the server has issued."""

    code = "customer.base_version_unknown"
    title = "Unknown base version"


class ContactInvalid(ValidationFailed):
    """A contact value is not valid for its kind (phone number, email address, address)."""

    code = "customer.contact_invalid"
    title = "Invalid contact"


class ContactUnknown(ValidationFailed):
    """The change names a contact the customer does not have."""

    code = "customer.contact_unknown"
    title = "No such contact"


class ContactDuplicate(ValidationFailed):
    """The customer already has a contact of this kind with this value."""

    code = "customer.contact_duplicate"
    title = "Contact already recorded"


class TooManyContacts(ValidationFailed):
    """The change would leave the customer with more contacts than allowed."""

    code = "customer.too_many_contacts"
    title = "Too many contacts"


class AccountOwnerMismatch(Conflict):
    """The account is already recorded under another customer."""

    code = "customer.account_owner_mismatch"
    title = "Account belongs to another customer"


class DisputeAlreadyOpen(Conflict):
    """The customer already has an open dispute; close it before opening another."""

    code = "customer.dispute_open"
    title = "Dispute already open"


class NoOpenDispute(Conflict):
    """The customer has no open dispute to close."""

    code = "customer.no_dispute"
    title = "No open dispute"
