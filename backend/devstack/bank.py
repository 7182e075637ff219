"""A local bank for tests and `debtx dev`: a real HTTP server with the statement
endpoint DebtX fetches from, and the bank's signed payment notifications.

`GET /statements?date=YYYY-MM-DD` lists the day's statement files and
`GET /statements/{id}` returns one, both behind HTTP Basic authentication with the
client id and secret (401 otherwise); every request is recorded. Files are added in
memory (`publish`) or read from a folder (`<folder>/<YYYY-MM-DD>/<file>.csv|.xml`).
`notification` builds a payment notification signed with the webhook secret, as the
bank sends it, and `notify` posts it to DebtX. `camt053` and `csv_statement` write
statement files in the bank's two formats.

Run alone: `python -m backend.devstack.bank --port 8191 --folder .debtx/bank`, with the
credentials from DEBTX_BANK__CLIENT_ID / DEBTX_BANK__CLIENT_SECRET (defaults: the
development placeholders).
"""

from __future__ import annotations

import argparse
import base64
import hmac
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

import httpx

from backend.banking import notifications
from backend.banking.parsing import CSV_COLUMNS
from backend.core.money import major_text
from backend.core.settings import BankSettings
from backend.devstack.local import QuietHandler, serve_until_interrupted

CAMT_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


@dataclass(frozen=True)
class Transaction:
    """One transaction as the bank books it (amount in minor units)."""

    transaction_id: str
    amount: int
    booking_date: date
    value_date: date | None = None
    currency: str = "LKR"
    credit: bool = True
    reference: str | None = None
    counterparty: str | None = None


@dataclass
class Published:
    id: str
    day: date
    filename: str
    content: bytes


class LocalBank:
    """The bank on 127.0.0.1 (port 0: any free one), in a thread of this process."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        webhook_secret: str,
        folder: Path | None = None,
        port: int = 0,
    ) -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.webhook_secret, self.folder = webhook_secret, folder
        self.files: dict[str, Published] = {}
        self.requests: list[tuple[str, int]] = []  # (path with query, status answered)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def publish(self, day: date, filename: str, content: bytes) -> str:
        """Offer a statement file for `day`; its id on the endpoint."""
        file_id = uuid.uuid4().hex
        with self._lock:
            self.files[file_id] = Published(file_id, day, filename, content)
        return file_id

    def reset(self) -> None:
        with self._lock:
            self.files.clear()
            self.requests.clear()

    def downloads(self) -> list[str]:
        """The file ids fetched, in order."""
        return [path.rsplit("/", 1)[-1] for path, status in self.requests if _is_file(path, status)]

    def authorised(self, header: str | None) -> bool:
        expected = f"{self.client_id}:{self.client_secret}".encode()
        given = (header or "").removeprefix("Basic ").strip()
        try:
            decoded = base64.b64decode(given, validate=True)
        except ValueError:
            return False
        return hmac.compare_digest(decoded, expected)

    def day_files(self, day: date) -> list[Published]:
        with self._lock:
            found = [f for f in self.files.values() if f.day == day]
        folder = self.folder / day.isoformat() if self.folder else None
        if folder and folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in (".csv", ".xml"):
                    found.append(Published(f"{day}.{path.name}", day, path.name, path.read_bytes()))
        return found

    def file(self, file_id: str) -> Published | None:
        with self._lock:
            if file_id in self.files:
                return self.files[file_id]
        day, _, name = file_id.partition(".")
        try:
            return next(f for f in self.day_files(date.fromisoformat(day)) if f.filename == name)
        except (ValueError, StopIteration):
            return None

    def notification(
        self, transaction: Transaction, *, booked_at: datetime, timestamp: int | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The bank's payment notification for `transaction`: its body and signed headers."""
        body = json.dumps(
            {
                "notification_id": f"N-{transaction.transaction_id}",
                "transaction_id": transaction.transaction_id,
                "amount": str(major_text(transaction.amount)),
                "currency": transaction.currency,
                "credit_debit": "CRDT" if transaction.credit else "DBIT",
                "booked_at": booked_at.isoformat(),
                "reference": transaction.reference,
                "counterparty": transaction.counterparty,
            }
        ).encode()
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        return body, {
            "content-type": "application/json",
            notifications.TIMESTAMP: stamp,
            notifications.SIGNATURE: notifications.sign(self.webhook_secret, stamp, body),
        }

    def notify(self, url: str, transaction: Transaction, *, booked_at: datetime) -> httpx.Response:
        body, headers = self.notification(transaction, booked_at=booked_at)
        return httpx.post(url, content=body, headers=headers, timeout=10)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _is_file(path: str, status: int) -> bool:
    return status == 200 and path.startswith("/statements/")


