"""Configuration classes read from the environment; no logic beyond parsing."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("RELAY_INSTANCE_PATH", BASE_DIR / "instance")).resolve()


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _bool(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'relay.sqlite3'}"
    )
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # PostgreSQL's JIT compiler for the app's connections: "off" (sent at connection start),
    # "on", or "server" (nothing sent: the server's or the role's setting applies, e.g.
    # behind a pooler that refuses start-up options). core.app.set_engine_options says why.
    POSTGRES_JIT = os.environ.get("POSTGRES_JIT", "off")

    # Sessions: an idle timeout and an absolute lifetime, both enforced on the server.
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 60)
    SESSION_ABSOLUTE_HOURS = _int("SESSION_ABSOLUTE_HOURS", 12)
    REMEMBER_DAYS = _int("REMEMBER_DAYS", 14)
    SESSION_COOKIE_NAME = "relay_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_NAME = "relay_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE

    # Login throttling: failures allowed per window, per account and per client address.
    LOGIN_MAX_PER_ACCOUNT = _int("LOGIN_MAX_PER_ACCOUNT", 5)
    LOGIN_MAX_PER_ADDRESS = _int("LOGIN_MAX_PER_ADDRESS", 20)
    LOGIN_WINDOW_SECONDS = _int("LOGIN_WINDOW_SECONDS", 900)
    # Number of reverse proxies in front of the app whose X-Forwarded-For is trusted.
    PROXY_COUNT = _int("PROXY_COUNT", 0)
    # Host names the site answers to (Flask refuses other Host headers with 400). Unset:
    # any host outside production; in production, BASE_URL's host (core.security).
    TRUSTED_HOSTS = _list("TRUSTED_HOSTS") or None

    PASSWORD_RESET_HOURS = _int("PASSWORD_RESET_HOURS", 2)
    # Reset emails per hour, per account asked for and per client address.
    RESET_MAX_PER_ACCOUNT = _int("RESET_MAX_PER_ACCOUNT", 3)
    RESET_MAX_PER_ADDRESS = _int("RESET_MAX_PER_ADDRESS", 20)

    # Mail. MAIL_SERVER unset: the development delivery, each message written to MAIL_DIR
    # and the log. Set: sent over SMTP by core.delivery (the request that queued it, then
    # the `flask outbox deliver --loop` worker, which retries).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND") or ("smtp" if MAIL_SERVER else "file")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Relay <relay@localhost>")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS after connecting (port 587)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)  # TLS from the first byte (port 465)
    MAIL_TIMEOUT_SECONDS = _int("MAIL_TIMEOUT_SECONDS", 30)
    MAIL_DIR = os.environ.get("MAIL_DIR", str(INSTANCE_DIR / "mail"))
    # Retries: the n-th failed attempt waits MAIL_RETRY_SECONDS × 2^(n-1) (at most 6 hours);
    # after MAIL_MAX_ATTEMPTS the message is marked failed, its last error kept.
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 8)
    MAIL_RETRY_SECONDS = _int("MAIL_RETRY_SECONDS", 120)
    # A worker claims this many due messages at a time; a claim lapses after this many
    # seconds (renewed before each message), so a crashed worker's messages come back.
    MAIL_BATCH_SIZE = _int("MAIL_BATCH_SIZE", 20)
    MAIL_CLAIM_SECONDS = _int("MAIL_CLAIM_SECONDS", 300)
    # Absolute base URL used in emailed links (e.g. https://relay.example.org).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    # Labels are configuration, not code (DESIGN.md).
    PROFESSIONS = [
        p.strip()
        for p in os.environ.get(
            "RELAY_PROFESSIONS",
            "Medicine,Nursing,Pharmacy,Physician Assistant,Social Work,Public Health,"
            "Dentistry,Physical Therapy,Occupational Therapy,Nutrition,Other",
        ).split(",")
        if p.strip()
    ]

    # Vision adoption: share of active student members who must endorse ("2/3"), and how
    # many professions the endorsers must span when the roster has that many.
    VISION_ADOPTION_SHARE = os.environ.get("VISION_ADOPTION_SHARE", "2/3")
    VISION_MIN_PROFESSIONS = _int("VISION_MIN_PROFESSIONS", 2)

    # Rotation: a member with this many open (planned) leads is skipped by the suggestion.
    ROTATION_OPEN_LEAD_CAP = _int("ROTATION_OPEN_LEAD_CAP", 2)
    # The academic year starts on the first day of this month (lead counts reset then).
    ACADEMIC_YEAR_START_MONTH = _int("ACADEMIC_YEAR_START_MONTH", 8)

    # Relational Leadership domains an outcome's reflection is tagged with: "key:Label" pairs.
    # The keys are stored; the labels can change (older material says "Accelerating Change").
    LEADERSHIP_DOMAINS = dict(
        pair.split(":", 1)
        for pair in (
            p.strip()
            for p in os.environ.get(
                "RELAY_LEADERSHIP_DOMAINS",
                "managing_self:Managing Self,fostering_teamwork:Fostering Teamwork,"
                "coaching_mentoring:Coaching and Mentoring,advocacy:Advocacy",
            ).split(",")
        )
        if ":" in pair
    )

    # Evidence files (PDF, PNG, JPEG): the largest one accepted, and how many per outcome.
    EVIDENCE_MAX_BYTES = _int("EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
    EVIDENCE_MAX_FILES = _int("EVIDENCE_MAX_FILES", 20)

    # A chapter report's PDF costs an app server's worker seconds: each person may ask for
    # this many per window (HTTP 429 past it, counted like the login throttle), and one that
    # takes longer than REPORT_PDF_SECONDS to render is stopped (HTTP 503). Keep that below
    # gunicorn's --timeout (30 s), which would kill the worker instead of answering.
    REPORT_PDF_MAX_PER_PERSON = _int("REPORT_PDF_MAX_PER_PERSON", 5)
    REPORT_PDF_WINDOW_SECONDS = _int("REPORT_PDF_WINDOW_SECONDS", 60)
    REPORT_PDF_SECONDS = _int("REPORT_PDF_SECONDS", 15)

    # The public network summary (/network) names no chapter with fewer active members.
    NETWORK_PUBLIC_MIN_MEMBERS = _int("NETWORK_PUBLIC_MIN_MEMBERS", 5)

    INVITATION_DAYS = _int("INVITATION_DAYS", 14)
    INVITES_PER_HOUR = _int("INVITES_PER_HOUR", 30)

    # A sign-off waiting longer than this many days (on the chapter's calendar) is overdue.
    SIGNOFF_OVERDUE_DAYS = _int("SIGNOFF_OVERDUE_DAYS", 7)
    # `flask notify run` reminds the chapter's advisors of an overdue sign-off, and national
    # staff too once it has waited this many days.
    SIGNOFF_ESCALATE_DAYS = _int("SIGNOFF_ESCALATE_DAYS", 14)

    # A whole request: room for two full-size evidence files and the form around them, so
    # a file just over EVIDENCE_MAX_BYTES reaches the form and gets a message on its field.
    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * EVIDENCE_MAX_BYTES + 1024 * 1024)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-only-secret-key"  # nosec B105 # noqa: S105 - used only by the test suite
    MAIL_BACKEND = "memory"


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_for_environment() -> type[Config]:
    """The settings RELAY_ENV names. A misspelt name stops the start: `RELAY_ENV=prod` must
    not quietly run a public site with the development settings."""
    name = os.environ.get("RELAY_ENV", "development").strip()
    if name not in CONFIGS:
        raise ValueError(f"RELAY_ENV={name!r} is not one of: {', '.join(CONFIGS)}.")
    return CONFIGS[name]
