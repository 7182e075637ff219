"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CollectorRegistry
from prometheus_fastapi_instrumentator import Instrumentator

from backend import __version__
from backend.allocation.router import router as allocation_router
from backend.audit.router import router as audit_router
from backend.auth.router import router as dev_auth_router
from backend.banking.router import router as banking_router
from backend.billing.router import router as billing_router
from backend.cards.router import router as cards_router
from backend.cases.router import router as cases_router
from backend.commission.router import router as commission_router
from backend.console import install as install_console
from backend.core.errors import PROBLEM_JSON, problem_responses
from backend.core.http import EdgeMiddleware, install_error_handlers, reject_unknown_query
from backend.core.logging import configure_logging, get_logger
from backend.core.ratelimit import Limiter
from backend.core.settings import Settings, get_settings
from backend.cpe.router import router as cpe_router
from backend.customers.router import router as customers_router
from backend.disputes.router import router as disputes_router
from backend.drcs.router import router as drcs_router
from backend.dunning.router import router as dunning_router
from backend.firebase.devkeys import SigningKey
from backend.firebase.tokens import CertificateStore, TokenVerifier
from backend.intake.router import router as intake_router
from backend.mediation.router import router as mediation_router
from backend.mpesa.router import router as mpesa_router
from backend.negotiations.router import router as negotiations_router
from backend.notifications.router import router as notifications_router
from backend.ops.router import router as ops_router
from backend.oss.router import router as oss_router
from backend.payments.router import router as payments_router
from backend.performance.router import router as performance_router
from backend.receipts.router import router as receipts_router
from backend.reconciliation.router import router as reconciliation_router
from backend.reports.router import router as reports_router
from backend.requests.router import router as requests_router
from backend.resources import Resources
from backend.responses.router import router as responses_router
from backend.retention.router import router as retention_router
from backend.segments.router import router as segments_router
from backend.settlements.router import router as settlements_router
from backend.syncing.metrics import MirrorCollector
from backend.syncing.router import router as sync_router
from backend.users.router import router as users_router
from backend.worker.dispatch import bind_broker
from backend.worklist.router import router as worklist_router

log = get_logger("debtx.app")

DOMAIN_ROUTERS = (
    users_router,
    drcs_router,
    audit_router,
    cases_router,
    customers_router,
    intake_router,
    allocation_router,
    negotiations_router,
    settlements_router,
    payments_router,
    receipts_router,
    cpe_router,
    mediation_router,
    requests_router,
    commission_router,
    performance_router,
    notifications_router,
    responses_router,
    worklist_router,
    oss_router,
    billing_router,
    segments_router,
    dunning_router,
    disputes_router,
    cards_router,
    reports_router,
    retention_router,
    banking_router,
    reconciliation_router,
    mpesa_router,
    sync_router,
)


def _lifespan(settings: Settings):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = await Resources.open(settings)
        bind_broker(settings)
        app.state.resources = resources
        app.state.rate_limiter = Limiter(
            settings.rate_limits, settings.redis.url.get_secret_value()
        )
        app.state.verifier = TokenVerifier(
            CertificateStore(
                resources.http,
                settings.firebase.cert_url,
                fallback_ttl=settings.firebase.cert_cache_fallback_seconds,
            ),
            project_id=settings.firebase.project_id,
            skew_seconds=settings.firebase.clock_skew_seconds,
        )
        log.info("app.started", env=settings.env.value, database=settings.mongo.database)
        try:
            yield
        finally:
            await resources.close()
            log.info("app.stopped")

    return lifespan


def _problem_media_type(app: FastAPI) -> None:
    """Error responses are documented as application/problem+json, which is what they are."""
    generate = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for operation in (op for item in schema["paths"].values() for op in item.values()):
            for status, response in operation.get("responses", {}).items():
                body = response.get("content", {}).pop("application/json", None)
                if body is None or status[0] not in "45":
                    if body is not None:
                        response["content"]["application/json"] = body
                    continue
                response["content"] = {
                    PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}
                }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _instrument(app: FastAPI, settings: Settings) -> None:
    """`/metrics`: latency histograms per route, and the mirror's figures."""
    registry = CollectorRegistry()
    registry.register(MirrorCollector(settings.mongo))
    Instrumentator(
        registry=registry,
        excluded_handlers=["/metrics"],
        should_group_status_codes=False,
    ).instrument(
        app, latency_lowr_buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5)
    ).expose(app, endpoint="/metrics", include_in_schema=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    app = FastAPI(
        title="DebtX",
        version=__version__,
        summary="Telecom debt recovery: cases, field officers' offline sync, collections.",
        lifespan=_lifespan(settings),
    )
    app.state.settings = settings
    _problem_media_type(app)
    install_error_handlers(app)
    app.include_router(ops_router, dependencies=[Depends(reject_unknown_query)])
    for router in DOMAIN_ROUTERS:
        app.include_router(
            router,
            dependencies=[Depends(reject_unknown_query)],
            responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422),
        )
    if settings.auth.dev_login:
        app.state.dev_signing_key = SigningKey.load_or_create(settings.auth.dev_key_dir)
        app.include_router(dev_auth_router)
    install_console(app, settings)
    _instrument(app, settings)
    if settings.http.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.http.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
        )
    app.add_middleware(
        EdgeMiddleware,
        max_body=settings.http.max_body_bytes,
        max_upload=settings.http.max_upload_bytes,
    )
    return app
