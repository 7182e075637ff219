"""The reconciliation's aggregations, and the only code that touches its reports.

Reconciliation is a read-only report across the money other domains keep: the receipts'
`provider_records` and `receipts`, the `payments` booked from them, and billing's
`invoices` and `account_credits`. Each figure is one aggregation on the database that
returns only the exceptions and the counts, never every record; nothing here writes to
those collections.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.billing.models import AccountCredit, Invoice
from backend.payments.models import Payment
from backend.receipts.models import ProviderRecord, Receipt
from backend.reconciliation.models import SECTIONS, BalanceVerification, DailyReport

# How a receipt's payment is channelled (as the receipts service books it).
CHANNELS = {"mpesa": "mobile_money", "bank": "bank", "card": "card"}
OPEN_INVOICE = ["pending", "overdue"]


def _day(field: str) -> dict[str, Any]:
    return {"$dateToString": {"format": "%Y-%m-%d", "date": field, "timezone": "UTC"}}


def _of_source(records: str, statement: bool) -> dict[str, Any]:
    test = "$eq" if statement else "$ne"
    return {"$filter": {"input": records, "as": "r", "cond": {test: ["$$r.source", "statement"]}}}


def _days(records: str) -> dict[str, Any]:
    return {"$setUnion": [{"$map": {"input": records, "as": "r", "in": _day("$$r.paid_at")}}, []]}


def _sum_of(rows: str | dict[str, Any]) -> dict[str, Any]:
    """The sum of the rows' `amount.amount` (mapped: SecantusDB reads no `$a.b` path
    through an array inside an expression)."""
    return {"$sum": {"$map": {"input": rows, "as": "r", "in": "$$r.amount.amount"}}}


def _join(collection: str, local: str, foreign: str, name: str) -> dict[str, Any]:
    return {
        "$lookup": {"from": collection, "localField": local, "foreignField": foreign, "as": name}
    }


def _sightings_stages(start: datetime, end: datetime, providers: list[str]) -> list[dict]:
    """The transactions seen on the day, each with every sighting of it (any day) and its
    receipt, payments and invoice credits."""
    return [
        {"$match": {"provider": {"$in": providers}, "paid_at": {"$gte": start, "$lt": end}}},
        {
            "$group": {
                "_id": "$receipt_id",
                "provider": {"$first": "$provider"},
                "transaction_id": {"$first": "$transaction_id"},
            }
        },
        _join(ProviderRecord.get_collection_name(), "_id", "receipt_id", "records"),
        _join(Receipt.get_collection_name(), "_id", "_id", "receipt"),
        {"$addFields": {"reference": {"$toUpper": "$transaction_id"}}},
        _join(Payment.get_collection_name(), "reference", "reference", "payments"),
        _join(Invoice.get_collection_name(), "_id", "credits.receipt_id", "invoices"),
        _join(AccountCredit.get_collection_name(), "_id", "_id", "left_over"),
    ]


def _facts() -> dict[str, Any]:
    """What each transaction's sources say."""
    channel = {
        "$switch": {
            "branches": [
                {"case": {"$eq": ["$provider", p]}, "then": c} for p, c in CHANNELS.items()
            ],
            "default": "other",
        }
    }
    credits = {
        "$reduce": {
            "input": {"$map": {"input": "$invoices", "as": "i", "in": "$$i.credits"}},
            "initialValue": [],
            "in": {"$concatArrays": ["$$value", "$$this"]},
        }
    }
    return {
        "provider": 1,
        "transaction_id": 1,
        "statement": _of_source("$records", True),
        "callbacks": _of_source("$records", False),
        "amounts": {
            "$setUnion": [{"$map": {"input": "$records", "as": "r", "in": "$$r.amount"}}, []]
        },
        "receipt": {"$arrayElemAt": ["$receipt", 0]},
        "payments": {
            "$size": {
                "$filter": {
                    "input": "$payments",
                    "as": "p",
                    "cond": {"$eq": ["$$p.channel", channel]},
                }
            }
        },
        "credits": {
            "$filter": {"input": credits, "as": "c", "cond": {"$eq": ["$$c.receipt_id", "$_id"]}}
        },
        "left_over": _sum_of("$left_over"),
    }


def _measures() -> dict[str, Any]:
    return {
        "provider": 1,
        "transaction_id": 1,
        "receipt": 1,
        "payments": 1,
        "amounts": 1,
        "n_statement": {"$size": "$statement"},
        "n_callbacks": {"$size": "$callbacks"},
        "statement_ids": {"$map": {"input": "$statement", "as": "r", "in": "$$r.statement_id"}},
        "statement_days": _days("$statement"),
        "callback_days": _days("$callbacks"),
        "applied": {"$add": [_sum_of("$credits"), "$left_over"]},
    }


