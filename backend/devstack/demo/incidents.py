"""The demo's incident file: a BSS arrears export as the intake CSV format describes it
(backend/intake/rows.py), generated in memory from a seeded random generator.

Customers have Sri Lankan names, addresses and numbers; each incident is one account's
products (one row per product, or per CPE item of a product), sorted by account.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from backend.intake.rows import COLUMNS

INCIDENTS = 300
POOL_INCIDENTS = 15  # in provinces no DRC covers, so they stay in the pool
# Provinces the DRCs cover, with their share of the incidents.
REGIONS = {
    "Western": 34,
    "Southern": 15,
    "Central": 15,
    "North Western": 13,
    "Northern": 11,
    "Eastern": 12,
}
POOL_REGIONS = ("Uva", "Sabaragamuwa")
ACTIONS = {"arrears_and_cpe": 45, "arrears": 43, "cpe": 12}
MIN_ARREARS, MAX_ARREARS = 500_000, 50_000_000  # LKR 5,000.00 to 500,000.00, minor units

TOWNS = {
    "Western": ("Colombo 05", "Dehiwala", "Nugegoda", "Negombo", "Gampaha", "Panadura"),
    "Southern": ("Galle", "Matara", "Hambantota", "Ambalangoda", "Tangalle"),
    "Central": ("Kandy", "Peradeniya", "Matale", "Nuwara Eliya", "Gampola"),
    "North Western": ("Kurunegala", "Kuliyapitiya", "Puttalam", "Chilaw"),
    "Northern": ("Jaffna", "Chavakachcheri", "Vavuniya", "Kilinochchi", "Point Pedro"),
    "Eastern": ("Trincomalee", "Batticaloa", "Kalmunai", "Ampara"),
    "Uva": ("Badulla", "Bandarawela", "Monaragala"),
    "Sabaragamuwa": ("Ratnapura", "Kegalle", "Balangoda"),
}
AREA_CODES = {
    "Western": "11",
    "Southern": "91",
    "Central": "81",
    "North Western": "37",
    "Northern": "21",
    "Eastern": "26",
    "Uva": "55",
    "Sabaragamuwa": "45",
}
STREETS = (
    "Galle Road",
    "Temple Road",
    "Station Road",
    "Main Street",
    "Hospital Road",
    "Lake Road",
    "Kandy Road",
    "School Lane",
    "Church Street",
    "Market Road",
)


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# (given names, family names, language) per community
SINHALA = (
    _names(
        "Nimal Sunil Kamal Chaminda Priyanka Dilani Tharindu Nuwan Sanduni Ishara Ruwan "
        "Kumudini Mahesh Asanka Thilini Gayan Nadeesha Pradeep Janaka Malini Dinesh "
        "Chathurika Lasantha Harsha Anusha Buddhika Sampath Iresha Upul Shehani"
    ),
    _names(
        "Perera Fernando Silva Jayasinghe Wickramasinghe Bandara Gunawardena Herath "
        "Dissanayake Senanayake Karunaratne Weerasinghe Ranasinghe Rathnayake Jayawardena "
        "Wijesinghe Samarasinghe Amarasekara Ekanayake Liyanage"
    ),
    "si",
)
TAMIL = (
    _names(
        "Sivakumar Rajeswari Krishnan Kanagaratnam Thevaki Suresh Vasanthi Pradeepan "
        "Nirosha Mathivanan Yalini Kajendran Tharshini Senthuran Kavitha Ganeshan"
    ),
    _names(
        "Sivarajah Thevarajah Nadarajah Selvaratnam Ponnambalam Arumugam Yogarajah "
        "Balasingham Skanthakumar Kathirgamanathan Mahalingam"
    ),
    "ta",
)
MUSLIM = (
    _names("Mohamed Fathima Ahamed Rizwan Shifana Imran Nuzla Faizal Ruksana Ashraff"),
    _names("Rahman Mohideen Cassim Marikar Farook Hameed Ismail Jaleel"),
    "ta",
)
# Communities per province (weights follow the census only loosely).
COMMUNITIES = {
    "Northern": ((TAMIL, 9), (MUSLIM, 1)),
    "Eastern": ((TAMIL, 5), (MUSLIM, 4), (SINHALA, 2)),
}
DEFAULT_COMMUNITIES = ((SINHALA, 8), (TAMIL, 1), (MUSLIM, 1))

# product type -> (id prefix, CPE it carries: (type, model, serial prefix))
PRODUCTS = {
    "fibre": ("FTTH", (("ont", "Huawei HG8145V5", "HWTC"), ("router", "TP-Link Archer C6", "TPL"))),
    "peo_tv": ("PEO", (("set_top_box", "ZTE ZXV10 B860H", "ZTEB"),)),
    "lte": ("LTE", (("router", "Huawei B311", "B311"),)),
    "voice": ("VCE", ()),
}
STATUSES = {"active": 3, "suspended": 5, "disconnected": 2}


@dataclass
class Product:
    id: str
    type: str
    status: str
    arrears: int | None
    items: list[tuple[str, str, str]] = field(default_factory=list)  # (serial, model, type)


@dataclass
class Customer:
    id: str
    name: str
    nic: str
    region: str
    address: str
    language: str | None
    mobile: str
    landline: str | None
    email: str | None


def pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def major(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


def _nic(rng: random.Random) -> str:
    year, day = rng.randint(1955, 2000), rng.randint(1, 366) + rng.choice((0, 500))
    if rng.random() < 0.6:
        return f"{year}{day:03d}{rng.randint(0, 9999):04d}{rng.randint(0, 9)}"
    return f"{year % 100:02d}{day:03d}{rng.randint(0, 9999):04d}V"


def customer(n: int, region: str, rng: random.Random) -> Customer:
    pool = COMMUNITIES.get(region, DEFAULT_COMMUNITIES)
    (given, family, language), *_ = rng.choices([c for c, _ in pool], [w for _, w in pool])
    first, last = rng.choice(given), rng.choice(family)
    town = rng.choice(TOWNS[region])
    email = f"{first}.{last}{n % 97}@gmail.com".lower() if rng.random() < 0.3 else None
    landline = None
    if rng.random() < 0.25:
        landline = f"+94{AREA_CODES[region]}{rng.randint(2_000_000, 5_999_999)}"
    return Customer(
        id=f"CUS{700_000 + n * 13}",
        name=f"{rng.choice('ABCDEGHJKLMNPRSTW')}. {first} {last}",
        nic=_nic(rng),
        region=region,
        address=f"No. {rng.randint(1, 420)}, {rng.choice(STREETS)}, {town}",
        language=language if rng.random() < 0.85 else "en",
        mobile=f"+947{rng.choice('0124578')}{rng.randint(0, 9_999_999):07d}",
        landline=landline,
        email=email,
    )


def _arrears(rng: random.Random) -> int:
    """Log-uniform between the bounds: many small balances, a few large ones."""
    low, high = math.log(MIN_ARREARS), math.log(MAX_ARREARS)
    return int(math.exp(rng.uniform(low, high)))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    if parts == 1:
        return [total]
    first = int(total * rng.uniform(0.35, 0.75))
    return [first, total - first]


def products(n: int, action: str, rng: random.Random) -> list[Product]:
    """One or two products of the account; CPE actions need equipment on at least one."""
    kinds = ["fibre", "peo_tv", "lte", "voice"]
    if action != "arrears":
        kinds = ["fibre", "peo_tv", "lte"]
    chosen = rng.sample(kinds, k=1 if rng.random() < 0.65 else 2)
    amounts = _split(_arrears(rng), len(chosen), rng)
    found = []
    for k, (kind, amount) in enumerate(zip(chosen, amounts, strict=True), start=1):
        prefix, carried = PRODUCTS[kind]
        product = Product(
            id=f"{prefix}-{n:05d}{k}",
            type=kind,
            status=pick(rng, STATUSES),
            arrears=None if action == "cpe" else amount,
        )
        if action != "arrears":
            product.items = [
                (f"{serial}{n:05d}{k}{j}{rng.randrange(16**4):04X}", model, item)
                for j, (item, model, serial) in enumerate(carried)
            ]
        found.append(product)
    return found


def incident_rows(
    n: int, region: str, today: date, rng: random.Random
) -> list[dict[str, str | None]]:
    """The rows of one incident: its customer and account repeated on each row."""
    action = pick(rng, ACTIONS)
    person = customer(n, region, rng)
    base = {
        "external_ref": f"BSS-ARR-{n:06d}",
        "action": action,
        "account_id": f"ACC{30_000_000 + n * 7919}",
        "customer_id": person.id,
        "customer_name": person.name,
        "nic": person.nic,
        "region": region,
        "address": person.address,
        "language": person.language,
        "mobile": person.mobile,
        "landline": person.landline,
        "email": person.email,
        "currency": "LKR",
        "overdue_since": (today - timedelta(days=rng.randint(30, 600))).isoformat(),
    }
    rows = []
    for product in products(n, action, rng):
        line = {
            **base,
            "product_id": product.id,
            "product_type": product.type,
            "product_status": product.status,
            "arrears": major(product.arrears) if product.arrears is not None else None,
        }
        items = [
            {"cpe_serial": serial, "cpe_model": model, "cpe_type": kind}
            for serial, model, kind in product.items
        ]
        rows += [{**line, **item} for item in items or [{}]]
    return rows


def regions(rng: random.Random) -> list[str]:
    """The province of each incident, in file order; the pool's are spread through it."""
    covered = rng.choices(list(REGIONS), weights=list(REGIONS.values()), k=INCIDENTS)
    for at in rng.sample(range(INCIDENTS), POOL_INCIDENTS):
        covered[at] = rng.choice(POOL_REGIONS)
    return covered


def csv_text(today: date, rng: random.Random) -> str:
    """The whole export as CSV text, header first."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for n, region in enumerate(regions(rng), start=1):
        writer.writerows(
            {k: v for k, v in row.items() if v is not None}
            for row in incident_rows(n, region, today, rng)
        )
    return out.getvalue()
