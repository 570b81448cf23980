"""The Vale demo incidents (DESIGN.md section 6): a real month of police data and a generated year around it.

Why it works this way:

* The real rows (maps/demo_data/2024-01-vale-of-glamorgan.csv, see its README for the licence) go through
  the ordinary import, maps.imports.street_crime_import, so they are stored exactly as an upload would
  store them. That import replaces the whole (South Wales Police, 2024-01) month, so it runs only while
  the month holds no police rows: a re-run changes nothing, and a fuller South Wales file imported
  later is never cut back to the Vale's rows.
* The other months are generated from the same file, not from the database, so they do not depend on
  what else was imported: each incident is a row of the real month (its place, LSOA and crime type, so
  crime types keep their real proportions place by place) moved by up to JITTER_M. A month holds about
  as many incidents as the real January (x its month factor, within +-MONTH_VARIATION); the rows within
  RESORT_RADIUS_M of a coastal resort count SUMMER_FACTOR times in June to August.
* Each month draws from its own random stream (seed and month), so skipping a month that already exists
  leaves the others exactly as a full load makes them. A month with any generated incidents is skipped;
  the months are written in one transaction under an advisory lock, so two loads cannot both write one.
* Generated rows have source GENERATED, no Crime ID, no outcome and a description that says so.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import random
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from maps.choices import IncidentSource
from maps.imports import skipped_counts, street_crime_import
from maps.models import Incident

DATA_DIR = Path(__file__).resolve().parent / "demo_data"
REAL_FILE = DATA_DIR / "2024-01-vale-of-glamorgan.csv"
REAL_MONTH = dt.date(2024, 1, 1)
FORCE = "South Wales Police"

MONTHS_GENERATED = 12
JITTER_M = 30.0
RESORT_RADIUS_M = 800.0
SUMMER_MONTHS = frozenset({6, 7, 8})
SUMMER_FACTOR = 2.0
MONTH_VARIATION = 0.04  # each month's volume is the real January's x (1 +- this)
BATCH_SIZE = 1000
GENERATED_LOCK_KEY = zlib.crc32(b"maps.demo.generated_incidents")
GENERATED_DESCRIPTION = "Generated for the demo near a real January 2024 location; not a recorded crime."


@dataclass(frozen=True)
class Resort:
    name: str
    e: float  # EPSG:27700, metres
    n: float


# WGS84 positions transformed by PostGIS (PROJ 9.1), rounded to the metre. Rows of the real January
# within RESORT_RADIUS_M: Whitmore Bay 23, Penarth 44, Llantwit Major 0 (its town centre is 1.4 km inland,
# and January recorded nothing near the beach, so the generator has no place there to multiply).
RESORTS = (
    Resort("Barry Island, Whitmore Bay promenade", 311608.0, 166652.0),  # -3.2718, 51.3920
    Resort("Penarth seafront, the Esplanade at the pier", 318870.0, 171259.0),  # -3.1685, 51.4345
    Resort("Llantwit Major beach, Col-huw", 295819.0, 167841.0),  # -3.4990, 51.4000
)


@dataclass(frozen=True)
class Place:
    """A located row of the real month: where a generated incident may happen, and of what type."""

    e: float
    n: float
    location_text: str
    lsoa_code: str
    lsoa_name: str
    category: str
    resort: bool


@dataclass(frozen=True)
class IncidentDemoSummary:
    """The demo incidents after a load, and what this run added."""

    real_imported: int  # by this run; 0 when the month was already there
    real_total: int
    months_generated: list[dt.date]  # by this run
    months_present: list[dt.date]  # already there, skipped
    generated_created: int
    generated_total: int
    elapsed_s: float

    def lines(self) -> list[str]:
        made = ", ".join(f"{month:%Y-%m}" for month in self.months_generated) or "none"
        kept = ", ".join(f"{month:%Y-%m}" for month in self.months_present) or "none"
        return [
            f"  real (police open data, {FORCE}, {REAL_MONTH:%Y-%m}): {self.real_total:,} incidents; "
            f"{self.real_imported:,} imported by this run",
            f"  generated: {self.generated_total:,} incidents; {self.generated_created:,} created by this run",
            f"    months generated: {made}",
            f"    months already present: {kept}",
            f"  took {self.elapsed_s:.1f} s",
        ]


def demo_months(*, today: dt.date) -> list[dt.date]:
    """The MONTHS_GENERATED months ending with the one before `today`'s, oldest first, without the real month."""
    year, month = today.year, today.month
    months = []
    for _ in range(MONTHS_GENERATED):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.append(dt.date(year, month, 1))
    return [month for month in reversed(months) if month != REAL_MONTH]


