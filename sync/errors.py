"""Codes the sync engine answers with, as problems or inside a mutation's result."""

from __future__ import annotations

from backend.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed


class ClientOutdated(DomainError):
    """The app or its mutation schema is older than the server accepts; update the app."""

    code = "sync.client_outdated"
    status = 426
    title = "App update required"


class ClientNotYours(Forbidden):
    """The client_id belongs to another user: use one client_id per user and installation."""

    code = "sync.client_not_yours"
    title = "Client belongs to another user"


class MutationGap(Conflict):
    """An earlier mutation of this client has not arrived yet; send it, then this one again."""

    code = "sync.mutation_gap"
    title = "Earlier mutation missing"


class UnknownMutation(ValidationFailed):
    """No mutation has this name; see mobile_contract/sync/mutations.json."""

    code = "sync.unknown_mutation"
    title = "Unknown mutation"


class BaseVersionRequired(ValidationFailed):
    """Mutations that edit fields must say which version of the record they edited."""

    code = "sync.base_version_required"
    title = "base_version required"


class BadDependency(ValidationFailed):
    """`depends_on` may name only earlier mutations of the same client."""

    code = "sync.bad_dependency"
    title = "Invalid dependency"


class DependencyNotApplied(Conflict):
    """A mutation this one depends on was rejected or quarantined; kept for review."""

    code = "sync.dependency_not_applied"
    title = "Depends on a mutation that was not applied"


class NotHolder(Forbidden):
    """The case is no longer assigned to the sender; the mutation waits in the review inbox."""

    code = "sync.not_holder"
    title = "No longer the case's holder"


class Unavailable(DomainError):
    """The database could not be reached or kept conflicting; send the mutation again."""

    code = "sync.unavailable"
    status = 503
    title = "Try again later"


class ReviewNotFound(NotFound):
    """No review inbox item with this id, or not one the caller may see."""

    code = "sync.review_not_found"
    title = "Review item not found"


class ReviewClosed(Conflict):
    """The item was already re-applied or dismissed."""

    code = "sync.review_closed"
    title = "Review item already decided"
