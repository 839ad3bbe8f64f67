"""Settings, read from the environment (DESIGN.md lists the variables).

Production is the default: DEBUG off, HTTPS on, no secret key unless one is given.
`lalisa demo` and the tests set the variables they need for plain HTTP on localhost.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lalisa.env import envbool, envint, envlist, envstr
from lalisa.proxies import trusted_networks

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(envstr("LALISA_DATA_DIR", "var")).resolve()

DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is not set; production needs a long random one.")
    SECRET_KEY = "insecure-debug-only-key-never-used-with-debug-off"  # noqa: S105

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# Where citizens reach the public pages (the bot links the privacy page): scheme and host.
LALISA_PUBLIC_URL = envstr("LALISA_PUBLIC_URL", "") or next(
    (
        f"https://{h.lstrip('.')}"
        for h in ALLOWED_HOSTS
        if h not in ("*", "localhost", "127.0.0.1")
    ),
    "",
)

INSTALLED_APPS = [
    "lalisa.accounts",
    "lalisa.regions",
    "lalisa.teams",
    "lalisa.complaints",
    "lalisa.sla",
    "lalisa.notifications",
    "lalisa.service",
    "lalisa.whatsapp",
    "lalisa.bot",
    "lalisa.simulator",
    "lalisa.escalation",
    "lalisa.worker",  # before django_tasks_db: its db_worker adds the scheduler
    "lalisa.web",
    "lalisa.api",
    "lalisa.reports",
    "lalisa.monthly",
    "lalisa.public",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lalisa.web.middleware.ContentSecurityPolicyMiddleware",
    "lalisa.web.nul.RefuseNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lalisa.web.middleware.SecondFactorMiddleware",
    "lalisa.web.middleware.IdleLogoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lalisa.urls"
WSGI_APPLICATION = "lalisa.wsgi.application"

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
            ],
        },
    },
]

# SQLite (WAL) under LALISA_DATA_DIR by default; PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'lalisa.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock at BEGIN, so a read-then-write never fails half-way.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Credentials. An API token lives this many days at most (`lalisa apitoken --days` less).
LALISA_API_TOKEN_DAYS = envint("LALISA_API_TOKEN_DAYS", 90)
# A second factor (TOTP, django-otp) for the admin, the Kabid and the superadmin; off by
# default so the demo logs in with a password alone.
LALISA_2FA = envbool("LALISA_2FA", False)
OTP_TOTP_ISSUER = "LA-LISA"
# Wrong codes count in the login throttle (lalisa.web.forms), the one limit; django-otp's
# own growing delay would refuse a right code typed soon after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
# The setup admin never shows a TOTP secret or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia")]
TIME_ZONE = "Asia/Makassar"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
# Uploaded and downloaded media are private: no MEDIA_URL, served only through views
# that check who may see the complaint.
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# HTTPS: on by default whenever DEBUG is off; LALISA_HTTPS=0 for plain HTTP on a trusted host.
LALISA_HTTPS = envbool("LALISA_HTTPS", not DEBUG)
if LALISA_HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A staff session unused this long is logged out on its next request (0: never).
LALISA_IDLE_LOGOUT_MINUTES = envint("LALISA_IDLE_LOGOUT_MINUTES", 120)
# Limits per client address (login, public lookup) believe X-Forwarded-For only from these
# proxies (addresses or CIDR networks; empty: none), as gunicorn's forwarded_allow_ips: by
# default the TLS proxy on this machine, in front of `serve --bind 127.0.0.1:8000`.
LALISA_TRUSTED_PROXIES = envlist("LALISA_TRUSTED_PROXIES", ["127.0.0.1", "::1"])
try:
    trusted_networks(LALISA_TRUSTED_PROXIES)
except ValueError as exc:
    raise ImproperlyConfigured(f"LALISA_TRUSTED_PROXIES: {exc}") from exc
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# WhatsApp Cloud API (the channel issue uses these).
# The map's tile server (a Leaflet URL template); empty: no tiles, pins on a plain ground.
LALISA_MAP_TILES = envstr("LALISA_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
LALISA_MAP_ATTRIBUTION = envstr("LALISA_MAP_ATTRIBUTION", "")

WHATSAPP_GRAPH_URL = envstr("WHATSAPP_GRAPH_URL", "https://graph.facebook.com")
WHATSAPP_API_VERSION = envstr("WHATSAPP_API_VERSION", "v23.0")
WHATSAPP_PHONE_NUMBER_ID = envstr("WHATSAPP_PHONE_NUMBER_ID")
WHATSAPP_BUSINESS_ACCOUNT_ID = envstr("WHATSAPP_BUSINESS_ACCOUNT_ID")
WHATSAPP_ACCESS_TOKEN = envstr("WHATSAPP_ACCESS_TOKEN")
WHATSAPP_APP_SECRET = envstr("WHATSAPP_APP_SECRET")
WHATSAPP_VERIFY_TOKEN = envstr("WHATSAPP_VERIFY_TOKEN")
LALISA_SIMULATOR = envbool("LALISA_SIMULATOR", False)
# Meta sends webhook bodies of up to 3 MB; larger ones are refused before being read.
WHATSAPP_MAX_WEBHOOK_BYTES = 3 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = WHATSAPP_MAX_WEBHOOK_BYTES
# Where the emulator posts its status webhooks (the service's own webhook).
LALISA_WEBHOOK_URL = envstr("LALISA_WEBHOOK_URL", "http://127.0.0.1:8000/webhooks/whatsapp")

# The region this installation serves: code prefix of its Kemendagri data.
LALISA_REGION_CODE = envstr("LALISA_REGION_CODE", "63.11")
LALISA_PHONE_REGION = envstr("LALISA_PHONE_REGION", "ID")

# Every handler masks numbers, ids and secrets (lalisa.logs). Django's own handlers
# (django.utils.log.DEFAULT_LOGGING) would not: its loggers are given these instead.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"personal_data": {"()": "lalisa.logs.PersonalDataFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["personal_data"],
        },
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["personal_data"],
        },
    },
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO"},
        # runserver's request lines, query strings included.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
    },
}
