"""Shared pieces for the benchmarks: a real DebtX stack, a load driver, a results table.

Everything runs on 127.0.0.1. The backing services are started with the project's
own launchers (backend/devstack/components.py) on free ports in a temporary
directory, and stopped again when the `with` block ends, whatever happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import re
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from backend.devstack import components as c
from backend.devstack.stack import Ports, stack_env

ROOT = Path(__file__).resolve().parents[1]
PROJECT_ID = "debtx-bench"
LOCALHOST = "127.0.0.1"
REQUEST_TIMEOUT_SECONDS = 30.0

console = Console()


# --------------------------------------------------------------------------- services


@dataclass
class Stack:
    """A running DebtX API and the environment its processes were started with."""

    base_url: str
    env: dict[str, str]
    workdir: Path
    components: list[c.Component] = field(default_factory=list)


def bench_env(workdir: Path, services: c.BackingServices, api_port: int) -> dict[str, str]:
    """The run command's settings, pointed at this run's servers, logging only warnings."""
    ports = Ports(
        api=api_port,
        mongodb=services.mongodb.port,
        redis=services.redis.port,
        firestore=services.firestore.port,
    )
    return {
        **stack_env(workdir, ports, PROJECT_ID),
        "DEBTX_LOG_LEVEL": "WARNING",
        # hundreds of clients from one address would meet the abuse limits, not the system
        "DEBTX_RATE_LIMITS__ENABLED": "false",
        "PYTHONPATH": str(ROOT),
    }


def _seed(env: dict[str, str]) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", "seed"],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise c.ComponentMissing(f"seeding failed:\n{result.stdout}\n{result.stderr}")
    console.print(f"seed: {result.stdout.strip()} ({time.perf_counter() - started:.1f} s)")


def _stop_all(running: list[c.Component]) -> None:
    for component in reversed(running):
        component.stop()


def _timed_ready(component: c.Component, timeout: float) -> None:
    started = time.perf_counter()
    component.wait_ready(timeout)
    console.print(
        f"ready: {component.name} on {component.address} ({time.perf_counter() - started:.1f} s)"
    )


@contextlib.contextmanager
def start_stack() -> Iterator[Stack]:
    """Backing services, demo data and the API (one uvicorn worker); all stopped on exit."""
    running: list[c.Component] = []
    with tempfile.TemporaryDirectory(prefix="debtx-bench-") as tmp:
        workdir = Path(tmp)
        try:
            started = time.perf_counter()
            services = c.start_backing_services(
                workdir, project_id=PROJECT_ID, rules=ROOT / "firestore.rules"
            )
            running += services.all()
            console.print(f"ready: backing services ({time.perf_counter() - started:.1f} s)")
            api_port = c.free_port()
            env = bench_env(workdir, services, api_port)
            _seed(env)
            api = c.uvicorn("api", "backend.main:create_app", api_port, workdir / "logs", env)
            running.append(api.start())
            _timed_ready(api, 90)
            yield Stack(f"http://{api.address}", env, workdir, list(running))
        finally:
            _stop_all(running)


@contextlib.contextmanager
def start_app(name: str, factory: str, ready_path: str = "/") -> Iterator[str]:
    """Any ASGI app factory under one uvicorn worker on a free port; yields its base URL."""
    with tempfile.TemporaryDirectory(prefix=f"debtx-bench-{name}-") as tmp:
        component = c.uvicorn(
            name, factory, c.free_port(), Path(tmp), {"PYTHONPATH": str(ROOT)}, ready_path
        )
        try:
            component.start()
            _timed_ready(component, 60)
            yield f"http://{component.address}"
        finally:
            component.stop()


def log_problems(stack: Stack, name: str, lines: int = 200) -> list[str]:
    """Lines of one component's log tail that are not routine info (warnings, tracebacks)."""
    routine = ('"level": "info"', '"level": "debug"')
    for component in stack.components:
        if component.name == name:
            tail = component.log_tail(lines).splitlines()
            return [line for line in tail if line.strip() and not any(r in line for r in routine)]
    return []


