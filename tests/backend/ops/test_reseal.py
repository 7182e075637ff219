"""The one-off sealing after an upgrade, and after a key rotation, as operators run it:
the `debtx seal-pii` command and the `pii.reseal` task on a real worker."""

from __future__ import annotations

import asyncio
import json
import time

from celery import Celery

from backend.customers.models import Customer
from tests.backend.worker.test_celery import worker  # noqa: F401  (fixture)
from tests.harness import debtx

LEGACY = {
    "_id": "CUS-OLD",
    "name": "Kumari Jayasinghe",
    "nic": "786543210V",
    "address": "18 Hill Street, Badulla",
    "contacts": [{"id": "c1", "kind": "mobile", "value": "0761112223", "primary": True}],
    "version": 2,
}


def is_plain(row: dict) -> bool:
    return any(word in repr(row) for word in ("786543210V", "Badulla", "0761112223"))


async def test_the_command_seals_plain_documents_once(app, settings):
    collection = Customer.get_pymongo_collection()
    await collection.insert_one(dict(LEGACY))
    code, out, err = await debtx(settings, "seal-pii")
    assert code == 0, err
    assert json.loads(out)["customers"] == {"read": 1, "resealed": 1}
    assert not is_plain(await collection.find_one({"_id": "CUS-OLD"}))
    code, out, _ = await debtx(settings, "seal-pii")
    assert json.loads(out)["customers"] == {"read": 1, "resealed": 0}
    assert (await Customer.get("CUS-OLD")).nic == "786543210V"


async def test_the_task_reseals_on_a_worker(app, services, worker):  # noqa: F811
    collection = Customer.get_pymongo_collection()
    await collection.insert_one(dict(LEGACY))
    Celery(broker=services.redis_url).send_task("pii.reseal")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and is_plain(await collection.find_one({"_id": "CUS-OLD"})):
        assert worker.poll() is None, "the worker exited"
        await asyncio.sleep(0.2)
    assert not is_plain(await collection.find_one({"_id": "CUS-OLD"}))
