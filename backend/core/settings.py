"""One validated settings object, read from DEBTX_* environment variables."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SecretStr,
    StringConstraints,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

GOOGLE_SECURETOKEN_CERTS = (
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com"
)
GOOGLE_FCM = "https://fcm.googleapis.com"
GOOGLE_OAUTH_TOKEN = "https://oauth2.googleapis.com/token"
PLACEHOLDER_PREFIX = "dev-insecure-"


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class MongoSettings(BaseModel):
    uri: SecretStr = SecretStr("mongodb://127.0.0.1:27017/?retryWrites=false&directConnection=true")
    database: str = "debtx"
    server_selection_timeout_ms: int = Field(default=5000, ge=100)
    max_pool_size: int = Field(default=100, ge=1)


class RedisSettings(BaseModel):
    url: SecretStr = SecretStr("redis://127.0.0.1:6379/0")


class FirebaseSettings(BaseModel):
    project_id: str = Field(default="debtx-dev", pattern=r"^[a-z][a-z0-9-]{4,61}[a-z0-9]$")
    cert_url: str = GOOGLE_SECURETOKEN_CERTS
    credentials_file: Path | None = None
    firestore_emulator_host: str | None = None
    clock_skew_seconds: int = Field(default=5, ge=0, le=60)
    cert_cache_fallback_seconds: int = Field(default=300, ge=0)


class AuthSettings(BaseModel):
    dev_login: bool = False
    dev_key_dir: Path = Path(".debtx/keys")
    dev_token_ttl_seconds: int = Field(default=3600, ge=60, le=3600)


class HttpSettings(BaseModel):
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=256 * 1_048_576, ge=1024)
    cors_origins: list[str] = []


class ConsoleSettings(BaseModel):
    """The web console: its session cookie, live refresh, and the Firebase JS SDK's config."""

    session_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "console-session-secret")
    session_ttl_seconds: int = Field(default=8 * 3600, ge=300, le=7 * 24 * 3600)
    refresh_seconds: float = Field(default=15, ge=0.5, le=600)  # lists poll this often
    # the dashboard's figures are a dozen aggregations each time, so they poll less often
    dashboard_refresh_seconds: float = Field(default=60, ge=0.5, le=3600)
    firebase_api_key: str = ""  # the web app's public API key; empty: no production sign-in
    firebase_auth_domain: str | None = None  # unset: <project id>.firebaseapp.com


class AllocationSettings(BaseModel):
    batch_size: int = Field(default=500, ge=1, le=10_000)
    exclude_previous_drc: bool = True
    reallocate_on_recall: bool = True


class IntakeSettings(BaseModel):
    datalake_dir: Path | None = None
    chunk_rows: int = Field(default=500, ge=1, le=5000)
    max_problems: int = Field(default=1000, ge=0, le=100_000)
    currencies: list[Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]] = Field(
        default=["LKR"], min_length=1
    )


class DunningSettings(BaseModel):
    """The daily evaluation of overdue accounts: ids per task (each task reads its own)."""

    chunk_size: int = Field(default=500, ge=1, le=10_000)
    # what one message costs, for the champion/challenger report (minor units)
    sms_cost_minor: int = Field(default=0, ge=0)
    email_cost_minor: int = Field(default=0, ge=0)
    cost_currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "LKR"


class ReceiptSettings(BaseModel):
    """Money the providers report: how receipts are matched and when one is flagged."""

    # an instalment or promise of exactly the amount, due this many days either side
    match_window_days: int = Field(default=7, ge=0, le=90)
    # more than `velocity_limit` receipts from one phone within `velocity_minutes` is flagged
    velocity_limit: int = Field(default=5, ge=1, le=1000)
    velocity_minutes: int = Field(default=60, ge=1, le=7 * 24 * 60)
    # above `outlier_factor` x the largest of the account's last `outlier_history` payments,
    # once it has at least `outlier_min_history` of them, is flagged
    outlier_factor: int = Field(default=5, ge=2, le=1000)
    outlier_history: int = Field(default=10, ge=1, le=100)
    outlier_min_history: int = Field(default=3, ge=1, le=100)
    # a receipt still unmatched this long after it arrived (its booking was interrupted)
    # is matched again by the `receipts.resume_stalled` sweep
    stalled_seconds: int = Field(default=120, ge=10, le=86_400)
    # bookings one process runs at once; a burst beyond it waits its turn (bench/callbacks.py:
    # 1,000 at once took 505 s unbounded, about 20 s bounded to 4 to 16)
    concurrent_bookings: int = Field(default=8, ge=1, le=1000)


