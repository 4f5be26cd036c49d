"""Settings for the test suite: the production settings with in-process tasks and caches."""

from weconomics.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Argon2 stays (it is what production uses), with the cheapest parameters.
PASSWORD_HASHERS = ["weconomics.settings_test.FastArgon2PasswordHasher"]

from django.contrib.auth.hashers import Argon2PasswordHasher  # noqa: E402


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1

# Live-server threads must not keep connections open past a test, or PostgreSQL
# refuses to drop the test database at the end.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# WhiteNoise looks for the collected static files at start; tests serve from the apps.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Uploaded photos go to a throwaway folder, never into the data folder.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="weconomics-test-media-"))

# SQLite tests use a database file, not shared-cache memory: concurrency tests then run
# real parallel connections with the same WAL and IMMEDIATE locking as production.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(MEDIA_ROOT.parent / (MEDIA_ROOT.name + ".sqlite3"))}  # noqa: F405
