"""`debtx dev`, the README's run command: it comes up ready, serves signed-in requests,
stops every child on Ctrl-C, and keeps its data across a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from backend.devstack.components import free_port, port_open
from backend.devstack.demo import DEMO_DOMAIN


class Dev:
    """`debtx dev` in a process group of its own, its output read as it comes (a pipe
    nobody reads fills at 64 KiB and blocks the command mid-print) and unbuffered."""

    def __init__(self, workdir, ports: dict[str, int]) -> None:
        argv = [
            sys.executable,
            "-m",
            "backend.cli",
            "dev",
            *(arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))),
        ]
        env = {k: v for k, v in os.environ.items() if not k.startswith("DEBTX_")}
        env["PYTHONPATH"] = os.pathsep.join(sys.path)
        env["PYTHONUNBUFFERED"] = "1"  # what it printed before a hang is not lost
        self.process = subprocess.Popen(
            argv,
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, api: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.reader.join(5)
                pytest.fail(f"debtx dev exited early:\n{self.output}")
            try:
                if httpx.get(f"{api}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        pytest.fail("debtx dev did not become ready")

    def stop(self) -> str:
        """Ctrl-C, as a person would; its whole output once it has exited."""
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
            self.reader.join(5)
            pytest.fail(f"debtx dev did not stop within 90 s of Ctrl-C:\n{self.output}")
        self.reader.join(5)
        assert self.process.returncode == 0, self.output
        return self.output


def _sign_in(api: str, email: str) -> dict[str, str]:
    response = httpx.post(f"{api}/auth/dev/sign-in", json={"email": email}, timeout=10)
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['id_token']}"}


def test_run_command_serves_stops_cleanly_and_keeps_data(tmp_path):
    ports = {
        "api": free_port(),
        "mongodb": free_port(),
        "redis": free_port(),
        "firestore": free_port(),
        "oss": free_port(),
    }
    api = f"http://127.0.0.1:{ports['api']}"
    first = Dev(tmp_path, ports)
    try:
        first.wait_ready(api)
        admin = _sign_in(api, f"admin@{DEMO_DOMAIN}")
        drcs = httpx.get(f"{api}/drcs", headers=admin, timeout=10).json()
        assert {d["id"] for d in drcs} >= {"DRC-LANKA", "DRC-CEYLON", "DRC-ISLAND"}
        created = httpx.post(
            f"{api}/drcs",
            headers=admin,
            timeout=10,
            json={"id": "DRC-KEPT", "name": "Survives Restarts"},
        )
        assert created.status_code == 201, created.text
        oss = httpx.get(f"http://127.0.0.1:{ports['oss']}/healthz", timeout=10)
        assert oss.status_code == 200  # the local OSS the outbox posts to
    finally:
        output = first.stop()
    assert "demo data loaded" in output
    assert not any(port_open(port) for port in ports.values()), "a child outlived Ctrl-C"

    second = Dev(tmp_path, ports)
    try:
        second.wait_ready(api)
        admin = _sign_in(api, f"admin@{DEMO_DOMAIN}")
        kept = httpx.get(f"{api}/drcs/DRC-KEPT", headers=admin, timeout=10)
        assert kept.status_code == 200 and kept.json()["name"] == "Survives Restarts"
    finally:
        output = second.stop()
    assert "demo data already present" in output
