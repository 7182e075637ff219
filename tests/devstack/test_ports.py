"""Ports for the servers the stack starts: free, distinct, and out of the kernel's way."""

from __future__ import annotations

import socket

from backend.devstack import components as c


def test_ports_lie_below_the_range_outgoing_connections_are_given():
    ports = [c.free_port() for _ in range(50)]
    assert len(set(ports)) == len(ports)
    assert all(c.LOWEST_PORT <= port < c._ephemeral_floor() for port in ports)


def test_a_port_in_use_is_passed_over(monkeypatch):
    with socket.socket() as busy, socket.socket() as spare:
        busy.bind(("127.0.0.1", 0))
        spare.bind(("127.0.0.1", 0))
        taken, free = busy.getsockname()[1], spare.getsockname()[1]
        spare.close()
        monkeypatch.setattr(c, "_ephemeral_floor", lambda: 65_536)
        picks = iter([taken, free])
        monkeypatch.setattr(c._choose, "randrange", lambda low, high: next(picks))
        assert c.free_port() == free
