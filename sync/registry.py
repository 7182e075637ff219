"""Where domains plug in: their mutations, and the entities a pull returns.

A domain registers each mutation with its argument schema, its authorization check
(`locate`: which entity the mutation acts on, refusing a sender who may not act on it)
and its conflict policy (`policy`, with the rules `apply` follows for each field). The
application says who sees what the engine records about a sender (`Audiences`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

from pydantic import BaseModel
from pymongo.asynchronous.client_session import AsyncClientSession

from sync.models import InboxItem
from sync.protocol import Mutation, Resolution


class Sender(Protocol):
    """Who pushed: any user object with an id."""

    @property
    def id(self) -> str: ...


S = TypeVar("S", bound=Sender)  # the application's user
A = TypeVar("A", bound=BaseModel)  # a mutation's validated arguments
T = TypeVar("T")  # what a mutation acts on, as its domain loaded it


class Policy(StrEnum):
    """How a mutation meets changes it did not see (README "Conflict policies")."""

    APPEND_ONLY = "append_only"  # a new record; never conflicts
    FORWARD_ONLY = "forward_only"  # a state that only moves on; the furthest state is kept
    FIELD_MERGE = "field_merge"  # editable fields merged one by one against base_version


@dataclass(frozen=True)
class Target(Generic[T]):
    """What a mutation acts on, found and checked by the domain's `locate`."""

    entity: str  # "case"
    id: str
    version: int | None
    value: T  # the loaded object, handed on to `apply`


@dataclass(frozen=True)
class Applied:
    """A mutation's effect, committed with the ledger; resolutions make it `merged`."""

    version: int | None = None
    resolutions: list[Resolution] = field(default_factory=list)
    entity: str | None = None  # "kind:id" when `version` is another record's than the target's
    after: AfterCommit | None = None  # work that must wait for the commit (a call out)


@dataclass(frozen=True)
class Call(Generic[S, A, T]):
    """Everything a domain's handler gets."""

    actor: S
    mutation: Mutation
    args: A
    target: Target[T]
    session: AsyncClientSession


Locate: TypeAlias = Callable[[S, A, AsyncClientSession], Awaitable[Target[T]]]
Apply: TypeAlias = Callable[[Call[S, A, T]], Awaitable[Applied]]


@dataclass(frozen=True)
class MutationSpec(Generic[S, A, T]):
    name: str
    args: type[A]
    policy: Policy
    locate: Locate[S, A, T]
    apply: Apply[S, A, T]
    summary: str


State: TypeAlias = tuple[int | None, dict[str, Any]]  # an entity's version and data
# (caller, ids) -> {id: state} for those the caller may see now
Load: TypeAlias = Callable[[S, list[str]], Awaitable[dict[str, State]]]
# (caller, after id, limit) -> [(id, version, data)] in id order: the initial sync's pages
Snapshot: TypeAlias = Callable[
    [S, str | None, int], Awaitable[list[tuple[str, int | None, dict[str, Any]]]]
]


@dataclass(frozen=True)
class EntitySpec(Generic[S]):
    name: str
    load: Load[S]
    snapshot: Snapshot[S] | None = None


AfterCommit: TypeAlias = Callable[[], Awaitable[None]]
# (inbox item, session) -> what to run once the transaction committed, if anything
ReviewHook: TypeAlias = Callable[[InboxItem, AsyncClientSession], Awaitable[AfterCommit | None]]


@dataclass(frozen=True)
class Audiences(Generic[S]):
    """Who sees what the engine records about a sender's mutations (change-log audiences).

    `own`: the sender's readers, who get each outcome and every decision on it;
    `reviewers`: who may decide the sender's mutations kept for review, besides those
    who read every item (none: only they).
    """

    own: Callable[[S], list[str]]
    reviewers: Callable[[S], list[str]]


class Registry(Generic[S]):
    """The mutations and entities of one application, whose users are `S`."""

    def __init__(self, audiences: Audiences[S]) -> None:
        self.audiences = audiences
        self.mutations: dict[str, MutationSpec[S, Any, Any]] = {}
        self.entities: dict[str, EntitySpec[S]] = {}
        self.review_hooks: list[ReviewHook] = []

    def mutation(
        self,
        name: str,
        *,
        args: type[A],
        policy: Policy,
        locate: Locate[S, A, T],
        summary: str,
    ) -> Callable[[Apply[S, A, T]], Apply[S, A, T]]:
        """Decorate a domain's handler to register it under `name`."""

        def register(apply: Apply[S, A, T]) -> Apply[S, A, T]:
            if name in self.mutations:
                raise ValueError(f"mutation {name} is registered twice")
            self.mutations[name] = MutationSpec(name, args, policy, locate, apply, summary)
            return apply

        return register

    def entity(self, name: str, *, load: Load[S], snapshot: Snapshot[S] | None = None) -> None:
        self.entities[name] = EntitySpec(name, load, snapshot)

    def on_review(self, hook: ReviewHook) -> ReviewHook:
        """Run `hook(item, session)` in the transaction that puts a mutation in the review
        inbox; a callable it returns runs after that transaction committed."""
        self.review_hooks.append(hook)
        return hook
