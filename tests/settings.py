"""Test settings: every test session gets its own data dir unless one is given."""

import os
import tempfile

os.environ.setdefault("BIMFLOW_DATA_DIR", tempfile.mkdtemp(prefix="bimflow-test-"))

from bimflow.settings import *  # noqa: E402,F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that worker processes started by tests see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
# Fast hashing for the many users tests create; server processes started by tests use
# the real settings, so users who log in to them get a PBKDF2 password
# (tests.conftest.server_password).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
