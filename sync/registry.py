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
from typing import Any, Protocol

from pydantic import BaseModel
from pymongo.asynchronous.client_session import AsyncClientSession

from sync.protocol import Mutation, Resolution


class Sender(Protocol):
    """Who pushed: any user object with an id."""

    @property
    def id(self) -> str: ...


class Policy(StrEnum):
    """How a mutation meets changes it did not see (README "Conflict policies")."""

    APPEND_ONLY = "append_only"  # a new record; never conflicts
    FORWARD_ONLY = "forward_only"  # a state that only moves on; the furthest state is kept
    FIELD_MERGE = "field_merge"  # editable fields merged one by one against base_version


@dataclass(frozen=True)
class Target:
    """What a mutation acts on, found and checked by the domain's `locate`."""

    entity: str  # "case"
    id: str
    version: int | None
    value: Any = None  # the loaded object, handed on to `apply`


@dataclass(frozen=True)
class Applied:
    """A mutation's effect, committed with the ledger; resolutions make it `merged`."""

    version: int | None = None
    resolutions: list[Resolution] = field(default_factory=list)
    entity: str | None = None  # "kind:id" when `version` is another record's than the target's


@dataclass(frozen=True)
class Call:
    """Everything a domain's handler gets."""

    actor: Any
    mutation: Mutation
    args: Any  # the validated argument model
    target: Target
    session: AsyncClientSession


Locate = Callable[[Any, Any, AsyncClientSession], Awaitable[Target]]
Apply = Callable[[Call], Awaitable[Applied]]


@dataclass(frozen=True)
class MutationSpec:
    name: str
    args: type[BaseModel]
    policy: Policy
    locate: Locate
    apply: Apply
    summary: str


# (caller, ids) -> {id: (version, data)} for those the caller may see now
Load = Callable[[Any, list[str]], Awaitable[dict[str, tuple[int | None, dict[str, Any]]]]]
# (caller, after id, limit) -> [(id, version, data)] in id order: the initial sync's pages
Snapshot = Callable[[Any, str | None, int], Awaitable[list[tuple[str, int | None, dict[str, Any]]]]]


@dataclass(frozen=True)
class EntitySpec:
    name: str
    load: Load
    snapshot: Snapshot | None = None


AfterCommit = Callable[[], Awaitable[None]]
# (inbox item, session) -> what to run once the transaction committed, if anything
ReviewHook = Callable[[Any, AsyncClientSession], Awaitable[AfterCommit | None]]


@dataclass(frozen=True)
class Audiences:
    """Who sees what the engine records about a sender's mutations (change-log audiences).

    `own`: the sender's readers, who get each outcome and every decision on it;
    `reviewers`: who may decide the sender's mutations kept for review, besides those
    who read every item (none: only they).
    """

    own: Callable[[Any], list[str]]
    reviewers: Callable[[Any], list[str]]


def _nobody(sender: Any) -> list[str]:
    return []


ONLY_THE_SENDER = Audiences(own=lambda sender: [sender.id], reviewers=_nobody)


class Registry:
    def __init__(self, audiences: Audiences = ONLY_THE_SENDER) -> None:
        self.audiences = audiences
        self.mutations: dict[str, MutationSpec] = {}
        self.entities: dict[str, EntitySpec] = {}
        self.review_hooks: list[ReviewHook] = []

    def mutation(
        self,
        name: str,
        *,
        args: type[BaseModel],
        policy: Policy,
        locate: Locate,
        summary: str,
    ) -> Callable[[Apply], Apply]:
        """Decorate a domain's handler to register it under `name`."""

        def register(apply: Apply) -> Apply:
            if name in self.mutations:
                raise ValueError(f"mutation {name} is registered twice")
            self.mutations[name] = MutationSpec(name, args, policy, locate, apply, summary)
            return apply

        return register

    def entity(self, name: str, *, load: Load, snapshot: Snapshot | None = None) -> None:
        self.entities[name] = EntitySpec(name, load, snapshot)

    def on_review(self, hook: ReviewHook) -> ReviewHook:
        """Run `hook(item, session)` in the transaction that puts a mutation in the review
        inbox; a callable it returns runs after that transaction committed."""
        self.review_hooks.append(hook)
        return hook
