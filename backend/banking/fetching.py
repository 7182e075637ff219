"""The scheduled fetch of statement files from the bank's statement endpoint.

`GET {base_url}/statements?date=YYYY-MM-DD` lists the day's files (`{"statements":
[{"id", "filename"}...]}`) and `GET {base_url}/statements/{id}` returns one, both with
HTTP Basic authentication by the client id and secret. Files fetched before are not
downloaded again (unless their import was interrupted); what is downloaded is imported
once by its content, so a file the bank lists under a new id is still imported once.
"""

from __future__ import annotations

from datetime import date, timedelta

import httpx

from backend.banking import repository, service
from backend.banking.errors import StatementFetchFailed, StatementMalformed, StatementTooLarge
from backend.banking.models import StatementOrigin
from backend.banking.schemas import FetchReport
from backend.core import clock
from backend.core.logging import get_logger
from backend.core.settings import BankSettings

log = get_logger("debtx.banking")


def _auth(settings: BankSettings) -> httpx.BasicAuth:
    return httpx.BasicAuth(settings.client_id, settings.client_secret.get_secret_value())


async def _get(http: httpx.AsyncClient, settings: BankSettings, path: str, **params: str):
    url = settings.base_url.rstrip("/") + path
    try:
        answer = await http.get(
            url, params=params, auth=_auth(settings), timeout=settings.timeout_seconds
        )
    except httpx.HTTPError as exc:
        raise StatementFetchFailed(f"the bank did not answer: {type(exc).__name__}") from exc
    if answer.status_code != 200:
        raise StatementFetchFailed(f"the bank answered {answer.status_code} for {path}")
    return answer


async def listed(http: httpx.AsyncClient, settings: BankSettings, day: date) -> list[dict]:
    """The bank's files for one day, as it lists them."""
    answer = await _get(http, settings, "/statements", date=day.isoformat())
    try:
        files = answer.json()["statements"]
        return [{"id": str(f["id"]), "filename": str(f["filename"])} for f in files]
    except (ValueError, KeyError, TypeError) as exc:
        raise StatementFetchFailed("the bank's statement list is not readable") from exc


async def fetch_statements(
    *, http: httpx.AsyncClient, settings: BankSettings, today: date | None = None
) -> FetchReport:
    """Import every file the bank lists for today and the days before it that is new."""
    today = today or clock.now().date()
    files = []
    for back in range(settings.fetch_days):
        files += await listed(http, settings, today - timedelta(days=back))
    before = await repository.fetched([f["id"] for f in files])
    done = {s.remote_id for s in before if not service.interrupted(s)}
    imported: list[str] = []
    refused: list[str] = []
    for found in files:
        if found["id"] in done:
            continue
        answer = await _get(http, settings, f"/statements/{found['id']}")
        done.add(found["id"])
        try:
            statement = await service.import_statement(
                content=answer.content,
                filename=found["filename"],
                origin=StatementOrigin.FETCHED,
                settings=settings,
                remote_id=found["id"],
            )
        except (StatementMalformed, StatementTooLarge) as exc:
            # the bank's file is wrong, not our fetch: the rest go on, the operator is told
            log.error("bank.fetch.refused", remote_id=found["id"], problem=exc.detail)
            refused.append(found["id"])
            continue
        if not statement.already_imported:
            imported.append(statement.id)
    log.info("bank.fetch.done", listed=len(files), imported=len(imported), refused=len(refused))
    known = len(files) - len(imported) - len(refused)
    return FetchReport(listed=len(files), imported=imported, refused=refused, known=known)
