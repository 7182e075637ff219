"""The `debtx` command."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from pathlib import Path

import typer

from backend.core.settings import get_settings

app = typer.Typer(help="DebtX: telecom debt recovery backend.", no_args_is_help=True)


@app.command()
def dev(
    api_port: int = typer.Option(8000, help="HTTP port of the API"),
    mongodb_port: int = typer.Option(27117, help="Port of the SecantusDB daemon"),
    redis_port: int = typer.Option(6390, help="Port of Redis"),
    firestore_port: int = typer.Option(8181, help="Port of the Firestore emulator"),
    oss_port: int = typer.Option(8190, help="Port of the local OSS"),
    bank_port: int = typer.Option(8191, help="Port of the local bank"),
    daraja_port: int = typer.Option(8194, help="Port of the local M-PESA Daraja"),
) -> None:
    """Run the whole stack locally with embedded defaults and demo data."""
    from backend.devstack.stack import Ports, run_stack

    ports = Ports(
        api=api_port,
        mongodb=mongodb_port,
        redis=redis_port,
        firestore=firestore_port,
        oss=oss_port,
        bank=bank_port,
        daraja=daraja_port,
    )
    raise typer.Exit(run_stack(Path.cwd(), ports))


async def _with_database(work):
    from backend.resources import Resources

    resources = await Resources.open(get_settings())
    try:
        return await work()
    finally:
        await resources.close()


@app.command()
def seed() -> None:
    """Load the demo data into the configured database, once."""
    from backend.devstack.demo import load_demo_data

    loaded = asyncio.run(_with_database(load_demo_data))
    typer.echo("demo data loaded" if loaded else "demo data already present")


@app.command("mpesa-register")
def mpesa_register() -> None:
    """Register the paybill's C2B validation and confirmation URLs with M-PESA (Daraja)."""
    import httpx

    from backend.core.errors import DomainError
    from backend.mpesa import service as mpesa

    async def register() -> None:
        async with httpx.AsyncClient() as http:
            await mpesa.register_c2b(http=http, settings=get_settings().mpesa)

    try:
        asyncio.run(register())
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo("C2B URLs registered")


@app.command()
def token(email: str) -> None:
    """Print a development ID token for an existing account (dev login only)."""
    from backend.firebase.devkeys import SigningKey
    from backend.users import service as users

    settings = get_settings()
    if not settings.auth.dev_login:
        typer.echo("development sign-in is off (DEBTX_AUTH__DEV_LOGIN)", err=True)
        raise typer.Exit(2)
    user = asyncio.run(_with_database(lambda: users.by_email(email)))
    if user is None or not user.active:
        typer.echo(f"no active account {email}", err=True)
        raise typer.Exit(1)
    key = SigningKey.load_or_create(settings.auth.dev_key_dir)
    typer.echo(
        key.mint(
            uid=user.id,
            project_id=settings.firebase.project_id,
            ttl_seconds=settings.auth.dev_token_ttl_seconds,
            email=user.email,
        )
    )


@app.command("import-datalake")
def import_datalake(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
) -> None:
    """Import a data lake export (CSV or JSON Lines) as incidents and print the report."""
    from backend.intake import service as intake
    from backend.intake.models import IncidentSource

    settings = get_settings()
    _print_report(
        lambda: intake.import_file(
            path=path, source=IncidentSource.DATA_LAKE, settings=settings.intake
        ),
        lambda batch: intake.batch_read(batch).model_dump_json(indent=2),
    )


def _print_report(work, show) -> None:
    """Run an import against the database and print its report; a refusal exits 1."""
    from backend.core.errors import DomainError

    try:
        # Log lines go to stderr so that stdout is the report alone.
        with contextlib.redirect_stdout(sys.stderr):
            done = asyncio.run(_with_database(work))
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.detail}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(show(done))


@app.command("billing-feed")
def billing_feed(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    kind: str | None = typer.Option(
        None,
        help="customer, account, invoice, plan, cycle, group or payment_method "
        "(a CSV file needs it unless it has a kind column)",
    ),
) -> None:
    """Take in a BSS billing feed file (CSV or JSON Lines) and print its row report."""
    from backend.billing import feeds
    from backend.billing import service as billing

    settings = get_settings()
    _print_report(
        lambda: feeds.import_file(path=path, kind=kind, settings=settings.billing),
        lambda batch: billing.feed_read(batch).model_dump_json(indent=2),
    )