def real_month_import() -> int:
    """Import the real month unless the force's month already has police rows; return how many were imported."""
    present = Incident.objects.filter(source=IncidentSource.POLICE_OPEN_DATA, falls_within=FORCE, month=REAL_MONTH)
    if present.exists():
        return 0
    batch = street_crime_import(path_or_file=REAL_FILE, file_name=REAL_FILE.name, by=None)
    if skipped_counts(batch):  # the file is ours and every row is located in the Vale: a skip is a bug
        raise RuntimeError(f"{REAL_FILE.name}: rows skipped on import: {skipped_counts(batch)}")
    return batch.imported


def real_places() -> list[Place]:
    """The real month's located rows inside the service area, in file order, on the British National Grid."""
    with REAL_FILE.open(newline="", encoding="utf-8-sig") as handle:
        rows = [row for row in csv.DictReader(handle) if row["Longitude"] and row["Latitude"]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(p), ST_Y(p) FROM unnest(%s::float8[], %s::float8[]) WITH ORDINALITY AS t(lon, lat, i), "
            "LATERAL ST_Transform(ST_SetSRID(ST_MakePoint(lon, lat), 4326), 27700) AS p ORDER BY i",
            [[float(row["Longitude"]) for row in rows], [float(row["Latitude"]) for row in rows]],
        )
        points = cursor.fetchall()
    return [
        Place(e, n, row["Location"], row["LSOA code"], row["LSOA name"], row["Crime type"], _in_resort(e, n))
        for row, (e, n) in zip(rows, points, strict=True)
        if _in_service_area(e, n)
    ]


def _in_resort(e: float, n: float) -> bool:
    return any(math.hypot(e - resort.e, n - resort.n) <= RESORT_RADIUS_M for resort in RESORTS)


def _in_service_area(e: float, n: float) -> bool:
    min_e, min_n, max_e, max_n = settings.SERVICE_AREA_BBOX_27700
    return min_e <= e <= max_e and min_n <= n <= max_n


def _jittered(place: Place, rng: random.Random) -> tuple[float, float]:
    """A point up to JITTER_M from the place, uniform over the disc, on the same side of every edge.

    A point that would cross a resort zone's edge or leave the service area is drawn again (after five
    tries it stays on the place), so a row counts in the same zone wherever it lands.
    """
    for _ in range(5):
        radius, angle = JITTER_M * math.sqrt(rng.random()), 2 * math.pi * rng.random()
        e = round(place.e + radius * math.cos(angle), 1)
        n = round(place.n + radius * math.sin(angle), 1)
        if _in_resort(e, n) == place.resort and _in_service_area(e, n):
            return e, n
    return round(place.e, 1), round(place.n, 1)


def month_incidents(*, month: dt.date, places: list[Place], seed: int) -> list[Incident]:
    """One generated month: the real places resampled, resorts SUMMER_FACTOR times as busy in summer."""
    rng = random.Random(f"vale-incidents:{seed}:{month:%Y-%m}")
    volume = 1 + rng.uniform(-MONTH_VARIATION, MONTH_VARIATION)
    resort_factor = SUMMER_FACTOR if month.month in SUMMER_MONTHS else 1.0
    resorts = [place for place in places if place.resort]
    others = [place for place in places if not place.resort]
    chosen = (rng.choices(others, k=round(len(others) * volume))
              + rng.choices(resorts, k=round(len(resorts) * volume * resort_factor)))
    incidents = []
    for place in chosen:
        e, n = _jittered(place, rng)
        incidents.append(Incident(
            source=IncidentSource.GENERATED, month=month, reported_by=FORCE, falls_within=FORCE,
            location=Point(e, n, srid=27700), location_text=place.location_text, lsoa_code=place.lsoa_code,
            lsoa_name=place.lsoa_name, category=place.category, description=GENERATED_DESCRIPTION,
        ))
    return incidents


def vale_demo_incidents_load(*, seed: int = 2026, today: dt.date | dt.datetime | None = None) -> IncidentDemoSummary:
    """Load (or complete) the demo incidents as they stand at `today` (now by default; aware if a datetime)."""
    started = time.perf_counter()
    if today is None or isinstance(today, dt.datetime):
        today = timezone.localdate(today)
    real_imported = real_month_import()
    places = real_places()
    generated = Incident.objects.filter(source=IncidentSource.GENERATED, falls_within=FORCE)
    made: list[dt.date] = []
    present: list[dt.date] = []
    created = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [GENERATED_LOCK_KEY])
        for month in demo_months(today=today):
            if generated.filter(month=month).exists():
                present.append(month)
                continue
            created += len(Incident.objects.bulk_create(month_incidents(month=month, places=places, seed=seed),
                                                        batch_size=BATCH_SIZE))
            made.append(month)
    return IncidentDemoSummary(
        real_imported=real_imported,
        real_total=Incident.objects.filter(source=IncidentSource.POLICE_OPEN_DATA, falls_within=FORCE,
                                           month=REAL_MONTH).count(),
        months_generated=made, months_present=present, generated_created=created,
        generated_total=generated.count(), elapsed_s=time.perf_counter() - started,
    )
