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
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from _harness import (
    Row,
    console,
    drive,
    log_problems,
    print_table,
    sign_in,
    start_app,
    start_stack,
    summarize,
)

EMAIL = "officer1.lanka@demo.debtx.dev"
TARGET_P95_MS = 2000.0
WARMUP_REQUESTS_PER_CLIENT = 2


@dataclass
class Verdict:
    """DebtX against the bare route at one concurrency."""

    concurrency: int
    rps_ratio_vs_bare: float
    p95_ms: float
    p95_under_2s: bool
    errors: int


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Latency of GET /users/me under load.")
    parser.add_argument(
        "--concurrency",
        type=int,
        action="append",
        help="simultaneous users; repeat for several runs (default 100 and 195)",
    )
    parser.add_argument(
        "--requests-per-client",
        type=int,
        default=20,
        help="requests each user sends one after another (default 20)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=10.0,
        help="stop each measured run after this long (default 10)",
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    args.concurrency = list(dict.fromkeys(args.concurrency or [100, 195]))
    if min(args.concurrency) < 1 or args.requests_per_client < 1 or args.max_seconds <= 0:
        parser.error("--concurrency, --requests-per-client and --max-seconds must be positive")
    return args


def measure(
    target: str, url: str, headers: dict[str, str], concurrency: int, args: argparse.Namespace
) -> Row:
    """Warm up at the same concurrency on the same connections, then one measured run."""
    result = drive(
        url,
        headers,
        concurrency,
        args.requests_per_client,
        warmup_per_client=WARMUP_REQUESTS_PER_CLIENT,
        max_seconds=args.max_seconds,
    )
    if result.error_kinds:
        console.print(f"[yellow]{target} @ {concurrency}: errors {result.error_kinds}[/yellow]")
    return summarize(target, concurrency, result)


def compare(rows: list[Row], concurrency: int) -> Verdict:
    debtx = next(r for r in rows if r.target == "debtx" and r.concurrency == concurrency)
    bare = next(r for r in rows if r.target == "bare" and r.concurrency == concurrency)
    ratio = debtx.rps / bare.rps if bare.rps else math.nan
    return Verdict(
        concurrency,
        round(ratio, 3),
        debtx.p95_ms,
        debtx.p95_ms < TARGET_P95_MS and debtx.errors == 0,
        debtx.errors,
    )


def print_verdicts(verdicts: list[Verdict]) -> None:
    for v in verdicts:
        mark = "[green]yes[/green]" if v.p95_under_2s else "[red]NO[/red]"
        console.print(
            f"concurrency {v.concurrency}: DebtX req/s = {v.rps_ratio_vs_bare:.1%} "
            f"of bare; p95 {v.p95_ms:.1f} ms < {TARGET_P95_MS:.0f} ms "
            f"(and no errors): {mark}"
        )


def run(args: argparse.Namespace) -> list[Row]:
    """Both servers up at once; for each concurrency, DebtX then the bare route."""
    rows: list[Row] = []
    with start_stack() as stack, start_app("bare", "bench.bare_app:create_app") as bare_url:
        headers = {"authorization": f"Bearer {sign_in(stack.base_url, EMAIL)}"}
        for concurrency in args.concurrency:
            rows.append(measure("debtx", f"{stack.base_url}/users/me", headers, concurrency, args))
            rows.append(measure("bare", f"{bare_url}/", {}, concurrency, args))
        problems = log_problems(stack, "api")
    if problems:
        console.print("[yellow]warnings and errors in the API log:[/yellow]")
        console.print("\n".join(problems[-20:]), markup=False)
    return rows


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = run(args)
    verdicts = [compare(rows, n) for n in args.concurrency]
    print_table(rows, title="GET /users/me (debtx) vs bare FastAPI route")
    print_verdicts(verdicts)
    if args.json:
        results = {
            "endpoint": "GET /users/me",
            "requests_per_client": args.requests_per_client,
            "max_seconds": args.max_seconds,
            "rows": [asdict(r) for r in rows],
            "verdicts": [asdict(v) for v in verdicts],
        }
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    return 0 if all(v.p95_under_2s for v in verdicts) else 1


if __name__ == "__main__":
    raise SystemExit(main())
