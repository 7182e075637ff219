"""`debtx dev`: the whole stack on this machine, with embedded defaults and demo data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.panel import Panel

from backend.devstack import components as c
from backend.devstack.demo import DEMO_DOMAIN

console = Console()
RULES = Path(__file__).resolve().parents[2] / "firestore.rules"


@dataclass(frozen=True)
class Ports:
    api: int = 8000
    mongodb: int = 27117
    redis: int = 6390
    firestore: int = 8181
    oss: int = 8190  # the local OSS (suspensions and reinstatements)
    cards: int = 8193  # the local card payment provider (charge lookups, signed webhooks)
    bank: int = 8191  # the local bank (statement files)
    daraja: int = 8194  # the local M-PESA Daraja (STK push, C2B)


def stack_env(home: Path, ports: Ports, project_id: str) -> dict[str, str]:
    """The DEBTX_ settings every child process of the dev stack runs with."""
    return {
        "DEBTX_ENV": "development",
        "DEBTX_MONGO__URI": f"mongodb://127.0.0.1:{ports.mongodb}/?directConnection=true"
        "&retryWrites=false",
        "DEBTX_REDIS__URL": f"redis://127.0.0.1:{ports.redis}/0",
        "DEBTX_FIREBASE__PROJECT_ID": project_id,
        "DEBTX_FIREBASE__FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{ports.firestore}",
        "DEBTX_FIREBASE__CERT_URL": f"http://127.0.0.1:{ports.api}/auth/dev/certs",
        "DEBTX_AUTH__DEV_LOGIN": "true",
        "DEBTX_AUTH__DEV_KEY_DIR": str(home / "keys"),
        "DEBTX_PUBLIC_URL": f"http://127.0.0.1:{ports.api}",
        "DEBTX_OSS__BASE_URL": f"http://127.0.0.1:{ports.oss}",
        "DEBTX_CARDS__BASE_URL": f"http://127.0.0.1:{ports.cards}",
        "DEBTX_BANK__BASE_URL": f"http://127.0.0.1:{ports.bank}",
        "DEBTX_MPESA__BASE_URL": f"http://127.0.0.1:{ports.daraja}",
        "DEBTX_MPESA__CALLBACK_BASE_URL": f"http://127.0.0.1:{ports.api}",
        "FIRESTORE_EMULATOR_HOST": f"127.0.0.1:{ports.firestore}",
    }


def _celery(name: str, args: list[str], logs: Path, env: dict[str, str]) -> c.Component:
    argv = [sys.executable, "-m", "celery", "-A", "backend.worker.app:celery_app", *args]
    return c.Component(name, argv, 0, logs / f"{name}.log", lambda _: True, env=env)


def _banner(ports: Ports, home: Path) -> Panel:
    api = f"http://127.0.0.1:{ports.api}"
    return Panel.fit(
        f"[bold]DebtX is running[/bold]\n\n"
        f"API            {api}   (docs: {api}/docs)\n"
        f"Readiness      {api}/readyz   metrics: {api}/metrics\n"
        f"MongoDB        mongodb://127.0.0.1:{ports.mongodb}  (SecantusDB, data in {home}/mongo)\n"
        f"Redis          redis://127.0.0.1:{ports.redis}\n"
        f"Firestore      http://127.0.0.1:{ports.firestore}  (emulator)\n"
        f"OSS            http://127.0.0.1:{ports.oss}  (local; acknowledges every event)\n"
        f"Card provider  http://127.0.0.1:{ports.cards}  (local; webhooks to /cards/webhook)\n"
        f"Bank           http://127.0.0.1:{ports.bank}  (local; files in {home}/bank/<date>/)\n"
        f"M-PESA         http://127.0.0.1:{ports.daraja}  (local Daraja; every prompt is paid)\n"
        f"Logs           {home}/logs/\n\n"
        f"Sign in (development): POST {api}/auth/dev/sign-in "
        f'{{"email": "admin@{DEMO_DOMAIN}"}}\n'
        f"  accounts: admin@, recovery@, supervisor.lanka@, officer1.lanka@ ... @{DEMO_DOMAIN}\n"
        f"  then send the id_token as 'Authorization: Bearer <id_token>'\n\n"
        "Ctrl-C stops everything.",
        title="debtx dev",
    )


def _stop_all(servers: list[c.Component], apps: list[c.Component]) -> None:
    """Stop the API and workers together, then the servers they used, together: each
    may take its grace period (a worker finishing its task), and those add up when
    stopped one after another."""
    for group in (apps, servers):
        for component in group:
            console.print(f"stopping {component.name}")
        with ThreadPoolExecutor(max_workers=max(1, len(group))) as pool:
            list(pool.map(lambda component: component.stop(), group))


# Celery processes: the general worker, the mirror's own (one follower), and beat.
_WORKERS = {
    "worker": ["worker", "--concurrency", "2", "--hostname", "debtx@%h"],
    "mirror": [
        *("worker", "--queues", "mirror", "--concurrency", "1"),
        *("--hostname", "debtx-mirror@%h"),
    ],
}


def run_stack(root: Path, ports: Ports, project_id: str = "debtx-dev") -> int:
    """Start every part, seed once, print how to use it, stop cleanly on Ctrl-C."""
    home = root / ".debtx"
    env = stack_env(home, ports, project_id)
    # Ctrl-C stops the stack even when started with SIGINT ignored (a shell's background
    # job), which Python would otherwise keep; SIGTERM does the same.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    servers: list[c.Component] = []
    apps: list[c.Component] = []
    try:
        servers += _start_servers(home, ports, project_id)
        _seed(env)
        api = _start_apps(home, ports, env, apps)
        api.wait_ready(timeout=60)
        console.print(_banner(ports, home))
        _watch(servers + apps)
        return 1
    except c.ComponentMissing as exc:
        console.print(f"[red]cannot start DebtX:[/red] {exc}")
        return 2
    except KeyboardInterrupt:
        console.print("\nshutting down")
        return 0
    finally:
        _stop_all(servers, apps)


def _start_servers(home: Path, ports: Ports, project_id: str) -> list[c.Component]:
    services = c.start_backing_services(
        home,
        project_id=project_id,
        rules=RULES,
        persist_redis=True,
        ports=(ports.mongodb, ports.redis, ports.firestore),
        timeout=90,
    )
    for service in services.all():
        console.print(f"[green]ready[/green] {service.name} on {service.address}")
    return services.all()


def _seed(env: dict[str, str]) -> None:
    seeded = subprocess.run(
        [sys.executable, "-m", "backend.cli", "seed"], env={**os.environ, **env}, check=False
    )
    if seeded.returncode != 0:
        raise c.ComponentMissing("loading demo data failed (see output above)")


def _start_apps(
    home: Path, ports: Ports, env: dict[str, str], apps: list[c.Component]
) -> c.Component:
    """The API, the workers and beat, each added to `apps` as it starts; the API."""
    logs = home / "logs"
    api = c.uvicorn("api", "backend.main:create_app", ports.api, logs, env)
    apps.append(api.start())
    apps.append(_local_oss(ports, logs, env).start())
    apps.append(_local_cardpay(ports, logs, env).start())
    apps.append(_local_bank(home, ports, env).start())
    apps.append(_local_daraja(ports, logs, env).start())
    for name, args in _WORKERS.items():
        apps.append(_celery(name, [*args, "--loglevel", "INFO"], logs, env).start())
    beat = ["beat", "--loglevel", "INFO", "--schedule", str(home / "celerybeat-schedule")]
    apps.append(_celery("beat", beat, logs, env).start())
    return api


def _local_oss(ports: Ports, logs: Path, env: dict[str, str]) -> c.Component:
    """OSS stand-in: takes the signed events and acknowledges each to the API."""
    callback = f"http://127.0.0.1:{ports.api}/oss/callbacks"
    return _local_provider("oss", ports.oss, ["--callback-url", callback], logs, env)


def _local_cardpay(ports: Ports, logs: Path, env: dict[str, str]) -> c.Component:
    """Card provider stand-in: answers charge lookups and signs webhooks to the API."""
    webhook = f"http://127.0.0.1:{ports.api}/cards/webhook"
    return _local_provider("cardpay", ports.cards, ["--webhook-url", webhook], logs, env)


def _local_provider(
    module: str, port: int, args: list[str], logs: Path, env: dict[str, str]
) -> c.Component:
    """One of backend/devstack's local providers, ready when its /healthz answers."""
    argv = [sys.executable, "-m", f"backend.devstack.{module}", "--port", str(port), *args]
    probe = lambda component: c.http_ok(f"http://{component.address}/healthz")  # noqa: E731
    return c.Component(module, argv, port, logs / f"{module}.log", probe, env=env)