HourMinute = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class NotificationSettings(BaseModel):
    """Push (FCM HTTP v1), the SMS gateway, SMTP, retries and the customer contact policy."""

    fcm_base_url: str = GOOGLE_FCM
    fcm_token_url: str = GOOGLE_OAUTH_TOKEN
    fcm_credentials_file: Path | None = None  # unset: DEBTX_FIREBASE__CREDENTIALS_FILE
    fcm_concurrency: int = Field(default=50, ge=1, le=1000)
    sms_gateway_url: str | None = None
    sms_api_key: SecretStr = SecretStr("")
    sms_sender_id: str = Field(default="DebtX", min_length=1, max_length=11)
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_from: str = "DebtX <no-reply@debtx.dev>"
    smtp_username: str | None = None
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = False
    payment_link_base: str = "https://pay.debtx.dev/"
    retry_backoff_seconds: int = Field(default=30, ge=1, le=3600)
    retry_backoff_max_seconds: int = Field(default=3600, ge=1)
    max_attempts: int = Field(default=6, ge=1, le=20)
    quiet_hours_start: HourMinute = "20:00"
    quiet_hours_end: HourMinute = "08:00"
    sms_cap: int = Field(default=2, ge=0, le=100)
    email_cap: int = Field(default=3, ge=0, le=100)
    cap_window_hours: int = Field(default=168, ge=1, le=24 * 90)
    validity_warning_days: int = Field(default=7, ge=1, le=60)


class ResponseSettings(BaseModel):
    """Replies from customers: the SMS gateway's inbound webhook and the mailbox read over IMAP."""

    # HMAC-SHA256 of the raw body, sent by the gateway as `X-DebtX-Signature: sha256=<hex>`
    sms_webhook_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "sms-webhook-secret")
    imap_host: str | None = None  # unset: no mailbox is read
    imap_port: int = Field(default=993, ge=1, le=65535)
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_folder: str = "INBOX"
    imap_done_folder: str | None = None  # set: messages read are moved there (it must exist)
    imap_tls: bool = True
    imap_batch: int = Field(default=100, ge=1, le=1000)  # messages taken per run
    promise_follow_up_days: int = Field(default=1, ge=0, le=30)  # after the promised day


class SyncSettings(BaseModel):
    # Pushes from an older app or mutation schema get 426 and a problem document.
    min_app_version: str = Field(default="1.0.0", pattern=r"^\d{1,4}(\.\d{1,4}){0,2}$")
    min_schema_version: int = Field(default=1, ge=1)
    retention_days: float = Field(default=30, gt=0)  # change log history kept for pulls
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    outbox_batch: int = Field(default=200, ge=1, le=500)
    mirror_page: int = Field(default=500, ge=1, le=5000)  # changes the mirror takes at once
    mirror_window_seconds: float = Field(default=60, gt=0)  # one mirror task's run
    mirror_idle_seconds: float = Field(default=0.1, gt=0, le=10)  # pause when caught up
    # least time between two builds of one officer's or DRC's summary document: each build
    # reads the officers' counts, promises due and hearings set (case documents are never
    # held back)
    mirror_summary_seconds: float = Field(default=5.0, ge=0, le=60)


class OssSettings(BaseModel):
    """OSS, the operator's service provisioning: where suspension and reinstatement
    requests go, the secrets that sign them and OSS's callbacks, and the retry limits."""

    base_url: str = "http://127.0.0.1:8190"
    signing_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "oss-signing-secret")
    callback_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "oss-callback-secret")
    callback_window_seconds: int = Field(default=300, ge=10, le=3600)  # replay window
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)
    retry_backoff_seconds: float = Field(default=30, gt=0, le=3600)
    retry_backoff_max_seconds: float = Field(default=3600, gt=0)
    max_attempts: int = Field(default=8, ge=1, le=30)
    sweep_seconds: float = Field(default=30, gt=0)  # the beat sweep of due events and cures


