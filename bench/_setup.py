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


def synthetic_cameras_sql(*, ref_prefix: str, name_prefix: str, groups: str) -> str:
    """INSERT ... SELECT of %(cameras)s cameras of %(owner)s scattered round %(groups)s group centres.

    `groups` names a relation (table or CTE) with columns g, e, n. Fixed cameras get a 60-degree
    sector of 40-80 m drawn as cctv.geometry.field_of_view draws it (a vertex every 2.5 degrees);
    every tenth is a PTZ disc. The three names are the benchmark's own constants, never input.
    """
    return f"""
        INSERT INTO cctv_camera (owner_id, asset_ref, name, location, mounting, kind, make, model_name, status,
            town, ward, bearing_deg, view_angle_deg, view_range_m, view_polygon, retention_days, purpose, dpia_ref,
            has_signage, privacy_masking_notes, publish_field_of_view, created_at, updated_at, status_changed_at)
        SELECT %(owner)s, '{ref_prefix}-' || lpad(c.k::text, 5, '0'), '{name_prefix} ' || c.k, c.pt, 'column',
               CASE WHEN c.k %% 10 = 0 THEN 'ptz' ELSE 'fixed' END, 'Axis', 'Q1800',
               (ARRAY['operational','operational','operational','operational','operational','operational',
                      'operational','operational','degraded','degraded','degraded','degraded','degraded',
                      'degraded','degraded','degraded','faulty','faulty','offline','offline'])[1 + c.k %% 20],
               'Group ' || c.g, '', c.bearing, 60, c.range_m,
               CASE WHEN c.k %% 10 = 0 THEN ST_Buffer(c.pt, c.range_m, 36)
               ELSE ST_MakePolygon(ST_MakeLine(ARRAY[c.pt] || ARRAY(
                   SELECT ST_Translate(c.pt, c.range_m * sin(radians(c.bearing - 30 + 2.5 * s)),
                                             c.range_m * cos(radians(c.bearing - 30 + 2.5 * s)))
                   FROM generate_series(0, 24) s ORDER BY s) || ARRAY[c.pt])) END,
               31, '', '', true, '', false, now(), now(), now()
        FROM (
            SELECT k, grp.g, ST_SetSRID(ST_MakePoint(grp.e + (random() - 0.5) * 1200,
                                                     grp.n + (random() - 0.5) * 1200), 27700) AS pt,
                   floor(random() * 360) AS bearing, 40 + floor(random() * 41) AS range_m
            FROM generate_series(1, %(cameras)s) k JOIN {groups} grp ON grp.g = 1 + k %% %(groups)s
        ) c
    """