def _kinds(statement_providers: list[str]) -> dict[str, Any]:
    """Each exception the transaction shows, by name."""
    has_statement = {"$gt": ["$n_statement", 0]}
    has_callback = {"$gt": ["$n_callbacks", 0]}
    status = "$receipt.status"
    to_invoices = {
        "$and": [
            {"$eq": [status, "booked"]},
            {"$eq": [{"$ifNull": ["$receipt.payment_id", None]}, None]},
        ]
    }
    tests = {
        "not_in_callbacks": {"$and": [has_statement, {"$not": [has_callback]}]},
        "not_in_statement": {
            "$and": [
                has_callback,
                {"$not": [has_statement]},
                {"$in": ["$provider", statement_providers]},
            ]
        },
        "not_booked": {"$eq": [{"$ifNull": ["$receipt._id", None]}, None]},
        "twice_in_statement": {
            "$gt": [{"$size": "$statement_ids"}, {"$size": {"$setUnion": ["$statement_ids", []]}}]
        },
        "booked_twice": {"$gt": ["$payments", 1]},
        "amount_mismatch": {"$gt": [{"$size": "$amounts"}, 1]},
        "timing": {
            "$and": [
                has_statement,
                has_callback,
                {"$ne": [{"$min": "$statement_days"}, {"$min": "$callback_days"}]},
            ]
        },
        "suspense": {"$eq": [status, "suspense"]},
        "invoice_difference": {
            "$and": [to_invoices, {"$ne": ["$applied", "$receipt.amount.amount"]}]
        },
    }
    flagged = [{"$cond": [test, name, None]} for name, test in tests.items()]
    return {"$filter": {"input": flagged, "as": "k", "cond": {"$ne": ["$$k", None]}}}


def _item() -> dict[str, Any]:
    return {
        "transaction_id": "$transaction_id",
        "receipt_id": "$receipt._id",
        "kinds": "$kinds",
        "amounts": "$amounts",
        "statement_ids": "$statement_ids",
        "statement_days": "$statement_days",
        "callback_days": "$callback_days",
        "receipt_status": "$receipt.status",
        "receipt_amount": "$receipt.amount",
        "applied_to_invoices": "$applied",
        "sightings": {"$add": ["$n_statement", "$n_callbacks"]},
    }


def _section_counts() -> dict[str, Any]:
    """Per section, how many transactions show one of its kinds (all, not just those listed)."""
    counts = {}
    for name, kinds in SECTIONS.items():
        shown = {"$size": {"$setIntersection": ["$kinds", [k.value for k in kinds]]}}
        counts[f"n_{name}"] = {"$sum": {"$cond": [{"$gt": [shown, 0]}, 1, 0]}}
    return counts


def _by_provider(listed: int) -> list[dict[str, Any]]:
    """Per provider: counts, and the first `listed` exceptions (a report stays one
    document however bad the day)."""
    exception = {"$gt": [{"$size": "$kinds"}, 0]}
    booked = {"$eq": ["$receipt.status", "booked"]}
    matched = {"$and": [booked, {"$not": [exception]}]}
    found = {"$filter": {"input": "$exceptions", "as": "e", "cond": {"$ne": ["$$e", None]}}}
    return [
        {
            "$group": {
                "_id": "$provider",
                "transactions": {"$sum": 1},
                "matched": {"$sum": {"$cond": [matched, 1, 0]}},
                "statement_lines": {"$sum": "$n_statement"},
                "callbacks": {"$sum": "$n_callbacks"},
                **_section_counts(),
                "exceptions": {"$push": {"$cond": [exception, _item(), None]}},
            }
        },
        {"$addFields": {"exceptions": {"$slice": [found, listed]}}},
        {"$sort": {"_id": 1}},
    ]


async def statement_providers(start: datetime, end: datetime) -> list[str]:
    """The providers with statement lines in the window (whose callbacks a statement
    should show)."""
    query = {"source": "statement", "paid_at": {"$gte": start, "$lt": end}}
    found = await ProviderRecord.get_pymongo_collection().distinct("provider", query)
    return sorted(found)


