"""Test settings: fast hashing, otherwise the same as base (DATABASE_URL/REDIS_URL honoured)."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Mail goes through real SMTP (base.py; EMAIL_PORT set by tests that start aiosmtpd).

# A file, not shared-cache memory: concurrent-writer tests need SQLite's real locking (busy timeout, WAL).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per run, so parallel runs on one machine do not share (and delete) each other's.
    import os
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"cyd-test-{os.getpid()}.sqlite3")}  # noqa: F405

# Each test clears the cache (tests/conftest.py): a per-process memory cache, never a shared Redis.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
