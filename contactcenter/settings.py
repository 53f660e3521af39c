"""Django settings, read from environment variables (see README "Configuration")."""

import os
from pathlib import Path

import dj_database_url

from contactcenter.site.config import StackConfig
from contactcenter.site.secrets import ensure_secrets

STACK = StackConfig.from_env()
BASE_DIR = STACK.repo_dir
VAR_DIR = STACK.var_dir

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or ensure_secrets(STACK.secrets_file).django_secret_key
DEBUG = os.environ.get("DJANGO_DEBUG", "0") == "1"
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "contactcenter.people.admin_site.RoleAdminConfig",  # django.contrib.admin, for the admin role only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",  # `manage.py api_token USERNAME`, sent as "Authorization: Token …"
    "contactcenter.core",
    "contactcenter.ledger",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "contactcenter.campaigns",
    "contactcenter.people",
    "contactcenter.telephony",
    "contactcenter.console",
    "contactcenter.wallboard",
    "contactcenter.supervisors",
    "contactcenter.reports",
    "contactcenter.metrics",
    # manage.py stack|demo|demo_admin: operations tooling, outside the planes (ops/__init__.py)
    "ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files (the admin's CSS, Swagger UI, the console's scripts) from STATIC_ROOT, in the
    # same process: uvicorn serves no files of its own. Before the session middleware, so a
    # static file costs no session or database work.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "contactcenter.urls"
ASGI_APPLICATION = "contactcenter.asgi.application"

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
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'contactcenter.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the ledger writer and Django read/write the same file without blocking each other.
    # IMMEDIATE: a transaction takes the write lock when it begins and waits for it (timeout);
    # a deferred one that reads, then writes after another process wrote, fails at once with
    # "database is locked" (seen with the dialer beside pbx's ledger writer).
    DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20,
                                       "transaction_mode": "IMMEDIATE"}  # fmt: skip

REDIS_URL = os.environ.get("REDIS_URL", STACK.redis_url)

# The queue an answered call goes to when nothing else can take it (pbx's fail-safe); it cannot
# be deleted. (What a campaign may name as its trunk is the Trunk table: contactcenter.telephony.)
CC_FAILSAFE_QUEUE = os.environ.get("CC_FAILSAFE_QUEUE", "support")
# Pre-alert (contactcenter.people.reservations): how long pbx holds an agent for a call at risk
# that has not escalated (ReserveAgent.hold_s, 5-600), and how long past that the dialer's sweep
# waits for pbx's report before freeing the agent itself (pbx gone).
CC_PREALERT_HOLD_S = int(os.environ.get("CC_PREALERT_HOLD_S", "60"))
CC_PREALERT_SWEEP_GRACE_S = float(os.environ.get("CC_PREALERT_SWEEP_GRACE_S", "30"))
# Reports (docs/reports.md): a caller who hangs up within this many seconds of joining a queue is
# a "short abandon", counted apart and left out of the abandon rate and the service level;
# a report covers at most CC_REPORTS_MAX_DAYS days.
CC_SHORT_ABANDON_S = float(os.environ.get("CC_SHORT_ABANDON_S", "5"))
CC_REPORTS_MAX_DAYS = int(os.environ.get("CC_REPORTS_MAX_DAYS", "366"))

# GET /metrics (contactcenter.metrics): Prometheus sends this as "Authorization: Bearer …" (a
# generated secret, var/secrets.json; `manage.py metrics_token` prints it); admins and
# supervisors may also read it logged in. PROMETHEUS_MULTIPROC_DIR (set by the stack for every
# process it starts) is where the processes' counters and histograms are read from.
CC_METRICS_TOKEN = os.environ.get("CC_METRICS_TOKEN") or ensure_secrets(STACK.secrets_file).metrics_token
# pbx's gauges older than this are not shown (pbx is not reporting: cc_pbx_reporting 0).
CC_METRICS_PBX_MAX_AGE_S = float(os.environ.get("CC_METRICS_PBX_MAX_AGE_S", "5"))
# Publish the PBX's configuration to Redis after every change of it (contactcenter.telephony.publisher).
# Off in the tests (tests/conftest.py), so a test's rows never reach a stack running beside them.
PBX_CONFIG_PUBLISH = os.environ.get("CC_PBX_CONFIG_PUBLISH", "1") == "1"

CHANNEL_LAYER_SOCKET_TIMEOUT_S = 30
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # Its receive blocks in Redis for 5 s (BZPOPMIN); redis-py 8's default 5 s socket timeout
        # cut that read short, and every console socket died after 5 idle seconds.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT_S}]},
    }
}

