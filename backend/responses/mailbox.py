"""The replies mailbox, read over IMAP (stdlib imaplib, each call in a thread).

Each run takes the messages above the last UID read, stores them (once each: their key
holds UIDVALIDITY and UID), marks them \\Seen (and moves them to the done folder when one
is set), then moves the mark forward.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import imaplib
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import parseaddr, parsedate_to_datetime

from backend.core import clock
from backend.core.logging import get_logger
from backend.core.settings import ResponseSettings
from backend.responses import repository, service
from backend.responses.models import MailboxState, ResponseChannel

log = get_logger("debtx.responses")

_QUOTE_START = re.compile(r"^(on .+ wrote:|-+ ?original message ?-+|from: )", re.IGNORECASE)


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes


class Mailbox:
    """One IMAP connection to the configured folder; blocking calls, run in a thread."""

    def __init__(self, settings: ResponseSettings) -> None:
        assert settings.imap_host is not None
        self.settings = settings
        kind = imaplib.IMAP4_SSL if settings.imap_tls else imaplib.IMAP4
        self.conn = kind(settings.imap_host, settings.imap_port, timeout=30)
        self.conn.login(settings.imap_user, settings.imap_password.get_secret_value())
        self.conn.select(_quoted(settings.imap_folder))
        _, values = self.conn.response("UIDVALIDITY")
        self.uidvalidity = int(values[0]) if values and values[0] else 0

    def new_uids(self, after: int, limit: int) -> list[int]:
        _, data = self.conn.uid("SEARCH", f"UID {after + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split())
        return [u for u in uids if u > after][:limit]  # "n:*" always names the last one

    def fetch(self, uid: int) -> Fetched | None:
        _, data = self.conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        for part in data:
            if isinstance(part, tuple):
                return Fetched(uid, part[1])
        return None

    def mark_read(self, uids: list[int]) -> None:
        """Flag them \\Seen, and move them to the done folder when one is set."""
        if not uids:
            return
        numbers = ",".join(map(str, uids))
        self.conn.uid("STORE", numbers, "+FLAGS", "(\\Seen)")
        if self.settings.imap_done_folder:
            self.conn.uid("MOVE", numbers, _quoted(self.settings.imap_done_folder))

    def close(self) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.conn.logout()


def _quoted(folder: str) -> str:
    return folder if folder.isalnum() else '"' + folder.replace('"', '\\"') + '"'


def state_key(settings: ResponseSettings) -> str:
    return f"{settings.imap_user}@{settings.imap_host}/{settings.imap_folder}"


async def read_mailbox(settings: ResponseSettings) -> int:
    """Store the messages not read yet; the number stored (duplicates not counted)."""
    if settings.imap_host is None:
        return 0
    box = await asyncio.to_thread(Mailbox, settings)
    try:
        state = await _state(settings, box.uidvalidity)
        uids = await asyncio.to_thread(box.new_uids, state.last_uid, settings.imap_batch)
        stored = 0
        for uid in uids:
            fetched = await asyncio.to_thread(box.fetch, uid)
            if fetched is not None:
                stored += await _store(box.uidvalidity, fetched)
        await asyncio.to_thread(box.mark_read, uids)
        if uids:
            state.last_uid, state.read_at = uids[-1], clock.now()
            await repository.save_mailbox(state)
    finally:
        await asyncio.to_thread(box.close)
    log.info("responses.mailbox_read", messages=len(uids), stored=stored)
    return stored


async def _state(settings: ResponseSettings, uidvalidity: int) -> MailboxState:
    key = state_key(settings)
    state = await repository.mailbox(key)
    if state is None or state.uidvalidity != uidvalidity:
        state = MailboxState(id=key, uidvalidity=uidvalidity)
    return state


async def _store(uidvalidity: int, fetched: Fetched) -> int:
    message = email.message_from_bytes(fetched.raw, policy=default_policy)
    assert isinstance(message, EmailMessage)
    _, sender = parseaddr(str(message.get("From", "")))
    subject = str(message.get("Subject", "")) or None
    received = await service.receive(
        service.Incoming(
            source_key=f"email|{uidvalidity}|{fetched.uid}",
            channel=ResponseChannel.EMAIL,
            sender=sender,
            to=str(message.get("To", "")) or None,
            subject=subject,
            text=reply_text(message) or subject or "",
            received_at=_sent_at(message),
        )
    )
    return 0 if received.duplicate else 1


def reply_text(message: EmailMessage) -> str:
    """The plain-text body down to where the quoted earlier message starts."""
    part = message.get_body(preferencelist=("plain",))
    body = part.get_content() if isinstance(part, EmailMessage) else ""
    lines: list[str] = []
    for line in str(body).splitlines():
        if _QUOTE_START.match(line.strip()):
            break
        if not line.startswith(">"):
            lines.append(line)
    return "\n".join(lines).strip()[:5000]


def _sent_at(message: EmailMessage) -> datetime:
    try:
        sent = parsedate_to_datetime(str(message["Date"]))
    except (TypeError, ValueError):
        return clock.now()
    return sent if sent.tzinfo is not None else clock.now()
