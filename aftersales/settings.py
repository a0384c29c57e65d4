"""Settings for aftersales: one file, driven by environment variables.

Zero configuration gives the embedded default (SQLite in ./data, debug off, Chinese).
Every variable is read through a small typed helper that fails loudly on a bad value.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DATA_DIR = Path(env_str("AFTERSALES_DATA_DIR", str(BASE_DIR / "data"))).resolve()
DEBUG = env_bool("AFTERSALES_DEBUG", False)

_secret = os.environ.get("AFTERSALES_SECRET_KEY", "")
if not _secret:
    # The embedded default keeps a generated key beside its data, so sessions survive restarts.
    # Several processes may start at once (gunicorn's, the workers): the key is written whole to a file of its own
    # and linked into place, so the first process's key wins and the others read that one, never a half-written one.
    _key_file = DATA_DIR / "secret_key.txt"
    if not _key_file.exists():
        import tempfile

        from django.core.management.utils import get_random_secret_key

        _secret = get_random_secret_key()
        try:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=DATA_DIR, prefix=".secret_key.") as _out:
                _out.write(_secret)
                _out.flush()
                os.link(_out.name, _key_file)
        except FileExistsError:
            _secret = ""
        except OSError:
            pass
    if not _secret:
        _secret = _key_file.read_text().strip()
SECRET_KEY = _secret

ALLOWED_HOSTS = env_list("AFTERSALES_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("AFTERSALES_CSRF_TRUSTED_ORIGINS", [])

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
    "core",
    "org",
    "customers",
    "promises",
    "phone",
    "complaints",
    "checks",
    "lounge",
    "conduct",
    "insights",
    "home",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.SessionTouchMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "core.middleware.NullCharacterMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aftersales.urls"
WSGI_APPLICATION = "aftersales.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "org.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite (WAL) in the data folder unless DATABASE_URL is set.
_database_url = os.environ.get("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "aftersales.sqlite3",
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # The test database is a file too, not SQLite's shared in-memory database: the browser
            # tests' live server answers several requests at once, and the in-memory database's
            # table locks can leave two of them waiting for each other for ever.
            "TEST": {"NAME": str(DATA_DIR / "test_aftersales.sqlite3")},
        }
    }
# A read replica for the figures pages: reads inside core.db.figures_reads() go there (core.db_router); every
# other read, all writes and migrations go to the primary. In tests it mirrors the primary's test database.
_replica_url = os.environ.get("DATABASE_REPLICA_URL", "")
if _replica_url:
    if not _database_url:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) to be set too")
    DATABASES["replica"] = dj_database_url.parse(_replica_url, conn_max_age=60, conn_health_checks=True)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and sessions: Django's local memory cache and sessions in the database, unless Redis is configured; then
# the cache is in Redis (shared by every process) and sessions are read from it, written to both (cached_db).
_redis_url = os.environ.get("AFTERSALES_REDIS_URL", "") or os.environ.get("REDIS_URL", "")
if _redis_url:
    if not _redis_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            f"AFTERSALES_REDIS_URL (or REDIS_URL) must start with redis://, rediss:// or unix://, not {_redis_url!r}"
        )
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _redis_url,
            "KEY_PREFIX": "aftersales",
            # a Redis that stops answering costs a request a second or two, not a hung process
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = ["org.auth.UsernameOrEmployeeNumberBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions expire after a working day of inactivity, and when the browser closes.
SESSION_COOKIE_AGE = env_int("AFTERSALES_SESSION_SECONDS", 10 * 3600, minimum=300)
SESSION_SAVE_EVERY_REQUEST = False  # core.middleware.SessionTouchMiddleware renews it every few minutes
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("AFTERSALES_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Failed sign-ins: this many within the window lock the account name (and the address) for the window.
SIGNIN_MAX_FAILURES = env_int("AFTERSALES_SIGNIN_MAX_FAILURES", 5, minimum=1)
SIGNIN_WINDOW_SECONDS = env_int("AFTERSALES_SIGNIN_WINDOW_SECONDS", 15 * 60, minimum=1)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "media/"

# Uploaded import files may be large; the import reads them from disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = env_int("AFTERSALES_IMPORT_MAX_MB", 50, minimum=1) * 1024 * 1024

# The lounge's public QR pages: requests one sender (a phone, known by a signed random id in its cookie) may
# send in 10 minutes, whatever table they scan; a looser ceiling for one network address (a store's Wi-Fi
# behind NAT is one address for every phone in the lounge); the per-table limit is each store's lounge setting.
LOUNGE_QR_REQUESTS_PER_SENDER_PER_10_MINUTES = env_int("AFTERSALES_QR_REQUESTS_PER_SENDER", 30, minimum=1)
LOUNGE_QR_REQUESTS_PER_ADDRESS_PER_10_MINUTES = env_int("AFTERSALES_QR_REQUESTS_PER_ADDRESS", 150, minimum=1)
# WeCom group robot posts: only https://<host>/cgi-bin/webhook/send?key=… at these hosts (WeCom's own
# by default), so a store's setting cannot point the worker at an internal address.
WEBHOOK_HOSTS = env_list("AFTERSALES_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com"])
# A worker claims a queued post for this long; if it dies meanwhile, another worker retries it after.
WEBHOOK_LEASE_SECONDS = env_int("AFTERSALES_WEBHOOK_LEASE_SECONDS", 120, minimum=10)
# A customer or call-record import whose worker has not reported for this long is taken as stopped.
IMPORT_STALE_SECONDS = env_int("AFTERSALES_IMPORT_STALE_SECONDS", 120, minimum=10)
# A failed check item is to be put right within this many business minutes.
CHECKS_CORRECTION_BUSINESS_MINUTES = env_int("AFTERSALES_CORRECTION_MINUTES", 120, minimum=5)

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# HTTPS in production (behind the README's reverse proxy, which terminates TLS and passes
# X-Forwarded-Proto). One switch, on by default when the cookies are secure, so the README's production
# variables give a clean `manage.py check --deploy`; zero configuration stays plain http://127.0.0.1.
HTTPS = env_bool("AFTERSALES_HTTPS", SESSION_COOKIE_SECURE)
if HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("AFTERSALES_SSL_REDIRECT", True)
    # the proxy says whether the browser used https; only trust it behind a proxy that sets it
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("AFTERSALES_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("AFTERSALES_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("AFTERSALES_HSTS_PRELOAD", True)

# Content-Security-Policy sent with every page (core.middleware.ContentSecurityPolicyMiddleware): scripts only
# from our own static files, no inline script or event handler. Inline style attributes are allowed:
# templates and htmx set widths and colours with style="…", which runs no code.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; "
    "form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("AFTERSALES_LOG_LEVEL", "WARNING")},
}
