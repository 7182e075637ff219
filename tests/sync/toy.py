"""A made-up application on the sync engine: notes, owned by people in teams.

Two mutations exercise the policies the engine knows: `note.add_line` (append-only: a
new line never conflicts) and `note.retitle` (field merge: a title changed on the server
since the sender's `base_version` is a clash the server wins, with the sender's value
kept for review). A note held by someone else quarantines the mutation. Nothing here
imports DebtX's domains: the engine must run on this alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core.errors import NotFound
from backend.core.models import KeyedDocument
from sync import changelog
from sync.errors import NotHolder
from sync.protocol import Resolution, Rule, Winner
from sync.registry import Applied, Audiences, Call, Policy, Registry, Target


@dataclass(frozen=True)
class Person:
    id: str
    team: str


class Note(KeyedDocument):
    id: str
    owner: str
    title: str = ""
    title_version: int = 0  # the version that last changed the title
    lines: list[str] = []
    version: int = 1

    class Settings:
        name = "toy_notes"


class NoteNotFound(NotFound):
    """No such note."""

    code = "toy.note_not_found"


class AddLine(BaseModel):
    note_id: str
    text: str = Field(min_length=1, max_length=200)


class Retitle(BaseModel):
    note_id: str
    title: str = Field(min_length=1, max_length=80)


def person_audience(uid: str) -> str:
    return f"person:{uid}"


def team_audience(team: str) -> str:
    return f"team:{team}"


AUDIENCES = Audiences(
    own=lambda sender: [person_audience(sender.id)],
    reviewers=lambda sender: [team_audience(sender.team)],
)


async def locate(sender: Person, args: Any, session: AsyncClientSession) -> Target:
    note = await Note.get(args.note_id, session=session)
    if note is None:
        raise NoteNotFound(f"No note {args.note_id}")
    if note.owner != sender.id:
        raise NotHolder(f"Note {note.id} is not yours", entity=f"note:{note.id}")
    return Target(entity="note", id=note.id, version=note.version, value=note)


async def save(note: Note, fields: dict[str, Any], session: AsyncClientSession) -> Note:
    """Write `fields` over the version read and tell the owner's readers."""
    changed = await Note.get_pymongo_collection().update_one(
        {"_id": note.id, "version": note.version},
        {"$set": {**fields, "version": note.version + 1}},
        session=session,
    )
    assert changed.modified_count == 1
    await changelog.append(
        entity="note",
        entity_id=note.id,
        action="note.change",
        before=[person_audience(note.owner)],
        after=[person_audience(fields.get("owner", note.owner))],
        version=note.version + 1,
        session=session,
    )
    return note.model_copy(update={**fields, "version": note.version + 1})


async def add_line(call: Call) -> Applied:
    note: Note = call.target.value
    saved = await save(note, {"lines": [*note.lines, call.args.text]}, call.session)
    return Applied(version=saved.version)


async def retitle(call: Call) -> Applied:
    note: Note = call.target.value
    assert call.mutation.base_version is not None  # the engine requires it
    if note.title_version > call.mutation.base_version and note.title != call.args.title:
        clash = Resolution(
            field="title",
            rule=Rule.SERVER_WINS,
            winner=Winner.SERVER,
            client_value=call.args.title,
            server_value=note.title,
        )
        return Applied(version=note.version, resolutions=[clash])
    fields = {"title": call.args.title, "title_version": note.version + 1}
    return Applied(version=(await save(note, fields, call.session)).version)


async def load(caller: Person, ids: list[str]) -> dict[str, tuple[int | None, dict[str, Any]]]:
    notes = await Note.find({"_id": {"$in": ids}, "owner": caller.id}).to_list()
    return {note.id: (note.version, _shown(note)) for note in notes}


async def snapshot(
    caller: Person, after: str | None, limit: int
) -> list[tuple[str, int | None, dict[str, Any]]]:
    filters: dict[str, Any] = {"owner": caller.id}
    if after is not None:
        filters["_id"] = {"$gt": after}
    notes = await Note.find(filters).sort("_id").limit(limit).to_list()
    return [(note.id, note.version, _shown(note)) for note in notes]


def _shown(note: Note) -> dict[str, Any]:
    return {"title": note.title, "lines": note.lines}


def registry() -> Registry:
    made = Registry(AUDIENCES)
    made.mutation(
        "note.add_line", args=AddLine, policy=Policy.APPEND_ONLY, locate=locate, summary="Add"
    )(add_line)
    made.mutation(
        "note.retitle", args=Retitle, policy=Policy.FIELD_MERGE, locate=locate, summary="Title"
    )(retitle)
    made.entity("note", load=load, snapshot=snapshot)
    return made
