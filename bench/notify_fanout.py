"""Fan one event out to 1,000 officers' devices over FCM HTTP v1, against raw posting.

DebtX: `notifications.notify` stores 1,000 feed items and 1,000 delivery records in one
transaction on SecantusDB, then the delivery code sends them the way one worker does,
in the enqueued chunks of 100 (claim, FCM posts with an OAuth access token,
outcome and log written back). Baseline, in the same run: the very same 1,000 request
bodies, with the same Authorization header, posted with httpx at the same concurrency and
nothing else. Both talk to one local FCM endpoint (bench/fcm_app.py under uvicorn).

    .venv/bin/python bench/notify_fanout.py [--officers 1000] [--rounds 3]
        [--concurrency 50] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from _harness import console, start_app
from bson import ObjectId
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from rich.table import Table

from backend.core import db
from backend.core.logging import configure_logging
from backend.core.settings import FirebaseSettings, MongoSettings, NotificationSettings, Settings
from backend.devstack import components as c
from backend.domains import MODELS
from backend.notifications import delivery
from backend.notifications.models import Delivery, Device, NotificationKind, Platform
from backend.notifications.senders import Senders
from backend.notifications.service import DISPATCH_CHUNK, notify

PROJECT_ID = "debtx-bench"


@dataclass
class Round:
    target: str
    round: int
    messages: int
    store_s: float  # feed items and deliveries written (DebtX only)
    send_s: float
    total_s: float

    @property
    def per_s(self) -> float:
        return self.messages / self.total_s if self.total_s else 0.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="FCM fan-out: DebtX against raw httpx posts.")
    parser.add_argument("--officers", type=int, default=1000, help="devices to reach (1000)")
    parser.add_argument("--rounds", type=int, default=3, help="measured rounds of each (3)")
    parser.add_argument("--concurrency", type=int, default=50, help="FCM posts in flight (50)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if min(args.officers, args.rounds, args.concurrency) < 1:
        parser.error("--officers, --rounds and --concurrency must be positive")
    return args


def service_account(directory: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    path = directory / "service-account.json"
    account = {
        "type": "service_account",
        "project_id": PROJECT_ID,
        "private_key_id": "bench",
        "private_key": pem,
        "client_email": f"bench@{PROJECT_ID}.iam.gserviceaccount.com",
        "token_uri": "https://oauth2.googleapis.com/token",
    }
    path.write_text(json.dumps(account))
    return path


async def add_officers(count: int) -> list[str]:
    """One Android device per officer (setup, not timed)."""
    officers = [f"bench-officer-{n:05d}" for n in range(count)]
    await Device.insert_many(
        [
            Device(user_id=uid, device_id="phone", token=f"fcm-{uid}", platform=Platform.ANDROID)
            for uid in officers
        ]
    )
    return officers


async def debtx_round(officers: list[str], senders: Senders, n: int) -> tuple[Round, list[str]]:
    """The event, stored and sent as the worker would; returns the delivery ids."""
    started = time.perf_counter()
    pending = await notify(
        actor=None,
        kind=NotificationKind.VALIDITY_ENDING,
        user_ids=officers,
        case_id=str(ObjectId()),
        params={"customer": "Bench Customer", "account": "ACC-1", "until": "2025-09-30 00:00"},
    )
    stored = time.perf_counter()
    ids = pending.delivery_ids
    for start in range(0, len(ids), DISPATCH_CHUNK):
        retry = await delivery.deliver(ids[start : start + DISPATCH_CHUNK], senders=senders)
        assert not retry.delivery_ids, "the local FCM server refused a message"
    done = time.perf_counter()
    return Round("debtx", n, len(ids), stored - started, done - stored, done - started), ids


async def raw_round(
    bodies: list[dict],
    url: str,
    headers: dict[str, str],
    http: httpx.AsyncClient,
    limit: int,
    n: int,
) -> Round:
    """The same requests, posted and checked for 200, nothing more."""
    gate = asyncio.Semaphore(limit)

    async def post(body: dict) -> None:
        async with gate:
            response = await http.post(url, json=body, headers=headers)
            response.raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(post(b) for b in bodies))
    elapsed = time.perf_counter() - started
    return Round("raw httpx", n, len(bodies), 0.0, elapsed, elapsed)


async def same_requests(ids: list[str]) -> list[dict]:
    """The bodies DebtX posted for these deliveries, rebuilt from what it stored."""
    rows = await Delivery.find({"_id": {"$in": [ObjectId(i) for i in ids]}}).to_list()
    tokens = {d.user_id: d.token async for d in Device.find()}
    return [
        {"message": delivery.fcm_message(d, token=tokens[d.user_id])}
        for d in rows
        if d.user_id in tokens
    ]


async def measure(
    args: argparse.Namespace, mongo_uri: str, fcm_url: str, work: Path
) -> list[Round]:
    settings = Settings(
        mongo=MongoSettings(uri=mongo_uri, database="debtx_bench"),
        firebase=FirebaseSettings(project_id=PROJECT_ID),
        notifications=NotificationSettings(
            fcm_base_url=fcm_url,
            fcm_token_url=f"{fcm_url}/token",
            fcm_credentials_file=service_account(work),
            fcm_concurrency=args.concurrency,
        ),
    )
    client = db.make_client(settings.mongo)
    await db.init_documents(client, settings.mongo.database, MODELS)
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(limits=limits, timeout=30) as http:
        senders = Senders.from_settings(settings, http)
        assert senders.fcm is not None
        officers = await add_officers(args.officers)
        url = senders.fcm.url
        rounds: list[Round] = []
        for n in range(args.rounds + 1):  # round 0 warms connections and the access token
            debtx, ids = await debtx_round(officers, senders, n)
            headers = {"Authorization": f"Bearer {await senders.fcm.tokens.get()}"}
            raw = await raw_round(await same_requests(ids), url, headers, http, args.concurrency, n)
            if n:
                rounds += [debtx, raw]
        sent = (await http.get(f"{fcm_url}/stats")).json()["messages"]
    await client.close()
    console.print(f"local FCM server accepted {sent:,} messages in all")
    return rounds


def print_results(rounds: list[Round]) -> dict[str, float]:
    table = Table(title="One event to every officer's device: DebtX vs raw httpx (same run)")
    for name in ("target", "round", "messages", "store s", "send s", "total s", "msg/s"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for r in rounds:
        table.add_row(
            r.target,
            str(r.round),
            f"{r.messages:,}",
            f"{r.store_s:.2f}",
            f"{r.send_s:.2f}",
            f"{r.total_s:.2f}",
            f"{r.per_s:,.0f}",
        )
    console.print(table)
    median = {
        t: statistics.median(r.total_s for r in rounds if r.target == t)
        for t in ("debtx", "raw httpx")
    }
    send = statistics.median(r.send_s for r in rounds if r.target == "debtx")
    figures = {
        "debtx_total_s": median["debtx"],
        "debtx_send_s": send,
        "raw_s": median["raw httpx"],
        "ratio_total": median["debtx"] / median["raw httpx"],
        "ratio_send": send / median["raw httpx"],
    }
    console.print(
        f"median: DebtX {figures['debtx_total_s']:.2f} s end to end "
        f"({figures['debtx_send_s']:.2f} s of it sending), raw posting {figures['raw_s']:.2f} s; "
        f"DebtX takes {figures['ratio_total']:.2f}x the raw time "
        f"({figures['ratio_send']:.2f}x for the sending alone)"
    )
    return figures


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure_logging(level="WARNING", json=True)  # as the other benchmarks run DebtX
    with tempfile.TemporaryDirectory(prefix="debtx-bench-fanout-") as tmp:
        work = Path(tmp)
        mongo = c.mongodb(work / "mongo", c.free_port(), work / "logs").start()
        try:
            mongo.wait_ready(60)
            with start_app("fcm", "bench.fcm_app:create_app", "/stats") as fcm_url:
                rounds = asyncio.run(measure(args, c.mongo_uri(mongo), fcm_url, work))
        finally:
            mongo.stop()
    figures = print_results(rounds)
    if args.json:
        body = {"rounds": [asdict(r) for r in rounds], **figures, "officers": args.officers}
        args.json.write_text(json.dumps(body, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