async def daily_figures(
    *,
    start: datetime,
    end: datetime,
    providers: list[str],
    statement_providers: list[str],
    listed: int,
) -> list[dict[str, Any]]:
    """Per provider: transactions seen in [start, end), matched, and each exception."""
    pipeline = [
        *_sightings_stages(start, end, providers),
        {"$project": _facts()},
        {"$project": _measures()},
        {"$addFields": {"kinds": _kinds(statement_providers)}},
        *_by_provider(listed),
    ]
    collection = ProviderRecord.get_pymongo_collection()
    return await (await collection.aggregate(pipeline)).to_list(None)


def _in_currency(rows: str, *also: dict[str, Any]) -> dict[str, Any]:
    """The joined rows in the group's currency (and meeting `also`)."""
    cond = {"$and": [{"$eq": ["$$r.amount.currency", "$_id.currency"]}, *also]}
    return {"$filter": {"input": rows, "as": "r", "cond": cond}}


def _since_bss(receipts: str) -> dict[str, Any]:
    """The account's receipts booked on its case after BSS's last invoice change."""
    return _in_currency(
        receipts,
        {"$eq": ["$$r.status", "booked"]},
        {"$ne": [{"$ifNull": ["$$r.payment_id", None]}, None]},
        {"$gt": ["$$r.booked_at", "$since"]},
    )


def _per_account() -> dict[str, Any]:
    """Per account and currency: BSS's open invoices, DebtX's credit on them, BSS's last
    change to any of them."""
    is_open = {"$in": ["$status", OPEN_INVOICE]}
    return {
        "$group": {
            "_id": {"account": "$account_id", "currency": "$amount.currency"},
            "bss": {"$sum": {"$cond": [is_open, "$amount.amount", 0]}},
            "credited": {"$sum": {"$cond": [is_open, "$credited.amount", 0]}},
            "since": {"$max": "$source_updated_at"},
        }
    }


def _balance_stages() -> list[dict[str, Any]]:
    """DebtX's balance beside BSS's: less what DebtX booked since BSS's last word."""
    booked = {"$add": ["$credited", "$case_payments", "$account_credit"]}
    return [
        _per_account(),
        {"$addFields": {"account": "$_id.account"}},
        _join(Receipt.get_collection_name(), "account", "account_id", "case_receipts"),
        _join(AccountCredit.get_collection_name(), "account", "account_id", "left_over"),
        {
            "$project": {
                "bss": 1,
                "credited": 1,
                "case_payments": _sum_of(_since_bss("$case_receipts")),
                "account_credit": _sum_of(_in_currency("$left_over")),
            }
        },
        {"$addFields": {"debtx": {"$subtract": ["$bss", booked]}}},
    ]


async def balance_figures(*, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """Per account and currency: BSS's open invoices against DebtX's balance (those less
    what DebtX credited to them, left on the account, or booked on the account's case
    since BSS's last word); how many were checked, and those that differ."""
    pipeline = [
        *_balance_stages(),
        {"$match": {"$expr": {"$ne": ["$debtx", "$bss"]}}},
        {"$sort": {"_id.account": 1, "_id.currency": 1}},
        {"$limit": limit},
    ]
    collection = Invoice.get_pymongo_collection()
    differing = await (await collection.aggregate(pipeline)).to_list(None)
    counting = [_per_account(), {"$group": {"_id": None, "n": {"$sum": 1}}}]
    counted = await (await collection.aggregate(counting)).to_list(None)
    return (counted[0]["n"] if counted else 0), differing


async def provider_days(first: str, last: str) -> list[dict[str, Any]]:
    """Each provider's figures on each day reconciled from `first` to `last` (YYYY-MM-DD,
    both included), oldest first: the stored reports' counts, without their items."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"_id": {"$gte": first, "$lte": last}}},
        {"$unwind": "$providers"},
        {
            "$project": {
                "_id": 0,
                "day": "$_id",
                "provider": "$providers.provider",
                "transactions": "$providers.transactions",
                "matched": "$providers.matched",
                "statement_lines": "$providers.statement_lines",
                "callbacks": "$providers.callbacks",
                "counts": "$providers.counts",
            }
        },
        {"$sort": {"day": 1, "provider": 1}},
    ]
    collection = DailyReport.get_pymongo_collection()
    return await (await collection.aggregate(pipeline)).to_list(None)


async def save_report(report: DailyReport) -> DailyReport:
    return await report.save()


async def report_of(day: str) -> DailyReport | None:
    return await DailyReport.get(day)


async def latest_reports(limit: int) -> list[DailyReport]:
    return await DailyReport.find_all().sort("-_id").limit(limit).to_list()


async def save_verification(verification: BalanceVerification) -> BalanceVerification:
    return await verification.save()


async def verification_of(month: str) -> BalanceVerification | None:
    return await BalanceVerification.get(month)
