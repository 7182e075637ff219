"""The replies mailbox on a real IMAP server (dovecot): each new message read once,
matched to the customer by the From address, marked seen."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from email.message import EmailMessage
from email.utils import format_datetime

from backend.core import clock
from backend.customers.models import Contact, ContactKind, Customer
from backend.notifications.models import OptOut
from backend.responses import mailbox
from backend.responses.models import Intent, MailboxState, Response, ResponseChannel
from backend.worklist.models import WorkItem, WorkKind
from tests.backend.responses.conftest import by_sender
from tests.factories import make_case
from tests.harness import settings_env


def _mail(sender: str, subject: str, body: str) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "collections@debtx.dev"
    message["Subject"] = subject
    message["Date"] = format_datetime(clock.now())
    message.set_content(body, charset="utf-8")
    return bytes(message)


async def _customer_with_email(address: str) -> Customer:
    case = await make_case("negotiation")
    customer = await Customer.get(case.customer_id)
    customer.contacts.append(Contact(kind=ContactKind.EMAIL, value=address, primary=True))
    await customer.save()
    return customer


async def test_a_reply_is_matched_by_address_and_stored_once_when_read_twice(
    dovecot, mailbox_settings
):
    customer = await _customer_with_email("nimal.perera@example.com")
    body = "I will pay tomorrow.\n\nOn Tue, DebtX wrote:\n> Your bill is overdue\n"
    dovecot.deliver(_mail("Nimal Perera <Nimal.Perera@Example.com>", "Re: your bill", body))

    assert await mailbox.read_mailbox(mailbox_settings) == 1
    assert await mailbox.read_mailbox(mailbox_settings) == 0

    stored = await Response.find({"channel": ResponseChannel.EMAIL.value}).to_list()
    assert len(stored) == 1
    reply = stored[0]
    assert (reply.customer_id, reply.sender, reply.subject) == (
        customer.id,
        "Nimal.Perera@Example.com",
        "Re: your bill",
    )
    assert reply.text == "I will pay tomorrow." and reply.intent is Intent.PROMISE
    assert reply.promised_on is not None
    assert (await WorkItem.get(reply.work_item_id)).kind is WorkKind.PROMISE_FOLLOW_UP
    assert dovecot.seen_count() == 1
    state = await MailboxState.get(mailbox.state_key(mailbox_settings))
    assert state.uidvalidity > 0 and state.last_uid == int(reply.source_key.split("|")[2])


async def test_only_new_messages_are_read_and_a_lost_mark_reads_nothing_twice(
    dovecot, mailbox_settings
):
    await _customer_with_email("kamala@example.lk")
    dovecot.deliver(_mail("kamala@example.lk", "Re", "not my bill"))
    assert await mailbox.read_mailbox(mailbox_settings) == 1
    dovecot.deliver(_mail("kamala@example.lk", "Re", "thanks"))
    assert await mailbox.read_mailbox(mailbox_settings) == 1
    intents = [r.intent for r in await Response.find_all().sort("+_id").to_list()]
    assert intents == [Intent.DISPUTE, Intent.OTHER]

    await MailboxState.find_all().delete()  # the mark is lost: both are read again
    assert await mailbox.read_mailbox(mailbox_settings) == 0
    assert await Response.find_all().count() == 2


async def test_an_unknown_sender_is_stored_unmatched_with_a_worklist_item(
    dovecot, mailbox_settings
):
    dovecot.deliver(_mail("stranger@example.org", "Who are you", "Please explain this letter"))
    assert await mailbox.read_mailbox(mailbox_settings) == 1
    reply = (await by_sender("stranger@example.org"))[0]
    assert reply.customer_id is None
    item = await WorkItem.get(reply.work_item_id)
    assert item.kind is WorkKind.UNMATCHED_RESPONSE


async def test_no_mailbox_configured_reads_nothing():
    from backend.core.settings import ResponseSettings

    assert await mailbox.read_mailbox(ResponseSettings()) == 0


def _run_task(settings, mailbox_settings) -> int:
    """`responses.read_mailbox` as a worker runs it: its own process, loop and clients."""
    env = {
        **os.environ,
        **settings_env(settings),
        "DEBTX_RESPONSES__IMAP_HOST": mailbox_settings.imap_host,
        "DEBTX_RESPONSES__IMAP_PORT": str(mailbox_settings.imap_port),
        "DEBTX_RESPONSES__IMAP_USER": mailbox_settings.imap_user,
        "DEBTX_RESPONSES__IMAP_PASSWORD": mailbox_settings.imap_password.get_secret_value(),
        "DEBTX_RESPONSES__IMAP_TLS": "false",
    }
    code = "from backend.responses.tasks import read_mailbox; print(read_mailbox())"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return int(done.stdout.strip().splitlines()[-1])


async def test_the_task_run_twice_stores_the_message_once(settings, dovecot, mailbox_settings):
    customer = await _customer_with_email("sunil@example.lk")
    dovecot.deliver(_mail("sunil@example.lk", "Re: reminder", "STOP"))
    assert await asyncio.to_thread(_run_task, settings, mailbox_settings) == 1
    assert await asyncio.to_thread(_run_task, settings, mailbox_settings) == 0
    [reply] = await by_sender("sunil@example.lk")
    assert reply.customer_id == customer.id and reply.intent is Intent.STOP
    assert await OptOut.get(f"{customer.id}|email") is not None


async def test_messages_read_move_to_the_done_folder_and_a_bare_subject_is_read(
    dovecot, mailbox_settings
):
    customer = await _customer_with_email("ravi@example.lk")
    dovecot.create_folder("Done")
    before = dovecot.count("Done")
    dovecot.deliver(_mail("ravi@example.lk", "STOP", ""))
    done = mailbox_settings.model_copy(update={"imap_done_folder": "Done"})
    assert await mailbox.read_mailbox(done) == 1
    assert (dovecot.count("INBOX"), dovecot.count("Done")) == (0, before + 1)
    reply = await Response.find_one({"customer_id": customer.id})
    assert (reply.text, reply.intent) == ("STOP", Intent.STOP)
