"""Real backing services for the test session, and a local certificate endpoint."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from backend.devstack import components as c
from backend.firebase.devkeys import SigningKey

ROOT = Path(__file__).resolve().parents[1]


def start_services(workdir: Path, *, project_id: str) -> c.BackingServices:
    """SecantusDB, Redis and the Firestore emulator (rules loaded) on free ports."""
    return c.start_backing_services(workdir, project_id=project_id, rules=ROOT / "firestore.rules")


class CertificateServer:
    """Serves `{kid: certificate}` like Google's securetoken endpoint, counting fetches."""

    def __init__(self, key: SigningKey, *, max_age: int = 3600) -> None:
        self.certificates = dict(key.certificates())
        self.max_age = max_age
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.hits += 1
                body = json.dumps(server.certificates).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("cache-control", f"public, max-age={server.max_age}")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/certs"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def settings_env(settings) -> dict[str, str]:
    """The DEBTX_ environment that reproduces `settings` in a child process."""
    return {
        "DEBTX_ENV": settings.env.value,
        "DEBTX_LOG_LEVEL": settings.log_level,
        "DEBTX_MONGO__URI": settings.mongo.uri.get_secret_value(),
        "DEBTX_MONGO__DATABASE": settings.mongo.database,
        "DEBTX_REDIS__URL": settings.redis.url.get_secret_value(),
        "DEBTX_FIREBASE__PROJECT_ID": settings.firebase.project_id,
        "DEBTX_FIREBASE__CERT_URL": settings.firebase.cert_url,
        "DEBTX_FIREBASE__FIRESTORE_EMULATOR_HOST": settings.firebase.firestore_emulator_host or "",
        "DEBTX_AUTH__DEV_LOGIN": str(settings.auth.dev_login).lower(),
        "DEBTX_AUTH__DEV_KEY_DIR": str(settings.auth.dev_key_dir),
        "DEBTX_RATE_LIMITS": settings.rate_limits.model_dump_json(),
    }


async def debtx(settings, *args: str, env: dict | None = None) -> tuple[int, str, str]:
    """Run the `debtx` command in its own process against the test services."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.cli",
        *args,
        cwd=ROOT,
        env={**os.environ, **settings_env(settings), **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, out.decode(), err.decode()


@contextmanager
def celery_worker(settings, log_path: Path, **env: str) -> Iterator[subprocess.Popen]:
    """A real Celery worker (solo pool) on the test services, with `env` on top."""
    log = log_path.open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "backend.worker.app:celery_app", "worker",
         "--pool", "solo", "--loglevel", "INFO"],
        env={**os.environ, **settings_env(settings), **env},
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield process
    finally:
        process.terminate()
        process.wait(20)
        log.close()
