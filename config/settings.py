"""Settings for Vale CCTV, read from the environment.

Defaults suit a developer machine set up by bin/setup. Production is any run with
DEBUG false: it refuses to start without a real SECRET_KEY. Every variable is listed
in .env.example.
"""

from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, tile_origin
from config.schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)

_DEV_SECRET = "dev-only-insecure-secret-key-never-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", _DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false.")
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("The development SECRET_KEY cannot be used when DEBUG is false.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "django.contrib.postgres",
    "ninja",
    "config.apps.ConfigConfig",
    "pgtrigger",
    "pghistory",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "accounts",
    "cctv",
    "evidence",
    "maps",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Marks request.user verified when the session holds a confirmed second factor.
    "django_otp.middleware.OTPMiddleware",
    # The one gate for staff whose role needs a second factor (accounts.two_factor).
    "accounts.middleware.SecondFactorRequiredMiddleware",
    # Slides the idle expiry forward, at most once a minute (not a write per request).
    "accounts.middleware.SessionActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a lock-out into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# --- Database ------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", "postgis://vale:vale@127.0.0.1:5432/vale")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] != "django.contrib.gis.db.backends.postgis":
    raise ImproperlyConfigured("DATABASE_URL must use the postgis:// scheme.")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Spatial reference input is accepted only in these EPSG codes (WGS84 and British
# National Grid); everything is stored in 27700. See README "GDAL and spatial references".
STORAGE_SRID = 27700
OUTPUT_SRID = 4326
ALLOWED_INPUT_SRIDS = (4326, 27700)

# --- Auth ----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lock-out after repeated failed sign-ins (django-axes), per username and address.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

SESSION_ENGINE = "accounts.sessions"
# An idle timeout, not a fixed lifetime: accounts.middleware.SessionActivityMiddleware moves the
# expiry on with activity (at most one write a minute, so it expires 0-1 minute after the limit).
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_ACTIVITY_WRITE_SECONDS = 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Two-factor sign-in (TOTP, django-otp). Required for the roles that release evidence or change
# the estate (a test checks this list against accounts.permissions); anyone else may opt in.
# API tokens are not affected: integrations authenticate with a token, not a person's session.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", ["cctv_manager", "operator", "admin"])
TWO_FACTOR_PENDING_MINUTES = 5  # between the password and the code
TWO_FACTOR_RECOVERY_CODES = 10
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Vale CCTV")
OTP_TOTP_THROTTLE_FACTOR = 1  # seconds, doubling with each consecutive wrong code
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Security (production unless DEBUG) ------------------------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# The preload flag only states willingness; listing the domain is a separate, manual step.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content security policy (django-csp): pages carry no inline script or style, and load nothing
# from elsewhere. The browser tests fail on any violation Chromium reports.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Internationalisation and time ---------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never routed: files are streamed by views that check permission
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if env_str("STORAGE_S3_BUCKET", ""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("STORAGE_S3_BUCKET", ""),
            "endpoint_url": env_str("STORAGE_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("STORAGE_S3_REGION", "") or None,
        },
    }
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# --- Email ------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Vale CCTV <cctv@valeofglamorgan.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Celery and Redis ------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Above the longest task (a release bundle of several GB), so an unacknowledged task is
# not handed to a second worker while the first is still working on it.
# The socket timeouts make a Redis that accepts connections but never answers fail a publish (a
# 503, config/queue.py) instead of hanging the request; workers' blocking reads poll in 1 s steps.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600),
    "socket_connect_timeout": 5,
    "socket_timeout": 30,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 5
CELERY_REDIS_SOCKET_TIMEOUT = 30
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic work, all in one place. Apps add their entries in config/schedule.py.
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# How long /healthz waits for a Celery worker to answer a ping.
HEALTH_WORKER_TIMEOUT_S = float(env_str("HEALTH_WORKER_TIMEOUT_S", "1.5"))

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"},
                "fontTools": {"level": "WARNING"}},
}

