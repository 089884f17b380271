"""Django settings, read from the environment.

Environment variables:
    DATABASE_URL           database (default: SQLite file var/anjian.sqlite3); on PostgreSQL in
                           production the application's role (see `anjian dbroles`)
    ANJIAN_MIGRATE_DATABASE_URL  the connection `anjian migrate` and `anjian dbroles` use instead
                           of DATABASE_URL (a role that may change the schema and create roles)
    ANJIAN_MIGRATE_ROLE    the role `anjian migrate` acts as (SET ROLE), so that what it creates
                           belongs to the schema owner (e.g. anjian_owner)
    ANJIAN_DB_POOL_MAX     PostgreSQL: most connections one process holds, from a pool
                           (default 10; 0: no pool, a connection per request)
    ANJIAN_DB_POOL_MIN     PostgreSQL: connections the pool keeps open (default 1)
    ANJIAN_DB_POOL_TIMEOUT PostgreSQL: seconds a request waits for a free connection (10)
    ANJIAN_DB_CONN_MAX_AGE without the pool: seconds a connection outlives its request (0)
    ANJIAN_DB_SERVER_SIDE_BINDING  "0" for poolers that cannot bind server-side (default on)
    ANJIAN_SECRET_KEY      secret key (default: generated once into var/secret_key)
    ANJIAN_DEBUG           "1" turns debug on (off by default)
    ANJIAN_ALLOWED_HOSTS   comma-separated host names (default: 127.0.0.1,localhost)
    ANJIAN_VAR_DIR         where the SQLite file, secret key, uploads and collected static go
    ANJIAN_HTTPS           "1" behind TLS: secure cookies, HSTS, redirect to https
    ANJIAN_HAZARD_DEADLINE_DAYS_GENERAL / _MAJOR  default rectification term of a
                           self-found hazard registered without a deadline (30 / 90 days)
    ANJIAN_HAZARD_PLAN_DAYS days after which a hazard without a plan is 未制定方案 (7)
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ANJIAN_VAR_DIR", BASE_DIR / "var"))


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """The key from the environment, else one generated once and kept under var/."""
    if key := os.environ.get("ANJIAN_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = _env_flag("ANJIAN_DEBUG")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ANJIAN_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "anjian.core",
    "anjian.regions",
    "anjian.orgs",
    "anjian.enterprises",
    "anjian.hazards",
    "anjian.accidents",
    "anjian.inspections",
]

MIDDLEWARE = [
    "anjian.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "anjian.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "anjian.core.middleware.InputGuardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "anjian.core.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "anjian.urls"
WSGI_APPLICATION = "anjian.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "anjian.core.navigation.navigation",
                "anjian.core.views.unread_count",
            ],
        },
    },
]

#: Commands that change the schema or the roles: they connect with
#: ANJIAN_MIGRATE_DATABASE_URL when it is set; everything else (the site, the worker,
#: the other commands) with DATABASE_URL, the application's role.
SCHEMA_COMMANDS = frozenset({"migrate", "dbroles"})
_COMMAND = sys.argv[1] if len(sys.argv) > 1 else ""
_MIGRATE_URL = (
    os.environ.get("ANJIAN_MIGRATE_DATABASE_URL") if _COMMAND in SCHEMA_COMMANDS else None
)


def _database() -> dict:
    """The default database.

    On PostgreSQL each process draws its connections from a bounded pool (psycopg_pool,
    Django's `OPTIONS["pool"]`): a request borrows one and gives it back when it ends, so
    however many threads serve requests a process never holds more than
    ANJIAN_DB_POOL_MAX connections, and no request pays for opening one (about 12 ms on
    the local server). ANJIAN_DB_POOL_MAX=0 turns the pool off: a connection per request
    (for an outside pooler such as PgBouncer), kept ANJIAN_DB_CONN_MAX_AGE seconds only
    if asked. Connections kept per thread are never the default: the development server
    starts a thread per request and never closes its connections, so they piled up
    until PostgreSQL refused new ones. Sizing for production: README, "Database
    connections"."""
    if _MIGRATE_URL:
        database = dj_database_url.parse(_MIGRATE_URL)
        if _COMMAND == "migrate" and (owner := os.environ.get("ANJIAN_MIGRATE_ROLE")):
            # Tables, sequences and functions the migrations create belong to the owner.
            database.setdefault("OPTIONS", {})["assume_role"] = owner
    else:
        database = dj_database_url.config(
            default=f"sqlite:///{VAR_DIR / 'anjian.sqlite3'}",
            conn_max_age=int(os.environ.get("ANJIAN_DB_CONN_MAX_AGE", "0")),
            conn_health_checks=True,
        )
    if database["ENGINE"] == "django.db.backends.postgresql":
        options = database.setdefault("OPTIONS", {})
        # Parameters travel to the server as values instead of being quoted into the SQL
        # in Python: bulk writes (imports) are several times faster.
        options["server_side_binding"] = _env_flag("ANJIAN_DB_SERVER_SIDE_BINDING", True)
        pool_max = int(os.environ.get("ANJIAN_DB_POOL_MAX", "10"))
        # A schema command is one process with one connection, and its SET ROLE
        # (assume_role) leaves a pooled connection in a transaction, which the pool
        # then throws away: it connects directly.
        if pool_max > 0 and not _MIGRATE_URL:
            if database["CONN_MAX_AGE"]:
                raise ImproperlyConfigured(
                    "ANJIAN_DB_CONN_MAX_AGE needs ANJIAN_DB_POOL_MAX=0: pooled connections "
                    "go back to the pool at the end of each request."
                )
            options["pool"] = {
                "min_size": min(int(os.environ.get("ANJIAN_DB_POOL_MIN", "1")), pool_max),
                "max_size": pool_max,
                # A request waits this long for a free connection, then fails with the
                # error page instead of queueing without end.
                "timeout": float(os.environ.get("ANJIAN_DB_POOL_TIMEOUT", "10")),
            }
    if database["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the demo's readers and its writer work at the same time.
        database["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        database["CONN_MAX_AGE"] = 0
    return database


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["anjian.orgs.auth.ThrottledModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (anjian.orgs.throttle): failures are counted within
# ANJIAN_LOGIN_LOCK_MINUTES per account from one source address, per account from
# anywhere, and per source address on any account; reaching a limit refuses that
# key for ANJIAN_LOGIN_LOCK_MINUTES. A stranger's failures refuse only the stranger's
# own address, until the much higher account-wide limit.
ANJIAN_LOGIN_MAX_FAILURES = int(os.environ.get("ANJIAN_LOGIN_MAX_FAILURES", "5"))
ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES = int(os.environ.get("ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES", "50"))
ANJIAN_LOGIN_SOURCE_MAX_FAILURES = int(os.environ.get("ANJIAN_LOGIN_SOURCE_MAX_FAILURES", "50"))
ANJIAN_LOGIN_LOCK_MINUTES = int(os.environ.get("ANJIAN_LOGIN_LOCK_MINUTES", "15"))
# Proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the
# client; from anyone else the header is ignored and REMOTE_ADDR is the source.
ANJIAN_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("ANJIAN_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# API tokens stop working this many days after they are created.
ANJIAN_API_TOKEN_DAYS = int(os.environ.get("ANJIAN_API_TOKEN_DAYS", "90"))
for _name in (
    "ANJIAN_LOGIN_MAX_FAILURES",
    "ANJIAN_LOGIN_ACCOUNT_MAX_FAILURES",
    "ANJIAN_LOGIN_SOURCE_MAX_FAILURES",
    "ANJIAN_LOGIN_LOCK_MINUTES",
    "ANJIAN_API_TOKEN_DAYS",
):
    if globals()[_name] < 1:
        raise ValueError(f"{_name} must be at least 1")

# Sessions end after two idle hours and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("ANJIAN_SESSION_SECONDS", str(2 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if _env_flag("ANJIAN_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ANJIAN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
# Covering indexes (INCLUDE) are PostgreSQL's; SQLite builds the same index without
# the extra columns, which is all the embedded demo needs.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# Nothing serves MEDIA_URL: stored files are fetched only through the scoped file view
# (/files/…, anjian.core.file_views), which checks the scope of the record they belong to.
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
# How the file view hands a file's bytes over: "" streams them through the storage API
# (the default; also for object storage); "x-accel-redirect" lets nginx send them from
# an `internal` location at ANJIAN_FILE_ACCEL_PREFIX that aliases MEDIA_ROOT;
# "x-sendfile" lets Apache's mod_xsendfile send the file at its local path.
ANJIAN_FILE_ACCEL = os.environ.get("ANJIAN_FILE_ACCEL", "")
if ANJIAN_FILE_ACCEL not in ("", "x-accel-redirect", "x-sendfile"):
    raise ImproperlyConfigured('ANJIAN_FILE_ACCEL must be "", "x-accel-redirect" or "x-sendfile".')
ANJIAN_FILE_ACCEL_PREFIX = os.environ.get("ANJIAN_FILE_ACCEL_PREFIX", "/protected-files/")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Background work (imports, exports, reports): rows in the database, run by `anjian worker`.
TASKS = {
    "default": {"BACKEND": os.environ.get("ANJIAN_TASK_BACKEND", "django_tasks_db.DatabaseBackend")}
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
ANJIAN_IMPORT_MAX_BYTES = int(os.environ.get("ANJIAN_IMPORT_MAX_BYTES", str(50 * 1024 * 1024)))
# Every uploaded spreadsheet is measured before it is parsed (anjian.core.spreadsheets):
# the furthest cell's row and column, the cells (rows × columns up to that cell, which
# the parser allocates), the unpacked size, the compression ratio and the parts in the zip.
ANJIAN_SPREADSHEET_MAX_ROWS = int(os.environ.get("ANJIAN_SPREADSHEET_MAX_ROWS", "200000"))
ANJIAN_SPREADSHEET_MAX_COLUMNS = int(os.environ.get("ANJIAN_SPREADSHEET_MAX_COLUMNS", "200"))
ANJIAN_SPREADSHEET_MAX_CELLS = int(os.environ.get("ANJIAN_SPREADSHEET_MAX_CELLS", "10000000"))
ANJIAN_SPREADSHEET_MAX_UNCOMPRESSED_MB = int(
    os.environ.get("ANJIAN_SPREADSHEET_MAX_UNCOMPRESSED_MB", "512")
)
ANJIAN_SPREADSHEET_MAX_COMPRESSION_RATIO = int(
    os.environ.get("ANJIAN_SPREADSHEET_MAX_COMPRESSION_RATIO", "100")
)
ANJIAN_SPREADSHEET_MAX_MEMBERS = int(os.environ.get("ANJIAN_SPREADSHEET_MAX_MEMBERS", "1000"))
# `anjian worker` runs each task in a child process: it may grow by this much address
# space beyond the worker's own and run this long, then it is stopped and marked failed.
ANJIAN_TASK_MEMORY_MB = int(os.environ.get("ANJIAN_TASK_MEMORY_MB", "2048"))
ANJIAN_TASK_TIME_LIMIT_SECONDS = int(os.environ.get("ANJIAN_TASK_TIME_LIMIT_SECONDS", "1800"))
# Which rule fixes accident investigation periods (R-ACC-5): "2013年规定" (default, the
# stricter 30+30 days for 较大/一般) or "493号令" (60+60 days for every level).
ANJIAN_INVESTIGATION_BASIS = os.environ.get("ANJIAN_INVESTIGATION_BASIS", "2013年规定")
# Hazard rectification terms (隐患排查治理; 原安监总局令第16号 sets no figure, so these are
# local practice, not law). A regulator registering a hazard sets the deadline itself
# (责令限期整改); a self-found hazard registered without one gets this many days after it
# was found, per level. A hazard with no accepted plan this many days after it was
# found is flagged 未制定方案 and counts as overdue.
ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS = {
    "general": int(os.environ.get("ANJIAN_HAZARD_DEADLINE_DAYS_GENERAL", "30")),
    "major": int(os.environ.get("ANJIAN_HAZARD_DEADLINE_DAYS_MAJOR", "90")),
}
ANJIAN_HAZARD_PLAN_DAYS = int(os.environ.get("ANJIAN_HAZARD_PLAN_DAYS", "7"))
if min(*ANJIAN_HAZARD_DEFAULT_DEADLINE_DAYS.values(), ANJIAN_HAZARD_PLAN_DAYS) < 1:
    raise ValueError("hazard deadline and plan days must be at least 1")
# A font with Chinese glyphs for PDF records (a .ttf/.otf/.ttc path); empty: the
# Noto CJK or WenQuanYi fonts Debian installs are looked for.
ANJIAN_PDF_FONT = os.environ.get("ANJIAN_PDF_FONT", "")

# Outside delivery of notifications (the in-app inbox always gets them).
ANJIAN_NOTIFICATION_SENDERS = [
    s.strip()
    for s in os.environ.get(
        "ANJIAN_NOTIFICATION_SENDERS", "anjian.core.notifications.LoggingSender"
    ).split(",")
    if s.strip()
]
EMAIL_BACKEND = os.environ.get(
    "ANJIAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

# No text a form or API client sends may be longer than this (each text field has its
# own, smaller maximum; see anjian.core.fields).
ANJIAN_MAX_TEXT_LENGTH = 20_000
# The furthest a deadline (rectification, plan, campaign) may be set ahead, in years.
ANJIAN_MAX_DEADLINE_YEARS = int(os.environ.get("ANJIAN_MAX_DEADLINE_YEARS", "5"))

ANJIAN_PAGE_SIZE = 50
ANJIAN_API_MAX_PAGE_SIZE = 500

# Every record carries the id of the request it belongs to (X-Request-ID, shown on the
# 500 page); server errors are logged with their traceback whatever DEBUG says.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "anjian.core.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "loggers": {
        "anjian": {"handlers": ["console"], "level": os.environ.get("ANJIAN_LOG_LEVEL", "INFO")},
        "anjian.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