@app.command("sync-outbox")
def sync_outbox(
    watch: bool = typer.Option(False, help="Keep polling every DEBTX_SYNC__OUTBOX_POLL_SECONDS"),
) -> None:
    """Apply the mutations waiting in the Firestore outbox and write their results back."""
    import json

    from backend.resources import Resources
    from backend.syncing import outbox

    counts_out = sys.stdout

    def report(counts: dict[str, int]) -> None:
        typer.echo(json.dumps(counts, sort_keys=True), file=counts_out)

    async def work() -> None:
        resources = await Resources.open(get_settings())
        try:
            if watch:
                await outbox.watch(resources=resources, report=report)
            else:
                report(await outbox.poll(resources=resources))
        finally:
            await resources.close()

    # Log lines go to stderr so that stdout is the counts alone.
    with contextlib.redirect_stdout(sys.stderr), contextlib.suppress(KeyboardInterrupt):
        asyncio.run(work())


@app.command("mirror")
def follow_log(
    seconds: float = typer.Option(60.0, help="How long to follow the change log"),
) -> None:
    """Mirror the change log into Firestore (what the `sync.mirror` task does)."""
    from backend.resources import Resources
    from backend.syncing import mirror

    async def work() -> int:
        resources = await Resources.open(get_settings())
        try:
            return await mirror.mirror(resources.firestore).run(seconds=seconds)
        finally:
            await resources.close()

    typer.echo(f"{asyncio.run(work())} changes mirrored")


@app.command("dunning-evaluate")
def dunning_evaluate(
    chunk_size: int = typer.Option(500, min=1, help="Account ids evaluated per chunk"),
) -> None:
    """Evaluate every account once, here, chunk after chunk (as the workers would)."""
    from backend.dunning import service as dunning
    from backend.dunning.schemas import EvaluationSummary

    total = EvaluationSummary()

    async def run_chunk(ids: list[str]) -> None:
        done = await dunning.evaluate_accounts(ids)
        for name, value in done.model_dump().items():
            setattr(total, name, getattr(total, name) + value)

    async def work() -> int:
        return await dunning.evaluate_all(chunk_size=chunk_size, send=run_chunk)

    with contextlib.redirect_stdout(sys.stderr):
        total.chunks = asyncio.run(_with_database(work))
    typer.echo(" ".join(f"{k}={v}" for k, v in total.model_dump().items()))


@app.command("keep-contact-digests")
def keep_contact_digests() -> None:
    """Once, after upgrading: give every case contacted before contact digests were kept
    its digest, so neither the mirror nor the next contact counts its records again."""
    from backend.negotiations import service as negotiations

    with contextlib.redirect_stdout(sys.stderr):
        kept = asyncio.run(_with_database(negotiations.keep_old_digests))
    typer.echo(f"{kept} cases given a contact digest")


@app.command("keep-inbox-audiences")
def keep_inbox_audiences() -> None:
    """Once, after upgrading: give review items stored with their sender's DRC the
    audiences the inbox reads now, so that DRC's supervisors still find them."""
    from backend.syncing import service

    with contextlib.redirect_stdout(sys.stderr):
        kept = asyncio.run(_with_database(service.keep_inbox_audiences))
    typer.echo(f"{kept} review items given their audiences")


@app.command("keep-case-lists")
def keep_case_lists() -> None:
    """After upgrading, restores or raw loads: give every case the open flag and name
    words the lists read, and recount the officers' counts and the count shards."""
    from backend.cases import service

    with contextlib.redirect_stdout(sys.stderr):
        flagged, officers = asyncio.run(_with_database(service.keep_case_lists))
    typer.echo(f"{flagged} cases given their list fields; counts of {officers} officers kept")


@app.command("seal-pii")
def seal_pii() -> None:
    """Seal every stored personal value under DEBTX_PII__CURRENT_KEY_ID: once after
    upgrading from plain storage, and after each key rotation; a second run rewrites
    nothing."""
    import json

    from backend.ops.pii import reseal_all

    with contextlib.redirect_stdout(sys.stderr):
        report = asyncio.run(_with_database(reseal_all))
    typer.echo(json.dumps(report, indent=2))