def _local_bank(home: Path, ports: Ports, env: dict[str, str]) -> c.Component:
    """Bank stand-in: serves the statement files dropped in `.debtx/bank/<date>/`."""
    argv = [sys.executable, "-m", "backend.devstack.bank", "--port", str(ports.bank)]
    argv += ["--folder", str(home / "bank")]
    probe = lambda component: c.http_ok(f"http://{component.address}/healthz")  # noqa: E731
    return c.Component("bank", argv, ports.bank, home / "logs" / "bank.log", probe, env=env)


def _local_daraja(ports: Ports, logs: Path, env: dict[str, str]) -> c.Component:
    """M-PESA stand-in: pays every STK prompt and calls the API back; C2B URLs registered."""
    argv = [sys.executable, "-m", "backend.devstack.daraja", "--port", str(ports.daraja)]
    argv.append("--register-c2b")
    probe = lambda component: c.http_ok(f"http://{component.address}/healthz")  # noqa: E731
    return c.Component("daraja", argv, ports.daraja, logs / "daraja.log", probe, env=env)


def _watch(running: list[c.Component]) -> None:
    """Until a part stops by itself: then say which, with its last log lines."""
    while all(component.running() for component in running):
        time.sleep(1)
    for comp in running:
        if not comp.running():
            console.print(
                f"[red]{comp.name} stopped unexpectedly[/red]; last log lines:\n{comp.log_tail()}"
            )