def sign_in(base_url: str, email: str) -> str:
    """A development ID token for a seeded account."""
    response = httpx.post(f"{base_url}/auth/dev/sign-in", json={"email": email}, timeout=30)
    response.raise_for_status()
    return response.json()["id_token"]


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def console_cookie(base_url: str, email: str) -> str:
    """A signed-in console session for a seeded account (development sign-in), as the
    Cookie header a browser would send."""
    with httpx.Client(base_url=base_url, timeout=30) as client:
        page = client.get("/console/sign-in")
        page.raise_for_status()
        csrf = _CSRF.search(page.text)
        if csrf is None:
            raise RuntimeError("the sign-in page has no CSRF field")
        fields = {"email": (None, email), "csrf_token": (None, csrf.group(1))}
        signed_in = client.post("/console/sign-in/dev", files=fields)
        if signed_in.status_code != 303:
            raise RuntimeError(f"console sign-in of {email} answered {signed_in.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


# --------------------------------------------------------------------------- load

# One header set for every user, or one per user (taken in turn: user i gets i % len).
Headers = dict[str, str] | list[dict[str, str]]


def _headers_of(headers: Headers, user: int) -> dict[str, str]:
    return headers if isinstance(headers, dict) else headers[user % len(headers)]


@dataclass
class LoadResult:
    """Latencies (ms) of every attempt, error count and wall time of one load run."""

    latencies_ms: list[float]
    errors: int
    elapsed_s: float
    error_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    def record(self, latency_ms: float, error_kind: str | None) -> None:
        self.latencies_ms.append(latency_ms)
        if error_kind is not None:
            self.errors += 1
            self.error_kinds[error_kind] = self.error_kinds.get(error_kind, 0) + 1

    @property
    def rate(self) -> float:
        return self.requests / self.elapsed_s if self.elapsed_s > 0 else 0.0


def _user_client(ssl_context: ssl.SSLContext) -> httpx.AsyncClient:
    """One simulated user's client: a single keep-alive connection.

    The shared SSL context matters: by default every client loads the CA bundle
    (~30 ms of CPU here), which with 195 users stalls the event loop for seconds.
    """
    return httpx.AsyncClient(
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=httpx.Timeout(REQUEST_TIMEOUT_SECONDS),
        verify=ssl_context,
    )


async def _user_loop(
    client: httpx.AsyncClient,
    url: str,
    headers: dict[str, str],
    count: int,
    deadline: float,
    result: LoadResult,
) -> None:
    """`count` sequential GETs, stopping early at `deadline`."""
    for _ in range(count):
        if time.perf_counter() >= deadline:
            return
        started = time.perf_counter()
        try:
            response = await client.get(url, headers=headers)
            kind = None if response.status_code == 200 else f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            kind = type(exc).__name__
        result.record((time.perf_counter() - started) * 1000, kind)


async def _phase(
    clients: list[httpx.AsyncClient],
    url: str,
    headers: Headers,
    count: int,
    max_seconds: float,
) -> LoadResult:
    """Every user at once, `count` requests each, cut off after `max_seconds`."""
    result = LoadResult([], 0, 0.0)
    started = time.perf_counter()
    loops = [
        _user_loop(client, url, _headers_of(headers, n), count, started + max_seconds, result)
        for n, client in enumerate(clients)
    ]
    await asyncio.wait_for(asyncio.gather(*loops), max_seconds + REQUEST_TIMEOUT_SECONDS + 5)
    result.elapsed_s = time.perf_counter() - started
    return result


async def drive_async(
    url: str,
    headers: Headers,
    concurrency: int,
    requests_per_client: int,
    *,
    warmup_per_client: int = 2,
    max_seconds: float = 10.0,
) -> LoadResult:
    """`concurrency` users at once, each sending `requests_per_client` requests, time-bounded.

    Each user has its own client and connection (one shared httpx pool of 100+
    connections costs the load generator about two thirds of its throughput).
    The warm-up opens those connections and is not recorded, so the result is
    steady-state keep-alive latency, not connection set-up.
    """
    if not url.startswith(f"http://{LOCALHOST}:"):
        raise ValueError(f"benchmarks only target {LOCALHOST}: {url}")
    ssl_context = ssl.create_default_context()
    async with contextlib.AsyncExitStack() as stack:
        clients = [
            await stack.enter_async_context(_user_client(ssl_context)) for _ in range(concurrency)
        ]
        if warmup_per_client > 0:
            await _phase(clients, url, headers, warmup_per_client, max_seconds)
        return await _phase(clients, url, headers, requests_per_client, max_seconds)


def drive(
    url: str,
    headers: Headers,
    concurrency: int,
    requests_per_client: int,
    *,
    warmup_per_client: int = 2,
    max_seconds: float = 10.0,
) -> LoadResult:
    """Blocking wrapper around `drive_async`."""
    return asyncio.run(
        drive_async(
            url,
            headers,
            concurrency,
            requests_per_client,
            warmup_per_client=warmup_per_client,
            max_seconds=max_seconds,
        )
    )


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) of the live processes in process group `pgid`: a
    component's server and what it started (the emulator's JVM, a Celery pool child)."""
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # it exited meanwhile
            continue
        if int(fields[2]) == pgid:  # after the name: state, ppid, pgrp, ... utime, stime
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_seconds(groups: dict[str, int | None]) -> dict[str, float]:
    """CPU seconds so far of each named process group; None names this process."""
    return {
        name: time.process_time() if pgid is None else group_cpu_seconds(pgid)
        for name, pgid in groups.items()
    }


# --------------------------------------------------------------------------- report


def percentile(values: list[float], pct: float) -> float:
    """Linear-interpolated percentile (pct in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Row:
    """One line of the results table; `dataclasses.asdict` gives what --json writes."""

    target: str
    concurrency: int
    requests: int
    errors: int
    error_kinds: dict[str, int]
    elapsed_s: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    load_average_1m: float


def summarize(target: str, concurrency: int, result: LoadResult) -> Row:
    """Percentiles and rate of one load run."""
    lat = result.latencies_ms
    return Row(
        target=target,
        concurrency=concurrency,
        requests=result.requests,
        errors=result.errors,
        error_kinds=dict(result.error_kinds),
        elapsed_s=round(result.elapsed_s, 3),
        rps=round(result.rate, 1),
        p50_ms=round(percentile(lat, 50), 1),
        p95_ms=round(percentile(lat, 95), 1),
        p99_ms=round(percentile(lat, 99), 1),
        max_ms=round(max(lat, default=math.nan), 1),
        load_average_1m=round(os.getloadavg()[0], 2),
    )


def print_table(rows: list[Row], title: str = "Latency") -> None:
    table = Table(title=title)
    for name in (
        "target",
        "concurrency",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
    ):
        table.add_column(name, justify="left" if name == "target" else "right")
    for row in rows:
        table.add_row(
            row.target,
            str(row.concurrency),
            str(row.requests),
            str(row.errors),
            f"{row.rps:.1f}",
            f"{row.p50_ms:.1f}",
            f"{row.p95_ms:.1f}",
            f"{row.p99_ms:.1f}",
        )
    console.print(table)


@dataclass
class Throughput:
    """Rows (or records) a target took in, and how fast."""

    target: str
    rows: int
    seconds: float
    rows_per_s: float
    note: str = ""

    @classmethod
    def of(cls, target: str, rows: int, seconds: float, note: str = "") -> Throughput:
        return cls(target, rows, seconds, rows / seconds, note)


def timed_insert(collection, documents: list[dict]) -> float:
    """Seconds one raw `insert_many` of `documents` takes."""
    started = time.perf_counter()
    collection.insert_many(documents)
    return time.perf_counter() - started


def print_throughput(rows: list[Throughput], title: str) -> None:
    table = Table(title=title)
    for name in ("target", "rows", "seconds", "rows/s", "note"):
        table.add_column(name, justify="left" if name in ("target", "note") else "right")
    for row in rows:
        table.add_row(
            row.target, f"{row.rows:,}", f"{row.seconds:.1f}", f"{row.rows_per_s:,.0f}", row.note
        )
    console.print(table)