@app.command("retention")
def retention(
    dry_run: bool = typer.Option(False, help="Show what a run would do; change nothing"),
) -> None:
    """Archive closed cases, minimise customers long gone, prune the change and delivery
    logs, as DEBTX_RETENTION__* say; print what was (or would be) done."""
    from backend.retention import service

    settings = get_settings()

    async def work():
        return await service.run(actor=None, settings=settings, dry_run=dry_run)

    with contextlib.redirect_stdout(sys.stderr):
        done = asyncio.run(_with_database(work))
    typer.echo(done.model_dump_json(indent=2))


async def _with_client(work):
    from backend.core import db

    client = db.make_client(get_settings().mongo)
    try:
        return await work(client)
    finally:
        await client.close()


def _backup_job(work, *, unchanged: str, when: tuple[type[Exception], ...]):
    """Run a backup or restore with its own client; a BackupError becomes its code and
    message (with `unchanged` said for the errors in `when`) and exit status 1."""
    from backend.backups.errors import BackupError

    try:
        with contextlib.redirect_stdout(sys.stderr):
            return asyncio.run(_with_client(work))
    except BackupError as exc:
        note = unchanged if isinstance(exc, when) else ""
        typer.echo(f"{exc.code}: {exc.detail}{note}", err=True)
        raise typer.Exit(1) from exc


@app.command("backup")
def backup() -> None:
    """Back the database up into one verified archive in DEBTX_BACKUPS__DIRECTORY
    (mongodump where installed, else a snapshot export) and keep the newest few."""
    from backend.backups import service
    from backend.backups.errors import BackupError

    settings = get_settings()
    made = _backup_job(
        lambda client: service.create_backup(client=client, settings=settings),
        unchanged="; no backup was written",
        when=(BackupError,),
    )
    typer.echo(made.model_dump_json(indent=2))


@app.command("restore")
def restore(
    path: Path = typer.Argument(..., help="A backup archive made by `debtx backup`"),
    yes: bool = typer.Option(False, "--yes", help="Replace the database without asking"),
) -> None:
    """Verify a backup end to end, then replace the configured database with it; a
    corrupt or partial archive is refused and the database left as it was."""
    from backend.backups import service
    from backend.backups.errors import BackupNotFound, BackupRefused

    settings = get_settings()
    if not yes:
        typer.confirm(f"Replace every collection of {settings.mongo.database}?", abort=True)
    done = _backup_job(
        lambda client: service.restore_backup(client=client, settings=settings, path=path),
        unchanged="; the database was not changed",
        when=(BackupRefused, BackupNotFound),
    )
    typer.echo(done.model_dump_json(indent=2))


@app.command("mirror-verify")
def verify_mirror(
    uid: str | None = typer.Option(None, help="One officer (default: every officer)"),
    repair: bool = typer.Option(False, help="Write what is missing or stale, delete extras"),
) -> None:
    """Compare officers' Firestore documents with MongoDB; exit 1 when drift remains."""
    import json

    from backend.resources import Resources
    from backend.syncing import mirror

    async def work() -> list[dict]:
        resources = await Resources.open(get_settings())
        try:
            if uid is not None:
                drift = await mirror.verify(resources.firestore, uid, repair=repair)
                drifts = [] if drift.clean else [drift]
            else:
                drifts = await mirror.verify_all(resources.firestore, repair=repair)
            return [d.report() for d in drifts]
        finally:
            await resources.close()

    with contextlib.redirect_stdout(sys.stderr):
        found = asyncio.run(work())
    typer.echo(json.dumps({"drift": found, "repaired": repair}, indent=2))
    if found and not repair:
        raise typer.Exit(1)


@app.command()
def contract(check: bool = typer.Option(False, help="Fail if mobile_contract/ is stale")) -> None:
    """Regenerate mobile_contract/ (OpenAPI, error catalogue) from the code."""
    from backend import contract as mobile_contract

    if check:
        stale = mobile_contract.stale_files()
        if stale:
            typer.echo(f"stale: {', '.join(stale)}; run 'debtx contract'", err=True)
            raise typer.Exit(1)
        typer.echo("mobile_contract/ is up to date")
        return
    changed = mobile_contract.write()
    typer.echo(f"updated: {', '.join(changed)}" if changed else "nothing changed")


if __name__ == "__main__":
    app()
