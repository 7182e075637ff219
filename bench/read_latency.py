"""Latency of an authenticated read (GET /users/me) under concurrent load.

The requirement: 100 concurrent requests answered under 2 s, with headroom for
95% more traffic (195 concurrent). DebtX runs against the real backing services;
a bare FastAPI route under the same uvicorn setup is measured alongside it as
the ceiling this machine allows.

    .venv/bin/python bench/read_latency.py [--concurrency N ...]
        [--requests-per-client N] [--max-seconds S] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _harness import (  # noqa: E402 (needs the path above)
    console, drive, log_tail, print_table, sign_in, start_app, start_stack, summarize)

EMAIL = "officer1.lanka@demo.debtx.dev"
TARGET_P95_MS = 2000.0
WARMUP_REQUESTS_PER_CLIENT = 2


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, action="append",
                        help="simultaneous users; repeat for several runs (default 100 and 195)")
    parser.add_argument("--requests-per-client", type=int, default=20,
                        help="requests each user sends one after another (default 20)")
    parser.add_argument("--max-seconds", type=float, default=10.0,
                        help="stop each measured run after this long (default 10)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    args.concurrency = args.concurrency or [100, 195]
    if min(args.concurrency) < 1 or args.requests_per_client < 1:
        parser.error("--concurrency and --requests-per-client must be at least 1")
    return args


def measure(target: str, url: str, headers: dict[str, str], concurrency: int,
            args: argparse.Namespace) -> dict[str, object]:
    """Warm up at the same concurrency, then one measured run."""
    drive(url, headers, concurrency, WARMUP_REQUESTS_PER_CLIENT, args.max_seconds)
    result = drive(url, headers, concurrency, args.requests_per_client, args.max_seconds)
    row = summarize(target, concurrency, result)
    if result.error_kinds:
        console.print(f"[yellow]{target} @ {concurrency}: errors {result.error_kinds}[/yellow]")
    return row


def compare(rows: list[dict[str, object]], concurrency: int) -> dict[str, object]:
    """DebtX against the bare route at one concurrency."""
    debtx = next(r for r in rows if r["target"] == "debtx" and r["concurrency"] == concurrency)
    bare = next(r for r in rows if r["target"] == "bare" and r["concurrency"] == concurrency)
    ratio = debtx["rps"] / bare["rps"] if bare["rps"] else float("nan")
    return {"concurrency": concurrency, "rps_ratio_vs_bare": round(ratio, 3),
            "p95_ms": debtx["p95_ms"], "p95_under_2s": debtx["p95_ms"] < TARGET_P95_MS,
            "errors": debtx["errors"]}


def print_verdicts(verdicts: list[dict[str, object]]) -> None:
    for v in verdicts:
        mark = "[green]yes[/green]" if v["p95_under_2s"] else "[red]NO[/red]"
        console.print(f"concurrency {v['concurrency']}: DebtX req/s = "
                      f"{v['rps_ratio_vs_bare']:.1%} of bare; p95 {v['p95_ms']:.1f} ms "
                      f"< {TARGET_P95_MS:.0f} ms: {mark}; errors: {v['errors']}")


def run(args: argparse.Namespace) -> dict[str, object]:
    rows: list[dict[str, object]] = []
    with start_stack() as stack, start_app("bare", "bench.bare_app:create_app") as bare_url:
        headers = {"authorization": f"Bearer {sign_in(stack.base_url, EMAIL)}"}
        for concurrency in args.concurrency:
            rows.append(measure("debtx", f"{stack.base_url}/users/me", headers,
                                concurrency, args))
            rows.append(measure("bare", f"{bare_url}/", {}, concurrency, args))
        api_log = log_tail(stack, "api")
    if api_log.strip():
        console.print(f"[dim]last lines of the API log:[/dim]\n{api_log}")
    verdicts = [compare(rows, n) for n in args.concurrency]
    return {"endpoint": "GET /users/me", "requests_per_client": args.requests_per_client,
            "max_seconds": args.max_seconds, "rows": rows, "verdicts": verdicts}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = run(args)
    print_table(results["rows"], title="GET /users/me (debtx) vs bare FastAPI route")
    print_verdicts(results["verdicts"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    return 0 if all(v["p95_under_2s"] for v in results["verdicts"]) else 1


if __name__ == "__main__":
    raise SystemExit(main())
