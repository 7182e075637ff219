"""Real backing services for the test session, and a local certificate endpoint."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from backend.devstack import components as c
from backend.firebase.devkeys import SigningKey

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Services:
    mongodb: c.Component
    redis: c.Component
    firestore: c.Component

    @property
    def mongo_uri(self) -> str:
        return c.mongo_uri(self.mongodb)

    @property
    def redis_url(self) -> str:
        return f"redis://{self.redis.address}/0"

    def all(self) -> list[c.Component]:
        return [self.mongodb, self.redis, self.firestore]


def start_services(workdir: Path, *, project_id: str) -> Services:
    """Start SecantusDB, Redis and the Firestore emulator concurrently on free ports."""
    logs = workdir / "logs"
    services = Services(
        mongodb=c.mongodb(workdir / "mongo", c.free_port(), logs),
        redis=c.redis(c.free_port(), logs),
        firestore=c.firestore(
            c.free_port(), logs, project_id=project_id, rules=ROOT / "firestore.rules"
        ),
    )
    started = []
    try:
        for component in services.all():
            started.append(component.start())
        with ThreadPoolExecutor(3) as pool:
            for future in [pool.submit(comp.wait_ready, 120) for comp in started]:
                future.result()
    except BaseException:
        for component in started:
            component.stop()
        raise
    return services


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
    }
