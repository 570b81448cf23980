"""Shared set-up for benchmarks: a separate database, Django configured against it.

Benchmarks never touch the development or test databases: they use DATABASE_URL's server with
the database name `vale_bench` (or BENCH_DATABASE_URL), created and migrated on first use.
"""

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def bench_database_url() -> str:
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        return explicit
    base = urlparse(os.environ.get("DATABASE_URL", "postgis://vale:vale@127.0.0.1:5432/vale"))
    return urlunparse(base._replace(path="/vale_bench"))


def django_setup() -> None:
    os.environ["DATABASE_URL"] = bench_database_url()
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    _ensure_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _ensure_database() -> None:
    url = urlparse(os.environ["DATABASE_URL"])
    name = url.path.lstrip("/")
    exists = subprocess.run(
        ["runuser", "-u", "postgres", "--", "psql", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True,
    ).stdout.strip()
    if exists != "1":
        subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qc",
                        f'CREATE DATABASE "{name}" OWNER "{url.username}"'], check=True)


def timed(function, *, repeat: int = 5, warmup: int = 1) -> tuple[float, object]:
    """Median wall-clock seconds over `repeat` runs after `warmup` runs, and the last result."""
    result = None
    for _ in range(warmup):
        result = function()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), result