def _rate(text: str) -> str:
    """A rate as `limits` reads it ("10/minute", "3 per 2 seconds"); ValueError if not."""
    from limits import parse

    parse(text)
    return text


Rate = Annotated[str, AfterValidator(_rate)]


class AbuseLimit(BaseModel):
    """How often one account, and one IP address, may call a group of routes (None: no
    limit on that key)."""

    per_user: Rate | None = None
    per_ip: Rate | None = None


class RateLimitSettings(BaseModel):
    """Abuse limits, counted in Redis over a moving window; a call past one is a 429."""

    enabled: bool = True
    sign_in: AbuseLimit = AbuseLimit(per_user="10/minute", per_ip="30/minute")
    sync_push: AbuseLimit = AbuseLimit(per_user="120/minute", per_ip="600/minute")
    uploads: AbuseLimit = AbuseLimit(per_user="30/hour", per_ip="60/hour")
    callbacks: AbuseLimit = AbuseLimit(per_ip="600/minute")


KeyId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,32}$")]


class PiiSettings(BaseModel):
    """Sealing of customers' personal data: the key ring (id -> secret; every key stays
    readable), the key new writes use, and the separate key of the search hashes."""

    keys: dict[KeyId, SecretStr] = {"dev": SecretStr(PLACEHOLDER_PREFIX + "pii-sealing-key")}
    current_key_id: KeyId = "dev"
    index_key: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "pii-index-key")

    @model_validator(mode="after")
    def _current_key_known(self) -> PiiSettings:
        if self.current_key_id not in self.keys:
            raise ValueError(f"DEBTX_PII__CURRENT_KEY_ID {self.current_key_id!r} is not in KEYS")
        return self

    def production_problems(self) -> list[str]:
        """What production refuses: placeholder or short keys, one key used for both."""
        problems = []
        secrets = [k.get_secret_value() for k in self.keys.values()]
        index_key = self.index_key.get_secret_value()
        if any(_weak(s) for s in secrets):
            problems.append("DEBTX_PII__KEYS must hold real secrets of 32+ characters")
        if _weak(index_key):
            problems.append("DEBTX_PII__INDEX_KEY must be a real secret of 32+ characters")
        if index_key in secrets:
            problems.append("DEBTX_PII__INDEX_KEY must differ from every sealing key")
        return problems


def _weak(secret: str) -> bool:
    return secret.startswith(PLACEHOLDER_PREFIX) or len(secret) < 32


class CardSettings(BaseModel):
    """The card payment provider: its API (charge lookups) and its signed webhooks."""

    base_url: str = "http://127.0.0.1:8193"
    api_key: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "card-api-key")
    webhook_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "card-webhook-secret")
    # a webhook signed further than this from our clock is refused (replays of old ones)
    tolerance_seconds: int = Field(default=300, ge=10, le=3600)
    timeout_seconds: float = Field(default=10.0, gt=0, le=120)


class BankSettings(BaseModel):
    """The bank: where its statement files are fetched (HTTP Basic with the client's
    credentials), the secret its payment-notification webhook is signed with, and the
    currency and reconciliation windows."""

    base_url: str = "http://127.0.0.1:8191"
    client_id: str = "debtx"
    client_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "bank-client-secret")
    webhook_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "bank-webhook-secret")
    webhook_window_seconds: int = Field(default=300, ge=10, le=3600)  # replay window
    timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    fetch_seconds: float = Field(default=900, gt=0)  # how often beat fetches statements
    fetch_days: int = Field(default=2, ge=1, le=31)  # today and the days before it
    max_statement_bytes: int = Field(default=20_000_000, ge=1_000, le=200_000_000)
    # a callback and its statement line this many days apart are listed as a timing
    # difference, not as two missing records
    timing_window_days: int = Field(default=3, ge=0, le=31)