# Supervisors and agents log in here (the admin site's own form takes staff only).
LOGIN_URL = "/login/"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` (run by `make setup`) gathers every app's static files here.
# Per clone, like the database: what it holds follows this clone's code (the console's
# scripts), so the shared cache (one for all clones) is the wrong home for it.
STATIC_ROOT = VAR_DIR / "static"
# From npm into the cache by deploy/local/setup.sh: JsSIP bundled (/static/jssip/jssip.min.js)
# and uPlot for the wallboard's charts (/static/vendor/uplot/uPlot.iife.min.js).
STATICFILES_DIRS = [("jssip", STACK.cache_dir / "jssip"), ("vendor/uplot", STACK.cache_dir / "uplot")]

# The wallboard (docs/wallboard.md): the service level's target (answered within N s) and the
# bands that colour its figures, JSON over the defaults, e.g. '{"service_level": {"warn": 0.9,
# "bad": 0.75}}' (checked when the wallboard starts).
WALLBOARD_SERVICE_LEVEL_S = float(os.environ.get("CC_WALLBOARD_SERVICE_LEVEL_S", "20"))
WALLBOARD_THRESHOLDS = os.environ.get("CC_WALLBOARD_THRESHOLDS", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    # Session first: a browser's anonymous request gets 403, as before tokens.
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication",
                                       "rest_framework.authentication.TokenAuthentication"],
    # Every view asks the role policy (contactcenter/people/policy.py); views name their exceptions.
    "DEFAULT_PERMISSION_CLASSES": ["contactcenter.people.doors.ByRole"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "contactcenter.core.pagination.ApiPages",
    "DEFAULT_PARSER_CLASSES": ["contactcenter.core.parsers.SafeJSONParser", "rest_framework.parsers.FormParser",
                               "rest_framework.parsers.MultiPartParser"],
}

# Hostile input (issue 18): request bodies over these are refused with 413 before Django reads
# them (contactcenter/core/request_limits.py); API lists come in pages of PAGE_SIZE, at most
# max_page_size (contactcenter/core/pagination.py). Uploaded files over Django's
# FILE_UPLOAD_MAX_MEMORY_SIZE (2.5 MB) wait on disk, not in memory.
LEAD_IMPORT_MAX_BYTES = int(os.environ.get("CC_LEAD_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
REQUEST_MAX_BYTES = int(os.environ.get("CC_REQUEST_MAX_BYTES", 10 * 1024 * 1024))

# OpenAPI at /api/schema/, Swagger UI at /api/docs/ (assets served locally: no CDN needed).
SPECTACULAR_SETTINGS = {
    "TITLE": "contactcenter API",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# ---- Hostile input and hardening (issue 18): webhooks, logins, https, secrets in logs.
# Webhooks go to https and public addresses only (workers.webhooks.guard); these open plain
# http and private/loopback/link-local targets for the whole site (a lab, a CRM on the LAN).
CC_WEBHOOK_ALLOW_HTTP = os.environ.get("CC_WEBHOOK_ALLOW_HTTP", "0") == "1"
CC_WEBHOOK_ALLOW_PRIVATE = os.environ.get("CC_WEBHOOK_ALLOW_PRIVATE", "0") == "1"

# Failed logins (the site's, the admin's, the console's forms and API tokens) lock out a user name
# at an address after AXES_FAILURE_LIMIT tries, for AXES_COOLOFF_TIME; a success resets the count.
# `manage.py axes_reset` (or axes_reset_ip / axes_reset_username) lifts a lockout sooner.
from datetime import timedelta  # noqa: E402  (kept with the settings it serves)

INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS = ["contactcenter.people.login_lockout.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]
AXES_FAILURE_LIMIT = int(os.environ.get("CC_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("CC_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its banner on every manage.py command; lockouts are still logged
AXES_LOCKOUT_CALLABLE = "contactcenter.people.login_lockout.lockout_response"
REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] = ["rest_framework.authentication.SessionAuthentication",
                                                    "contactcenter.people.login_lockout.LockoutTokenAuthentication"]

# Served over https (CC_HTTPS=1, e.g. behind a TLS proxy): cookies only over https, HSTS, and
# http redirected to https (but /healthz, which the stack asks over plain http on 127.0.0.1).
CC_HTTPS = os.environ.get("CC_HTTPS", "0") == "1"
if CC_HTTPS:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("CC_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("CC_HSTS_INCLUDE_SUBDOMAINS", "0") == "1"
    if os.environ.get("CC_TRUST_X_FORWARDED_PROTO", "0") == "1":  # only behind a proxy that sets it
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Passwords never reach a log line: every handler masks the site's secrets and URL passwords.
LOGGING["filters"] = {"mask_secrets": {"()": "contactcenter.core.log_masking.MaskSecrets"}}
LOGGING["handlers"]["console"]["filters"] = ["mask_secrets"]
