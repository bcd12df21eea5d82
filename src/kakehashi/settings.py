"""Settings, all read from the environment (see the README for the full list).

``KAKEHASHI_ENV=production`` turns on the safe defaults for a public deployment and refuses
to start without ``KAKEHASHI_SECRET_KEY``.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def envbool(name: str, default: str = "False") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
# Each worker of a parallel test run (pytest-xdist names it) gets a folder and a queue of its
# own, so that workers never share a test database, a job queue or signing keys.
TEST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
VAR_DIR = Path(os.environ.get("KAKEHASHI_VAR_DIR", Path.cwd() / "var" / TEST_WORKER)).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

ENV = os.environ.get("KAKEHASHI_ENV", "development")
PRODUCTION = ENV == "production"
DEBUG = envbool("KAKEHASHI_DEBUG", "False" if PRODUCTION else "True")

SECRET_KEY = os.environ.get("KAKEHASHI_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "KAKEHASHI_SECRET_KEY is not set. Production mode refuses to start without a "
            "secret key: set it to a long random string (e.g. `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`)."
        )
    SECRET_KEY = "development-only-key-never-used-in-production-0123456789abcdef"  # noqa: S105

ALLOWED_HOSTS = envlist(
    "KAKEHASHI_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver"
)
CSRF_TRUSTED_ORIGINS = envlist("KAKEHASHI_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that it can patch the admin's forms.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "huey.contrib.djhuey",
    # ninja serves its API docs (Swagger UI) from its own static files, not a CDN.
    "ninja",
    "kakehashi.core",
    "kakehashi.network",
    "kakehashi.payments",
    "kakehashi.catalog",
    "kakehashi.admissions",
    "kakehashi.delivery",
    "kakehashi.credentials",
    "kakehashi.api",
    "kakehashi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A lock timeout anywhere in a view becomes "busy, try again" (503), not a 500.
    "kakehashi.core.busy.BusyMiddleware",
    # axes must be last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kakehashi.urls"
WSGI_APPLICATION = "kakehashi.wsgi.application"
AUTH_USER_MODEL = "core.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default. WAL lets readers proceed while one writer works; IMMEDIATE takes the
# write lock when a transaction begins, so two requests never both read "one seat left"
# and then both write; the busy timeout makes the second wait instead of failing.
SQLITE_PATH = VAR_DIR / "kakehashi.sqlite3"
# How long a change waits for a row another change holds (PostgreSQL's lock_timeout, set by
# kakehashi.core.locking) or for SQLite's single write lock (its busy timeout) before it
# gives up with LockTimeout, which people see as "busy, try again" (503 with Retry-After).
KAKEHASHI_LOCK_TIMEOUT_MS = envint("KAKEHASHI_LOCK_TIMEOUT_MS", "5000")
KAKEHASHI_SQLITE_BUSY_TIMEOUT_MS = envint("KAKEHASHI_SQLITE_BUSY_TIMEOUT_MS", "20000")
# What a busy answer tells the client to wait before trying again.
KAKEHASHI_BUSY_RETRY_AFTER_SECONDS = envint("KAKEHASHI_BUSY_RETRY_AFTER_SECONDS", "2")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if os.environ.get("KAKEHASHI_TEST_DATABASE"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["KAKEHASHI_TEST_DATABASE"]}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(SQLITE_PATH),
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": KAKEHASHI_SQLITE_BUSY_TIMEOUT_MS / 1000,
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # Tests run against a file too (not an in-memory database) so that concurrency
            # tests exercise the same WAL locking as production.
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and background jobs -----------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": TEST_WORKER,
        }
    }
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": f"kakehashi{TEST_WORKER}",
        "url": REDIS_URL,
        "immediate": envbool("KAKEHASHI_JOBS_IMMEDIATE"),
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kakehashi",
        "filename": str(VAR_DIR / "jobs.sqlite3"),
        "immediate": envbool("KAKEHASHI_JOBS_IMMEDIATE"),
    }
HUEY["consumer"] = {"workers": envint("KAKEHASHI_JOB_WORKERS", "2"), "worker_type": "thread"}

# --- Authentication ------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed logins are throttled per username and address: after AXES_FAILURE_LIMIT failures the
# pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = envint("KAKEHASHI_LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = envint("KAKEHASHI_LOGIN_COOLOFF_HOURS", "1")
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"
# A password reset link works for a day (Django's default is three): long enough for mail
# that waits in the outbox for a slow server, short enough to limit a forwarded or leaked mail.
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24

# --- Languages and time ------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian")), ("ja", _("Japanese"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en", "ru", "ja")
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Mail --------------------------------------------------------------------------------------
EMAIL_URL = os.environ.get("EMAIL_URL", "")
if EMAIL_URL:
    from urllib.parse import unquote, urlparse

    _mail = urlparse(EMAIL_URL)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 25
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = _mail.scheme == "submission"
    EMAIL_USE_SSL = _mail.scheme == "smtps"
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# A mail server that has not answered in this time is given up on, so that a live worker
# never holds a mail longer than the outbox waits before taking it back (see below).
EMAIL_TIMEOUT = envint("KAKEHASHI_EMAIL_TIMEOUT_SECONDS", "60")
# A mail claimed by a worker that then died goes back to the queue after this long.
KAKEHASHI_MAIL_CLAIM_TIMEOUT_SECONDS = max(
    envint("KAKEHASHI_MAIL_CLAIM_TIMEOUT_SECONDS", "300"), 2 * EMAIL_TIMEOUT
)
DEFAULT_FROM_EMAIL = os.environ.get("KAKEHASHI_FROM_EMAIL", "Kakehashi <noreply@localhost>")

# --- Security ----------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("KAKEHASHI_SSL_REDIRECT", "True")
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("KAKEHASHI_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("KAKEHASHI_HSTS_PRELOAD", "True")

# --- Domain defaults ---------------------------------------------------------------------------
# Where Kakehashi is reached, for links in mail sent by background jobs (no request to ask).
KAKEHASHI_BASE_URL = os.environ.get("KAKEHASHI_BASE_URL", "http://127.0.0.1:8000")
# How long an offer holds a seat when a cohort sets no time of its own.
KAKEHASHI_OFFER_HOURS = envint("KAKEHASHI_OFFER_HOURS", "72")
# Each network signs its certificates with an Ed25519 key of its own; the private keys are
# files in this folder (readable by the app alone), the public keys are published.
KAKEHASHI_KEY_DIR = Path(os.environ.get("KAKEHASHI_KEY_DIR", VAR_DIR / "keys")).resolve()
# The fonts certificates are set in (Noto Sans JP: Latin, Cyrillic and Japanese), installed
# with the project's npm packages.
KAKEHASHI_FONT_DIR = Path(
    os.environ.get(
        "KAKEHASHI_FONT_DIR",
        Path(__file__).resolve().parents[2] / "node_modules" / "@embedpdf" / "fonts-jp" / "fonts",
    )
).resolve()
# Card payments through Stripe Checkout: off (bank transfer and cash only) until a secret
# key is set. The webhook secret verifies the events Stripe posts to /payments/webhooks/stripe/.
KAKEHASHI_STRIPE_SECRET_KEY = os.environ.get("KAKEHASHI_STRIPE_SECRET_KEY", "")
KAKEHASHI_STRIPE_WEBHOOK_SECRET = os.environ.get("KAKEHASHI_STRIPE_WEBHOOK_SECRET", "")
# Where Stripe's API is reached; only changed to point at a test double (stripe-mock).
KAKEHASHI_STRIPE_API_BASE = os.environ.get("KAKEHASHI_STRIPE_API_BASE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KAKEHASHI_LOG_LEVEL", "INFO")},
    # fontTools reports every table it subsets at INFO: dozens of lines per certificate.
    "loggers": {"huey": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
