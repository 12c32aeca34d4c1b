"""Settings, read from OPSCENTER_* environment variables with safe production defaults.

Defaults are for production: DEBUG off, HTTPS-only cookies, HSTS. `make demo` and the test
suite opt out explicitly (OPSCENTER_DEBUG / OPSCENTER_HTTPS), never the other way round.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OPSCENTER_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _secret_key() -> str:
    """OPSCENTER_SECRET_KEY, else a random key kept in var/secret_key (created once, mode 0600)."""
    key = os.environ.get("OPSCENTER_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


DEBUG = env_bool("OPSCENTER_DEBUG", False)
HTTPS = env_bool("OPSCENTER_HTTPS", not DEBUG)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("OPSCENTER_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("OPSCENTER_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "opscenter.core",
    "opscenter.org",
    "opscenter.pipeline",
    "opscenter.imports",
    "opscenter.targets",
    "opscenter.members",
    "opscenter.scheduler",
    "opscenter.metrics",
    "opscenter.commitments",
    "opscenter.appraisal",
    "opscenter.callcenter",
    "opscenter.care",
    "opscenter.workday",
    "opscenter.reports",
    "opscenter.clinic",
    "opscenter.marketing",
    "opscenter.api",
    "opscenter.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "opscenter.core.middleware.UserLanguageMiddleware",
    "opscenter.core.middleware.LoginRequiredMiddleware",
    "opscenter.core.middleware.AuditActorMiddleware",
    "opscenter.core.middleware.BadInputMiddleware",
    "opscenter.core.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "opscenter.urls"
WSGI_APPLICATION = "opscenter.wsgi.application"
ASGI_APPLICATION = "opscenter.asgi.application"
AUTH_USER_MODEL = "core.User"
# Selects rendered in Python (the same markup): see core/renderers.py.
FORM_RENDERER = "opscenter.core.renderers.FormRenderer"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "opscenter" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "opscenter.core.context_processors.shell",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("OPSCENTER_DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}")
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=int(os.environ.get("OPSCENTER_CONN_MAX_AGE", "60")))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    name = Path(_db["NAME"])
    if not name.is_absolute():
        name = BASE_DIR / name
    name.parent.mkdir(parents=True, exist_ok=True)
    _db["NAME"] = str(name)
    _db["CONN_MAX_AGE"] = 0
    # WAL lets readers proceed while the task worker writes; IMMEDIATE avoids lock upgrades
    # that end in "database is locked" under concurrent writers.
    _db["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    _db["TEST"] = {"NAME": os.environ.get("OPSCENTER_TEST_SQLITE_NAME") or None}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- request limits (core/bounds.py, docs/limits.md) -------------------------------------------
# A JSON or form body above this is refused with 400 before any view parses it; uploads are
# streamed to disk and bounded by the import's own file-size check.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- auth and security ----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "login"

AXES_FAILURE_LIMIT = int(os.environ.get("OPSCENTER_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("OPSCENTER_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Password spraying: failures of every username from one address, added up (core/security.py).
AXES_HANDLER = "opscenter.core.security.AddressThrottleHandler"
OPSCENTER_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("OPSCENTER_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
AXES_LOCKOUT_CALLABLE = "opscenter.core.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind nginx every request comes from the proxy's address; lock out by the client address nginx
# forwards in X-Real-IP instead (docs/deploy.md). Only trusted when the proxy is declared.
BEHIND_PROXY = env_bool("OPSCENTER_BEHIND_PROXY", False)
AXES_CLIENT_IP_CALLABLE = "opscenter.core.security.client_ip"

# A nightly tier evaluation still "running" this long after its claim is taken for crashed and may be
# claimed again (members/nightly.py); keep it above the longest run.
OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES = int(os.environ.get("OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES", "120"))

# The cockpit's site figures (metric sums over the visible sites) are kept this long per process;
# 0 computes them on every request (reports/cockpit.py, issue 11).
OPSCENTER_COCKPIT_CACHE_SECONDS = int(os.environ.get("OPSCENTER_COCKPIT_CACHE_SECONDS", "60"))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 10  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("OPSCENTER_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# No external origin anywhere: scripts, styles, fonts and images come from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "opscenter" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "opscenter" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# --- e-mail: in-app notices are also mailed when a server is configured -----------------------
EMAIL_HOST = os.environ.get("OPSCENTER_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("OPSCENTER_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("OPSCENTER_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("OPSCENTER_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("OPSCENTER_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("OPSCENTER_EMAIL_FROM", "opscenter@localhost")

# --- tasks ----------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("OPSCENTER_TASKS_IMMEDIATE", False)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- logging: English, to stderr --------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OPSCENTER_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
}:
    raise ImproperlyConfigured("OPSCENTER_DATABASE_URL must be sqlite:// or postgres://")