# --- System checks -----------------------------------------------------------------------------
# gis.W001: Debian 12's GDAL (3.6) cannot block file and network access while parsing a
# spatial reference, so a crafted SRS string could make GDAL read a file or a URL. We never
# hand user input to GDAL as an SRS: input SRIDs are integers from ALLOWED_INPUT_SRIDS, and
# config.checks fails start-up if that list holds anything else. README explains.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# --- The service area ------------------------------------------------------------------------
# Coordinates outside this box (British National Grid, metres: min E, min N, max E, max N)
# are refused as out of area. The default covers the Vale of Glamorgan with a margin.
SERVICE_AREA_BBOX_27700 = tuple(
    float(part) for part in env_list("SERVICE_AREA_BBOX_27700", ["280000", "160000", "330000", "190000"])
)
if len(SERVICE_AREA_BBOX_27700) != 4:
    raise ImproperlyConfigured("SERVICE_AREA_BBOX_27700 must be four numbers: min E, min N, max E, max N.")

# --- Maps ------------------------------------------------------------------------------------
# Basemap tiles come from this URL template ({z}/{x}/{y}); empty means no basemap. The map
# shows every layer without one, and says so, rather than a blank page.
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION", "")
if MAP_TILE_URL:  # the one outside origin a page may load from: the configured basemap's
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(tile_origin(MAP_TILE_URL))

# --- Estate ------------------------------------------------------------------------------------
# A camera offline for longer than this opens a fault by itself (health feed).
HEALTH_OFFLINE_FAULT_MINUTES = env_int("HEALTH_OFFLINE_FAULT_MINUTES", 30)
# Health events older than this are refused: the feed reports the present, not archives.
HEALTH_EVENT_MAX_AGE_DAYS = env_int("HEALTH_EVENT_MAX_AGE_DAYS", 7)
SNAPSHOT_MAX_BYTES = env_int("SNAPSHOT_MAX_BYTES", 10 * 1024 * 1024)
SNAPSHOT_MAX_PIXELS = env_int("SNAPSHOT_MAX_PIXELS", 40_000_000)

# --- Evidence --------------------------------------------------------------------------------
# The council's Ed25519 key that signs release manifests; its public half is published. In
# production a missing key stops the service (run `manage.py signing_key_create`): a silently
# new key would not match the published one.
EVIDENCE_SIGNING_KEY_FILE = Path(
    env_str("EVIDENCE_SIGNING_KEY_FILE", str(VAR_DIR / "keys" / "evidence-signing-ed25519.pem"))
)
EVIDENCE_SIGNER_NAME = env_str("EVIDENCE_SIGNER_NAME", "Vale of Glamorgan Council")
EVIDENCE_SIGNING_KEY_AUTO_CREATE = env_bool("EVIDENCE_SIGNING_KEY_AUTO_CREATE", DEBUG)
# Bundles are assembled here, then renamed into MEDIA_ROOT: keep it on the same filesystem.
EVIDENCE_BUNDLE_WORK_DIR = Path(env_str("EVIDENCE_BUNDLE_WORK_DIR", str(VAR_DIR / "tmp" / "bundles")))
# Exhibit uploads: the largest accepted file, and how long the service keeps its own copies
# (7 calendar years: Limitation Act 1980 ss.2, 5 six years for civil claims, plus a year to serve).
EXHIBIT_MAX_BYTES = env_int("EXHIBIT_MAX_BYTES", 20 * 1024**3)
EXHIBIT_RETENTION_DAYS = env_int("EXHIBIT_RETENTION_DAYS", 2557)
# Alerts before each evidence deadline (minutes ahead, per kind), police service targets by
# urgency (hours from receipt), and how far from a request's location cameras are considered.
EVIDENCE_ALERT_LEAD_MINUTES = {"overwrite": [1440, 240], "sar_due": [10080, 1440], "police_target": [240]}
POLICE_TARGET_HOURS = {"routine": 168, "urgent": 24, "immediate": 2}
EVIDENCE_SUGGEST_RADIUS_M = env_int("EVIDENCE_SUGGEST_RADIUS_M", 500)
# The public page's online subject access requests: at most this many per address an hour (the
# count is of the access log's entries, so it holds across web workers).
PUBLIC_SAR_PER_ADDRESS_PER_HOUR = env_int("PUBLIC_SAR_PER_ADDRESS_PER_HOUR", 5)
# Proposals: the fibre rate a new proposal's cost estimate uses (stored on the proposal).
PROPOSAL_FIBRE_COST_GBP_PER_M = env_str("PROPOSAL_FIBRE_COST_GBP_PER_M", "85")
