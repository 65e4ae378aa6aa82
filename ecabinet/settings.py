"""Every setting eCabinet reads, in one place.

Values come from the process environment, then from a `.env` file in the working directory, then
from the defaults below. No other module reads `os.environ`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# name → (default, one-line description). The README's configuration table lists every name here;
# tests/test_settings.py checks that it does.
SETTINGS: dict[str, tuple[str, str]] = {
    "ECABINET_HOST": ("127.0.0.1", "Address the server listens on."),
    "ECABINET_PORT": ("8000", "Port the server listens on."),
    "ECABINET_DATA_DIR": ("./data", "Directory for the SQLite database, documents and the generated secret key."),
    "DATABASE_URL": ("", "SQLAlchemy URL; empty means SQLite in the data dir. PostgreSQL: postgresql+psycopg://…"),
    "ECABINET_BROKER_URL": ("memory://", "Pub/sub broker: memory:// (one process) or redis://host:port/db."),
    "ECABINET_BROKER_PREFIX": (
        "ecabinet:",
        "Prefix of the broker's topics, so deployments can share one Redis.",
    ),
    "ECABINET_EVENT_RETENTION_EVENTS": ("1000", "Events kept per channel for clients that resume; older ones reload."),
    "ECABINET_EVENT_POLL_MS": (
        "1000",
        "How often each worker checks the event log for missed doorbells (ms).",
    ),
    "ECABINET_WS_SEND_BUFFER_MAX_BYTES": (
        "2097152",
        "Bytes waiting to reach one websocket before a client that does not read is closed (4008).",
    ),
    "ECABINET_WS_MAX_MESSAGE_BYTES": (
        "65536",
        "Largest websocket message from a client (bytes); larger closes 1009.",
    ),
    "ECABINET_WS_RATE_PER_SEC": ("20", "Websocket messages a client may send per second on average."),
    "ECABINET_WS_RATE_BURST": ("60", "Websocket messages a client may send in a burst; twice over closes 1008."),
    "ECABINET_WS_IDLE_TIMEOUT_SECS": (
        "60",
        "A websocket silent this long is closed; clients ping every 20 s.",
    ),
    "ECABINET_UPLOAD_MAX_BYTES": ("209715200", "Largest upload request (bytes, all its files); larger answers 413."),
    "ECABINET_PDF_WORKERS": ("2", "PDF worker processes per server process (PDFs are never parsed in the server)."),
    "ECABINET_PDF_WORKER_MEMORY_BYTES": (
        "805306368",
        "Memory a PDF worker may use beyond its own code (bytes); a file needing more is rejected.",
    ),
    "ECABINET_PDF_JOB_TIMEOUT_SECS": ("60", "Longest one PDF job may run before its worker is killed (seconds)."),
    "ECABINET_PDF_MAX_PAGES": ("2000", "Most pages an uploaded PDF may have."),
    "ECABINET_PDF_MAX_PAGE_POINTS": ("14400", "Longest side a PDF page may have (points; 14400 is PDF's own limit)."),
    "ECABINET_PAGE_IMAGE_MAX_PX": ("2400", "Longest side of a rendered page image (pixels), whatever the page size."),
    "ECABINET_SPEAKER_LIMIT_SECS": (
        "180",
        "Speaking time a speaker is given by default when granted the floor (seconds).",
    ),
    "ECABINET_BRIDGE_VIDEO_CODEC": (
        "vp8",
        "The online briefing's video codec, vp8 or h264: the only one offered on every leg, as packets are forwarded.",
    ),
    "ECABINET_BRIDGE_HALL_VIDEOS": (
        "16",
        "How many remote sites' video city hall receives at once in a briefing; the others wait their turn unsent.",
    ),
    "ECABINET_TIMEZONE": (
        "Asia/Ho_Chi_Minh",
        "The city's time zone: dates on issued documents and when tasks fall due.",
    ),
    "ECABINET_TASK_REMINDER_DAYS": ("3", "Days before a task's due date that its unit is reminded."),
    "ECABINET_ISSUER_NAME": (
        "Ủy ban nhân dân thành phố Hà Nội",
        "The body that issues the minutes and invitations (their letterhead and signature).",
    ),
    "ECABINET_PLACE_NAME": ("Hà Nội", 'The place named on issued documents ("Hà Nội, ngày …").'),
    "ECABINET_SIGNING_P12": (
        "",
        "PKCS#12 file of the organisation's signing certificate; empty: none (demo mode makes a demo one).",
    ),
    "ECABINET_SIGNING_P12_PASSWORD": ("", "Passphrase of ECABINET_SIGNING_P12."),
    "ECABINET_TRUST_CA_BUNDLE": (
        "",
        "PEM file of the certificate authorities trusted when checking signatures on papers (offline).",
    ),
    "ECABINET_DEMO_PASSWORD": ("demo", "Password of the sample meeting's accounts (demo mode only)."),
    "ECABINET_PUBLIC_URL": ("", "The URL users reach the app at; sets the allowed Origin and Secure cookies (https)."),
    "ECABINET_ALLOWED_ORIGINS": ("", "Extra allowed browser origins, comma-separated."),
    "ECABINET_SECRET_KEY": ("", "Key that signs session cookies; empty means one generated once into the data dir."),
    "ECABINET_SESSION_MAX_AGE_SECS": ("43200", "How long a sign-in lasts (seconds)."),
    "ECABINET_JSON_BODY_MAX_BYTES": ("1048576", "Largest JSON request body (bytes); larger answers 413."),
    "ECABINET_IMPORT_MAX_BYTES": ("5242880", "Largest CSV import file (bytes)."),
    "ECABINET_LOGIN_MAX_FAILURES": ("10", "Failed sign-ins allowed per account and address within the window."),
    "ECABINET_LOGIN_ADDRESS_MAX_FAILURES": ("100", "Failed sign-ins allowed per address (all accounts) in the window."),
    "ECABINET_LOGIN_WINDOW_SECS": ("300", "Window of the sign-in rate limit (seconds)."),
    "ECABINET_DEFAULT_LANGUAGE": ("vi", "Language of the UI for users who have not chosen one: vi or en."),
    "ECABINET_LOG_LEVEL": ("info", "Log level: debug, info, warning, error."),
}


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    """The application's configuration, immutable once read."""

    host: str
    port: int
    data_dir: Path
    database_url: str
    broker_url: str
    broker_prefix: str
    event_retention_events: int
    event_poll_ms: int
    ws_send_buffer_max_bytes: int
    ws_max_message_bytes: int
    ws_rate_per_sec: int
    ws_rate_burst: int
    ws_idle_timeout_secs: int
    upload_max_bytes: int
    pdf_workers: int
    pdf_worker_memory_bytes: int
    pdf_job_timeout_secs: int
    pdf_max_pages: int
    pdf_max_page_points: int
    page_image_max_px: int
    speaker_limit_secs: int
    bridge_video_codec: str
    bridge_hall_videos: int
    timezone: str
    task_reminder_days: int
    issuer_name: str
    place_name: str
    signing_p12: str
    signing_p12_password: str
    trust_ca_bundle: str
    demo_password: str
    public_url: str
    allowed_origins: tuple[str, ...]
    secret_key: str
    session_max_age_secs: int
    json_body_max_bytes: int
    import_max_bytes: int
    login_max_failures: int
    login_address_max_failures: int
    login_window_secs: int
    default_language: str
    log_level: str

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env")) -> Settings:
        """Read settings from `environ` (default: the process environment), then `.env`, then defaults."""
        env = dict(os.environ) if environ is None else dict(environ)
        file_values = _read_dotenv(dotenv) if dotenv is not None else {}

        def get(name: str) -> str:
            if name in env:
                return env[name]
            if name in file_values:
                return file_values[name]
            return SETTINGS[name][0]

        data_dir = Path(get("ECABINET_DATA_DIR")).expanduser().resolve()
        database_url = get("DATABASE_URL") or f"sqlite:///{data_dir / 'ecabinet.db'}"
        if database_url.startswith("postgresql://") or database_url.startswith("postgres://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would make SQLAlchemy look for psycopg2.
            database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
        language = get("ECABINET_DEFAULT_LANGUAGE")
        if language not in ("vi", "en"):
            raise ValueError(f"ECABINET_DEFAULT_LANGUAGE must be vi or en, not {language!r}")
        public_url = get("ECABINET_PUBLIC_URL").rstrip("/")
        if public_url and urlsplit(public_url).scheme not in ("http", "https"):
            raise ValueError(f"ECABINET_PUBLIC_URL must start with http:// or https://, not {public_url!r}")
        return cls(
            host=get("ECABINET_HOST"),
            port=_int(get, "ECABINET_PORT"),
            data_dir=data_dir,
            database_url=database_url,
            broker_url=get("ECABINET_BROKER_URL"),
            broker_prefix=get("ECABINET_BROKER_PREFIX"),
            event_retention_events=_positive(get, "ECABINET_EVENT_RETENTION_EVENTS"),
            event_poll_ms=_positive(get, "ECABINET_EVENT_POLL_MS"),
            ws_send_buffer_max_bytes=_positive(get, "ECABINET_WS_SEND_BUFFER_MAX_BYTES"),
            ws_max_message_bytes=_positive(get, "ECABINET_WS_MAX_MESSAGE_BYTES"),
            ws_rate_per_sec=_positive(get, "ECABINET_WS_RATE_PER_SEC"),
            ws_rate_burst=_positive(get, "ECABINET_WS_RATE_BURST"),
            ws_idle_timeout_secs=_positive(get, "ECABINET_WS_IDLE_TIMEOUT_SECS"),
            upload_max_bytes=_positive(get, "ECABINET_UPLOAD_MAX_BYTES"),
            pdf_workers=_positive(get, "ECABINET_PDF_WORKERS"),
            pdf_worker_memory_bytes=_positive(get, "ECABINET_PDF_WORKER_MEMORY_BYTES"),
            pdf_job_timeout_secs=_positive(get, "ECABINET_PDF_JOB_TIMEOUT_SECS"),
            pdf_max_pages=_positive(get, "ECABINET_PDF_MAX_PAGES"),
            pdf_max_page_points=_positive(get, "ECABINET_PDF_MAX_PAGE_POINTS"),
            page_image_max_px=_positive(get, "ECABINET_PAGE_IMAGE_MAX_PX"),
            speaker_limit_secs=_positive(get, "ECABINET_SPEAKER_LIMIT_SECS"),
            bridge_video_codec=_codec(get("ECABINET_BRIDGE_VIDEO_CODEC")),
            bridge_hall_videos=_positive(get, "ECABINET_BRIDGE_HALL_VIDEOS"),
            timezone=_zone(get("ECABINET_TIMEZONE")),
            task_reminder_days=_int(get, "ECABINET_TASK_REMINDER_DAYS"),
            issuer_name=get("ECABINET_ISSUER_NAME"),
            place_name=get("ECABINET_PLACE_NAME"),
            signing_p12=get("ECABINET_SIGNING_P12"),
            signing_p12_password=get("ECABINET_SIGNING_P12_PASSWORD"),
            trust_ca_bundle=get("ECABINET_TRUST_CA_BUNDLE"),
            demo_password=get("ECABINET_DEMO_PASSWORD"),
            public_url=public_url,
            allowed_origins=tuple(
                o.strip().rstrip("/") for o in get("ECABINET_ALLOWED_ORIGINS").split(",") if o.strip()
            ),
            secret_key=get("ECABINET_SECRET_KEY"),
            session_max_age_secs=_int(get, "ECABINET_SESSION_MAX_AGE_SECS"),
            json_body_max_bytes=_int(get, "ECABINET_JSON_BODY_MAX_BYTES"),
            import_max_bytes=_int(get, "ECABINET_IMPORT_MAX_BYTES"),
            login_max_failures=_int(get, "ECABINET_LOGIN_MAX_FAILURES"),
            login_address_max_failures=_int(get, "ECABINET_LOGIN_ADDRESS_MAX_FAILURES"),
            login_window_secs=_int(get, "ECABINET_LOGIN_WINDOW_SECS"),
            default_language=language,
            log_level=get("ECABINET_LOG_LEVEL").lower(),
        )

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields changed (tests and the CLI use this)."""
        return replace(self, **changes)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    def resolved_secret_key(self) -> str:
        """The cookie-signing key: the configured one, or one generated once and kept in the data dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(key)
        return key


def _zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"ECABINET_TIMEZONE must be an IANA time zone such as Asia/Ho_Chi_Minh, not {name!r}"
        ) from None
    return name


def _codec(name: str) -> str:
    if name.lower() not in ("vp8", "h264"):
        raise ValueError(f"ECABINET_BRIDGE_VIDEO_CODEC must be vp8 or h264, not {name!r}")
    return name.lower()


def _int(get: Any, name: str) -> int:
    value = get(name)
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def _positive(get: Any, name: str) -> int:
    value = _int(get, name)
    if value < 1:
        raise ValueError(f"{name} must be at least 1, not {value}")
    return value