class BillingSettings(BaseModel):
    """Billing from BSS: the secret BSS signs its pushes with, their replay window, the
    folder feed files are dropped in, and how many row outcomes a feed's report keeps."""

    # HMAC-SHA256 over `timestamp.body`, sent as X-BSS-Timestamp and X-BSS-Signature
    webhook_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "bss-webhook-secret")
    webhook_window_seconds: int = Field(default=300, ge=10, le=3600)
    webhook_max_records: int = Field(default=500, ge=1, le=5000)
    feed_dir: Path | None = None  # unset: feeds come by the CLI or the operator API only
    max_outcomes: int = Field(default=1000, ge=0, le=100_000)


class RetentionSettings(BaseModel):
    """How long each kind of record is kept as it is (the daily `retention.run`)."""

    # closed cases older than this move, with their records, to `cases_archive`
    archive_closed_after_months: int = Field(default=24, ge=1, le=600)
    # a customer with no open case for this long has their name, national id, address
    # and contact values replaced by placeholders
    minimise_customers_after_years: int = Field(default=7, ge=1, le=100)
    # sent, blocked, skipped and failed deliveries older than this are deleted; longer
    # than the contact policy's cap window, whose counts read them
    delivery_log_days: int = Field(default=180, ge=30, le=36500)
    batch_size: int = Field(default=200, ge=1, le=5000)  # cases or customers per pass
    sample_size: int = Field(default=20, ge=0, le=200)  # ids a run record keeps per part


class BackupSettings(BaseModel):
    """Where `debtx backup` and the daily `backups.create` write, and how many are kept."""

    directory: Path = Path(".debtx/backups")
    keep: int = Field(default=7, ge=1, le=365)  # the newest K archives; older ones deleted
    # auto: mongodump/mongorestore when both are on PATH, else the streamed export
    method: Literal["auto", "mongodump", "export"] = "auto"
    hour_utc: int = Field(default=1, ge=0, le=23)  # when the daily backup runs


class MpesaSettings(BaseModel):
    """M-PESA through Safaricom's Daraja API: where it is, the app's credentials, the
    paybill or till DebtX collects on, where Daraja sends its callbacks, and the sweep."""

    base_url: str = "http://127.0.0.1:8194"
    consumer_key: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "mpesa-consumer-key")
    consumer_secret: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "mpesa-consumer-secret")
    shortcode: str = Field(default="174379", pattern=r"^[0-9]{5,7}$")
    passkey: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "mpesa-passkey")
    currency: str = Field(default="KES", pattern=r"^[A-Z]{3}$")
    # Where Daraja reaches DebtX, and the token every callback URL carries (Daraja does
    # not sign its callbacks, so the URL itself is the secret).
    callback_base_url: str = "http://127.0.0.1:8000"
    callback_token: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "mpesa-callback-token")
    # C2B validation: "known_account" accepts only a BillRefNumber that is an account.
    validation: Literal["known_account", "accept_all"] = "known_account"
    timeout_seconds: float = Field(default=15.0, gt=0, le=120)
    query_after_minutes: float = Field(default=3.0, gt=0)  # a silent STK push is queried
    give_up_after_minutes: float = Field(default=1440.0, gt=0)  # still unknown: timed out
    sweep_seconds: float = Field(default=60.0, gt=0)

    def production_problems(self) -> list[str]:
        """The placeholder credentials production refuses (a short callback token too)."""
        problems = []
        for name in ("consumer_key", "consumer_secret", "passkey", "callback_token"):
            secret = getattr(self, name).get_secret_value()
            short = name == "callback_token" and len(secret) < 32
            if secret.startswith(PLACEHOLDER_PREFIX) or short:
                problems.append(f"DEBTX_MPESA__{name.upper()} must be a real secret")
        return problems