def _handler(bank: LocalBank) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/healthz":
                return self._send(200, b"", "text/plain")
            if not bank.authorised(self.headers.get("authorization")):
                return self._send(401, b'{"error": "unauthorised"}', "application/json")
            if url.path == "/statements":
                return self._list(parse_qs(url.query).get("date", [""])[0])
            found = bank.file(url.path.removeprefix("/statements/"))
            if found is None:
                return self._send(404, b'{"error": "no such file"}', "application/json")
            kind = "application/xml" if found.filename.endswith(".xml") else "text/csv"
            return self._send(200, found.content, kind)

        def _list(self, day: str) -> None:
            try:
                files = bank.day_files(date.fromisoformat(day))
            except ValueError:
                return self._send(400, b'{"error": "date=YYYY-MM-DD"}', "application/json")
            listing = [{"id": f.id, "filename": f.filename, "size": len(f.content)} for f in files]
            body = json.dumps({"date": day, "statements": listing}).encode()
            return self._send(200, body, "application/json")

        def _send(self, status: int, body: bytes, kind: str) -> None:
            with bank._lock:
                bank.requests.append((self.path, status))
            self.send_body(status, body, kind)

    return Handler


# --------------------------------------------------------------------------- files


def csv_statement(transactions: list[Transaction]) -> bytes:
    """A statement in DebtX's CSV layout."""
    rows = [",".join(CSV_COLUMNS)]
    for t in transactions:
        cells = [
            (t.value_date or t.booking_date).isoformat(),
            t.booking_date.isoformat(),
            str(major_text(t.amount)),
            t.currency,
            "CRDT" if t.credit else "DBIT",
            t.reference or "",
            t.counterparty or "",
            t.transaction_id,
        ]
        rows.append(",".join(_csv_cell(cell) for cell in cells))
    return ("\r\n".join(rows) + "\r\n").encode()


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def camt053(statement_id: str, transactions: list[Transaction], *, account: str = "") -> bytes:
    """An ISO 20022 camt.053 statement, one entry per transaction."""
    entries = "".join(_entry(t) for t in transactions)
    account_xml = (
        f"<Acct><Id><Othr><Id>{escape(account)}</Id></Othr></Id></Acct>" if account else ""
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{CAMT_NS}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>{escape(statement_id)}</MsgId>"
        f"<CreDtTm>{datetime.now().replace(microsecond=0).isoformat()}</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{escape(statement_id)}</Id>{account_xml}{entries}</Stmt>"
        "</BkToCstmrStmt></Document>\n"
    ).encode()


def _entry(t: Transaction) -> str:
    amount = f'<Amt Ccy="{t.currency}">{major_text(t.amount)}</Amt>'
    party = f"<RltdPties><Dbtr><Nm>{escape(t.counterparty or '')}</Nm></Dbtr></RltdPties>"
    remittance = f"<RmtInf><Ustrd>{escape(t.reference)}</Ustrd></RmtInf>" if t.reference else ""
    return (
        f"<Ntry>{amount}<CdtDbtInd>{'CRDT' if t.credit else 'DBIT'}</CdtDbtInd>"
        f"<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>{t.booking_date.isoformat()}</Dt></BookgDt>"
        f"<ValDt><Dt>{(t.value_date or t.booking_date).isoformat()}</Dt></ValDt>"
        f"<NtryDtls><TxDtls><Refs><AcctSvcrRef>{escape(t.transaction_id)}</AcctSvcrRef>"
        f"<EndToEndId>NOTPROVIDED</EndToEndId></Refs>"
        f"{party if t.counterparty else ''}{remittance}</TxDtls></NtryDtls></Ntry>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8191)
    parser.add_argument("--folder", type=Path, default=Path(".debtx/bank"))
    args = parser.parse_args()
    defaults = BankSettings()
    bank = LocalBank(
        client_id=os.environ.get("DEBTX_BANK__CLIENT_ID", defaults.client_id),
        client_secret=os.environ.get(
            "DEBTX_BANK__CLIENT_SECRET", defaults.client_secret.get_secret_value()
        ),
        webhook_secret=os.environ.get(
            "DEBTX_BANK__WEBHOOK_SECRET", defaults.webhook_secret.get_secret_value()
        ),
        folder=args.folder,
        port=args.port,
    )
    serve_until_interrupted(
        bank, f"local bank on {bank.base_url}, statements from {args.folder}/<date>/"
    )


if __name__ == "__main__":
    main()
