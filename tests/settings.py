"""Settings for the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set."""

import os
from urllib.parse import urlparse

SECRET_KEY = "tests-only-not-secret"
DEBUG = False
USE_TZ = True
TIME_ZONE = "UTC"
ROOT_URLCONF = "tests.urls"
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_amazonpay",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

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
            ]
        },
    }
]

STATIC_URL = "/static/"


def _database_from_url(url: str) -> dict:
    parsed = urlparse(url)
    if parsed.scheme.startswith("postgres"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parsed.path.lstrip("/") or "test",
            "USER": parsed.username or "postgres",
            "PASSWORD": parsed.password or "",
            "HOST": parsed.hostname or "127.0.0.1",
            "PORT": str(parsed.port or 5432),
            # override to run two suites on one server at once
            "TEST": {"NAME": os.environ.get("TEST_DATABASE_NAME", "test_django_amazonpay")},
        }
    raise ValueError(f"unsupported DATABASE_URL scheme: {parsed.scheme}")


#: what the example project and the docs recommend for SQLite (docs/settings.md, SQLite):
#: every transaction takes the write lock when it begins, and a busy database is waited for
SQLITE_OPTIONS = {"transaction_mode": "IMMEDIATE", "timeout": 20}

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": _database_from_url(os.environ["DATABASE_URL"])}
elif os.environ.get("SQLITE_TEST_FILE"):
    # a file that threads and processes share (tests/concurrency runs this way on SQLite; the
    # in-memory database below is one connection's alone)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ["SQLITE_TEST_FILE"],
            "OPTIONS": SQLITE_OPTIONS,
            "TEST": {"NAME": os.environ["SQLITE_TEST_FILE"]},
        }
    }
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The simulator's credentials; the client talks to it in-process (see tests/conftest.py).
AMAZON_PAY = {
    "SELLER_ID": "A1TESTSELLER00",
    "ACCESS_KEY": "AKIATESTACCESSKEY",
    "SECRET_KEY": "test-secret-key/with+chars=",
    "CLIENT_ID": "amzn1.application-oa2-client.test",
    "REGION": "jp",
    "SANDBOX": True,
    "ENDPOINT": "http://amazonpay-simulator.invalid",
    "THROTTLE": False,
}

CELERY_TASK_ALWAYS_EAGER = True
LOGGING_CONFIG = None