class Settings(BaseSettings):
    """Every knob DebtX has. Nested groups read as DEBTX_MONGO__URI and so on."""

    model_config = SettingsConfigDict(
        env_prefix="DEBTX_", env_nested_delimiter="__", env_file=".env", extra="ignore"
    )

    env: Environment = Environment.DEVELOPMENT
    log_level: str = Field(default="INFO", pattern=r"^(DEBUG|INFO|WARNING|ERROR)$")
    log_json: bool = True
    public_url: str = "http://127.0.0.1:8000"
    internal_token: SecretStr = SecretStr(PLACEHOLDER_PREFIX + "internal-token")
    mongo: MongoSettings = MongoSettings()
    redis: RedisSettings = RedisSettings()
    firebase: FirebaseSettings = FirebaseSettings()
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    console: ConsoleSettings = ConsoleSettings()
    intake: IntakeSettings = IntakeSettings()
    allocation: AllocationSettings = AllocationSettings()
    sync: SyncSettings = SyncSettings()
    notifications: NotificationSettings = NotificationSettings()
    responses: ResponseSettings = ResponseSettings()
    oss: OssSettings = OssSettings()
    dunning: DunningSettings = DunningSettings()
    pii: PiiSettings = PiiSettings()
    rate_limits: RateLimitSettings = RateLimitSettings()
    receipts: ReceiptSettings = ReceiptSettings()
    cards: CardSettings = CardSettings()
    bank: BankSettings = BankSettings()
    billing: BillingSettings = BillingSettings()
    retention: RetentionSettings = RetentionSettings()
    backups: BackupSettings = BackupSettings()
    mpesa: MpesaSettings = MpesaSettings()

    @property
    def is_production(self) -> bool:
        return self.env is Environment.PRODUCTION

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if not self.is_production:
            return self
        problems = []
        if self.auth.dev_login:
            problems.append("DEBTX_AUTH__DEV_LOGIN must be false in production")
        if self.internal_token.get_secret_value().startswith(PLACEHOLDER_PREFIX):
            problems.append("DEBTX_INTERNAL_TOKEN is a placeholder; set a real secret")
        if len(self.internal_token.get_secret_value()) < 32:
            problems.append("DEBTX_INTERNAL_TOKEN must be at least 32 characters")
        if self.firebase.cert_url != GOOGLE_SECURETOKEN_CERTS:
            problems.append("DEBTX_FIREBASE__CERT_URL must be Google's in production")
        if self.notifications.fcm_base_url != GOOGLE_FCM:
            problems.append("DEBTX_NOTIFICATIONS__FCM_BASE_URL must be Google's in production")
        if self.notifications.fcm_token_url != GOOGLE_OAUTH_TOKEN:
            problems.append("DEBTX_NOTIFICATIONS__FCM_TOKEN_URL must be Google's in production")
        problems.extend(self._weak_secrets())
        problems += self.pii.production_problems()
        problems += self.mpesa.production_problems()
        if self.firebase.firestore_emulator_host:
            problems.append("DEBTX_FIREBASE__FIRESTORE_EMULATOR_HOST must be unset in production")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _weak_secrets(self) -> list[str]:
        """Secrets production refuses: a development placeholder, or under 32 characters."""
        return [
            f"{name} must be a real secret of 32+ characters"
            for name, secret in self._secrets().items()
            if secret.get_secret_value().startswith(PLACEHOLDER_PREFIX)
            or len(secret.get_secret_value()) < 32
        ]

    def _secrets(self) -> dict[str, SecretStr]:
        """Every secret a production deployment must set, by its environment variable."""
        return {
            "DEBTX_CONSOLE__SESSION_SECRET": self.console.session_secret,
            "DEBTX_RESPONSES__SMS_WEBHOOK_SECRET": self.responses.sms_webhook_secret,
            "DEBTX_OSS__SIGNING_SECRET": self.oss.signing_secret,
            "DEBTX_OSS__CALLBACK_SECRET": self.oss.callback_secret,
            "DEBTX_BILLING__WEBHOOK_SECRET": self.billing.webhook_secret,
            "DEBTX_BANK__CLIENT_SECRET": self.bank.client_secret,
            "DEBTX_BANK__WEBHOOK_SECRET": self.bank.webhook_secret,
            "DEBTX_CARDS__API_KEY": self.cards.api_key,
            "DEBTX_CARDS__WEBHOOK_SECRET": self.cards.webhook_secret,
        }


@lru_cache
def get_settings() -> Settings:
    return Settings()
