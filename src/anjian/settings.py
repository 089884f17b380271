"""Django settings, read from the environment.

Environment variables:
    DATABASE_URL           database (default: SQLite file var/anjian.sqlite3)
    ANJIAN_SECRET_KEY      secret key (default: generated once into var/secret_key)
    ANJIAN_DEBUG           "1" turns debug on (off by default)
    ANJIAN_ALLOWED_HOSTS   comma-separated host names (default: 127.0.0.1,localhost)
    ANJIAN_VAR_DIR         where the SQLite file, secret key, uploads and collected static go
    ANJIAN_HTTPS           "1" behind TLS: secure cookies, HSTS, redirect to https
"""

import os
import secrets
from pathlib import Path

import dj_database_url

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
    "django.middleware.locale.LocaleMiddleware",
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'anjian.sqlite3'}",
        conn_max_age=int(os.environ.get("ANJIAN_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters travel to the server as values instead of being quoted into the SQL
    # in Python: bulk writes (imports) are several times faster.
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = _env_flag(
        "ANJIAN_DB_SERVER_SIDE_BINDING", True
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's readers and its writer work at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = ["anjian.orgs.auth.LockoutModelBackend"]
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

# Repeated login failures lock the account for a while (see anjian.orgs.auth).
ANJIAN_LOGIN_MAX_FAILURES = int(os.environ.get("ANJIAN_LOGIN_MAX_FAILURES", "5"))
ANJIAN_LOGIN_LOCK_MINUTES = int(os.environ.get("ANJIAN_LOGIN_LOCK_MINUTES", "15"))

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
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
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
# Which rule fixes accident investigation periods (R-ACC-5): "2013年规定" (default, the
# stricter 30+30 days for 较大/一般) or "493号令" (60+60 days for every level).
ANJIAN_INVESTIGATION_BASIS = os.environ.get("ANJIAN_INVESTIGATION_BASIS", "2013年规定")
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
