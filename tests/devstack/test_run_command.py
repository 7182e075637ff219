"""`debtx dev`, the README's run command: it comes up ready, serves signed-in requests,
stops every child on Ctrl-C, and keeps its data across a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from backend.devstack.components import free_port, port_open
from backend.devstack.demo import DEMO_DOMAIN


def _start(workdir, ports: dict[str, int]) -> subprocess.Popen:
    argv = [
        sys.executable,
        "-m",
        "backend.cli",
        "dev",
        *(arg for name, port in ports.items() for arg in (f"--{name}-port", str(port))),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DEBTX_")}
    env["PYTHONPATH"] = os.pathsep.join(sys.path)
    return subprocess.Popen(
        argv,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def _wait_ready(process: subprocess.Popen, api: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"debtx dev exited early:\n{process.stdout.read()}")
        try:
            if httpx.get(f"{api}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail("debtx dev did not become ready")


def _stop(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGINT)
    try:
        output, _ = process.communicate(timeout=90)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        rest, _ = process.communicate()
        so_far = exc.output.decode() if isinstance(exc.output, bytes) else exc.output or ""
        pytest.fail(f"debtx dev did not stop within 90 s of Ctrl-C:\n{so_far}{rest}")
    assert process.returncode == 0, output
    return output


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
    }
    api = f"http://127.0.0.1:{ports['api']}"
    first = _start(tmp_path, ports)
    try:
        _wait_ready(first, api)
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
    finally:
        output = _stop(first)
    assert "demo data loaded" in output
    assert not any(port_open(port) for port in ports.values()), "a child outlived Ctrl-C"

    second = _start(tmp_path, ports)
    try:
        _wait_ready(second, api)
        admin = _sign_in(api, f"admin@{DEMO_DOMAIN}")
        kept = httpx.get(f"{api}/drcs/DRC-KEPT", headers=admin, timeout=10)
        assert kept.status_code == 200 and kept.json()["name"] == "Survives Restarts"
    finally:
        output = _stop(second)
    assert "demo data already present" in output
