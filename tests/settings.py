"""Test settings: every test session gets its own data dir unless one is given."""

import os
import tempfile

os.environ.setdefault("BIMFLOW_DATA_DIR", tempfile.mkdtemp(prefix="bimflow-test-"))

from bimflow.settings import *  # noqa: E402,F403

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that worker processes started by tests see the same data.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
