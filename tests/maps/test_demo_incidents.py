"""The Vale demo incidents (maps/demo.py), with `today` pinned to 2026-03-16.

The incidents are loaded once for the module, twice over (the first load rolled back), so that
determinism is a comparison of two real loads; each test then runs in a savepoint on top of the
second. Figures worked out by hand from the data file and the constants:

- The file has 910 rows, every one located (Longitude and Latitude filled) and in the service area.
- Within 800 m of the resort points: 23 rows at Whitmore Bay, 44 on Penarth seafront and none at
  Llantwit Major beach, so 67 resort rows and 843 others. A month holds round(843 f) other incidents
  and round(67 f) resort incidents, twice that in June to August, for its month factor f in
  [0.96, 1.04]; so each month has 809 to 877 others (843 x 0.96 = 809.3, 843 x 1.04 = 876.7).
- The 12 months before March 2026 are 2025-03 to 2026-02: summer is 2025-06/07/08, winter 2025-12,
  2026-01 and 2026-02. Resort summer / resort winter = 2 x (sum of summer f / sum of winter f), and
  the others' summer / winter is that same ratio of sums, so the first is twice the second up to
  rounding (under 1 incident a month in 67).
- Resort points: -3.2718, 51.3920 -> E 311608.0 N 166652.3; -3.1685, 51.4345 -> E 318870.5
  N 171259.1; -3.4990, 51.4000 -> E 295818.9 N 167840.8 (PostGIS, PROJ 9.1).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.contrib.gis.measure import D
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from maps.choices import IncidentSource
from maps.demo import (
    GENERATED_DESCRIPTION,
    REAL_FILE,
    RESORTS,
    IncidentDemoSummary,
    demo_months,
    vale_demo_incidents_load,
)
from maps.imports import street_crime_import
from maps.models import Incident, IncidentImport

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "street_crime"
TODAY = dt.date(2026, 3, 16)
MONTHS = [dt.date(2025, month, 1) for month in range(3, 13)] + [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
SUMMER = [dt.date(2025, 6, 1), dt.date(2025, 7, 1), dt.date(2025, 8, 1)]
WINTER = [dt.date(2025, 12, 1), dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
RESORT_POINTS = [Point(311608.0, 166652.0, srid=27700), Point(318870.0, 171259.0, srid=27700),
                 Point(295819.0, 167841.0, srid=27700)]


def _file_rows() -> list[dict[str, str]]:
    with REAL_FILE.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def _located_rows() -> list[dict[str, str]]:
    return [row for row in _file_rows() if row["Longitude"].strip() and row["Latitude"].strip()]


def _fingerprint() -> str:
    """SHA-256 of every incident's source, month, place and type, in a fixed order (ids differ between loads)."""
    rows = sorted(
        (i.source, i.month.isoformat(), f"{i.location.x:.3f}", f"{i.location.y:.3f}", i.category, i.location_text,
         i.lsoa_code, i.crime_ref)
        for i in Incident.objects.all()
    )
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _generated():
    return Incident.objects.filter(source=IncidentSource.GENERATED)


def _at_resorts(queryset):
    near = [queryset.filter(location__dwithin=(point, D(m=800))) for point in RESORT_POINTS]
    return near[0].union(*near[1:])


@dataclass(frozen=True)
class Loaded:
    summary: IncidentDemoSummary
    first: str
    second: str


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load into an empty database, fingerprint, roll back; load again and keep it for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Incident.objects.exists()
        with transaction.atomic():
            vale_demo_incidents_load(today=TODAY)
            first = _fingerprint()
            transaction.set_rollback(True)
        summary = vale_demo_incidents_load(today=TODAY)
        yield Loaded(summary=summary, first=first, second=_fingerprint())
        transaction.set_rollback(True)


@pytest.fixture
def incidents(loaded, db):
    return loaded


# --- the real month -------------------------------------------------------------------------------

def test_the_data_file_is_the_police_fixture_byte_for_byte():
    fixture = FIXTURES / "2024-01-vale-of-glamorgan.csv"
    assert REAL_FILE.read_bytes() == fixture.read_bytes()
    assert hashlib.sha256(REAL_FILE.read_bytes()).hexdigest() == (
        "f767a9d31f6edfe1e28a327b4a5af8d9083f19eaedee98061cef504e7c6861a4")
    assert "Contains public sector information licensed under the Open Government Licence v3.0" in (
        REAL_FILE.parent / "README.md").read_text()


def test_the_real_january_rows_are_imported_once_each_through_the_police_import(incidents):
    located = _located_rows()
    assert len(located) == len(_file_rows()) == 910
    real = Incident.objects.filter(source=IncidentSource.POLICE_OPEN_DATA)
    assert real.count() == len(located) == incidents.summary.real_imported == incidents.summary.real_total
    assert set(real.values_list("month", flat=True)) == {dt.date(2024, 1, 1)}
    assert Counter(real.values_list("crime_ref", flat=True)) == Counter(row["Crime ID"] for row in located)
    assert Counter(real.values_list("category", flat=True)) == Counter(row["Crime type"] for row in located)
    batch = IncidentImport.objects.get()
    assert (batch.file_name, batch.imported, batch.skipped, batch.months) == (REAL_FILE.name, 910, {}, ["2024-01"])
    assert real.filter(batch=batch).count() == 910


def test_running_the_load_again_adds_and_changes_nothing(incidents):
    summary = vale_demo_incidents_load(today=TODAY)
    assert (summary.real_imported, summary.generated_created, summary.months_generated) == (0, 0, [])
    assert summary.months_present == MONTHS
    assert (summary.real_total, summary.generated_total) == (910, incidents.summary.generated_total)
    assert IncidentImport.objects.count() == 1
    assert _fingerprint() == incidents.second


def test_a_police_month_already_imported_is_not_replaced_by_the_vale_rows(incidents):
    """The import replaces the whole force's month: a fuller file imported before must survive a demo load."""
    Incident.objects.filter(source=IncidentSource.POLICE_OPEN_DATA).delete()
    street_crime_import(path_or_file=FIXTURES / "2024-01-hand-written.csv", file_name="hand-written.csv", by=None)
    police = Incident.objects.filter(source=IncidentSource.POLICE_OPEN_DATA)
    before = sorted(police.values_list("crime_ref", "category"))
    summary = vale_demo_incidents_load(today=TODAY)
    assert summary.real_imported == 0
    assert summary.real_total == len(before) == 3
    assert sorted(police.values_list("crime_ref", "category")) == before


# --- the generated months -------------------------------------------------------------------------

def test_the_twelve_months_before_today_are_generated_and_marked_generated(incidents):
    assert incidents.summary.months_generated == MONTHS
    assert sorted(set(_generated().values_list("month", flat=True))) == MONTHS
    assert set(Incident.objects.exclude(month=dt.date(2024, 1, 1)).values_list("source", flat=True)) == {
        IncidentSource.GENERATED}
    assert set(_generated().values_list("crime_ref", "outcome", "falls_within", "reported_by", "description",
                                        "owner", "batch")) == {
        ("", "", "South Wales Police", "South Wales Police", GENERATED_DESCRIPTION, None, None)}
    assert incidents.summary.generated_total == _generated().count() == incidents.summary.generated_created


def test_the_year_leaves_out_the_real_january_when_it_falls_inside_it():
    months = demo_months(today=dt.date(2024, 6, 10))
    assert months == [dt.date(2023, m, 1) for m in range(6, 13)] + [dt.date(2024, m, 1) for m in range(2, 6)]
    assert demo_months(today=TODAY) == MONTHS


def test_every_incident_is_inside_the_service_area(incidents):
    area = Polygon.from_bbox(settings.SERVICE_AREA_BBOX_27700)
    area.srid = 27700
    assert Incident.objects.filter(location__within=area).count() == Incident.objects.count() > 11_000


def test_every_generated_incident_is_within_30_m_of_a_real_place_of_its_type(incidents):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM maps_incident g WHERE g.source = %s AND NOT EXISTS ("
            " SELECT 1 FROM maps_incident r WHERE r.source = %s AND r.category = g.category"
            " AND r.location_text = g.location_text AND ST_DWithin(r.location, g.location, 30.1))",
            [IncidentSource.GENERATED, IncidentSource.POLICE_OPEN_DATA],
        )
        assert cursor.fetchone() == (0,)


def test_each_month_holds_about_the_real_januarys_volume_outside_the_resorts(incidents):
    for month in MONTHS:
        generated = _generated().filter(month=month)
        others = generated.count() - _at_resorts(generated).count()
        assert 809 <= others <= 877, month


def test_the_resort_points_are_where_their_wgs84_positions_put_them():
    wgs84 = [(-3.2718, 51.3920), (-3.1685, 51.4345), (-3.4990, 51.4000)]
    for resort, point, (lon, lat) in zip(RESORTS, RESORT_POINTS, wgs84, strict=True):
        assert (resort.e, resort.n) == (point.x, point.y)
        assert Point(lon, lat, srid=4326).transform(27700, clone=True).distance(point) < 1.0


def test_the_resorts_are_twice_as_busy_in_summer_and_the_rest_of_the_vale_is_not(incidents):
    summer_resorts = _at_resorts(_generated().filter(month__in=SUMMER)).count()
    winter_resorts = _at_resorts(_generated().filter(month__in=WINTER)).count()
    summer_others = _generated().filter(month__in=SUMMER).count() - summer_resorts
    winter_others = _generated().filter(month__in=WINTER).count() - winter_resorts
    assert summer_resorts / winter_resorts == pytest.approx(2.0, abs=0.16)
    assert summer_others / winter_others == pytest.approx(1.0, abs=0.08)
    # The same month factors scale both, so the resorts' ratio is twice the others' up to rounding.
    assert summer_resorts / winter_resorts == pytest.approx(2 * summer_others / winter_others, rel=0.02)
    for point in RESORT_POINTS[:2]:  # Whitmore Bay and Penarth each peak; Llantwit Major beach has no places
        near = _generated().filter(location__dwithin=(point, D(m=800)))
        assert near.filter(month__in=SUMMER).count() > 1.5 * near.filter(month__in=WINTER).count()
    assert not _generated().filter(location__dwithin=(RESORT_POINTS[2], D(m=800))).exists()


def test_the_generated_crime_types_keep_the_real_januarys_proportions(incidents):
    real = Counter(row["Crime type"] for row in _located_rows())
    generated = Counter(_generated().values_list("category", flat=True))
    assert set(generated) == set(real)
    total_real, total_generated = sum(real.values()), sum(generated.values())
    for category, count in real.items():
        assert generated[category] / total_generated == pytest.approx(count / total_real, abs=0.02), category


# --- determinism ----------------------------------------------------------------------------------

def test_two_loads_into_an_empty_database_are_identical(incidents):
    assert incidents.first == incidents.second


def test_a_month_deleted_and_loaded_again_comes_back_exactly_as_before(incidents):
    _generated().filter(month=dt.date(2025, 7, 1)).delete()
    summary = vale_demo_incidents_load(today=TODAY)
    assert summary.months_generated == [dt.date(2025, 7, 1)]
    assert _fingerprint() == incidents.second


def test_another_seed_places_the_incidents_differently(incidents):
    _generated().delete()
    vale_demo_incidents_load(today=TODAY, seed=7)
    assert _fingerprint() != incidents.second


def test_the_load_takes_under_ten_seconds(incidents):
    assert incidents.summary.elapsed_s < 10


# --- the command ----------------------------------------------------------------------------------

def test_the_command_prints_the_summary(incidents):
    out = io.StringIO()
    call_command("load_vale_incidents", "--today", "2026-03-16", stdout=out)
    total = f"{_generated().count():,}"
    assert out.getvalue().splitlines()[:5] == [
        "Vale demo incidents:",
        "  real (police open data, South Wales Police, 2024-01): 910 incidents; 0 imported by this run",
        f"  generated: {total} incidents; 0 created by this run",
        "    months generated: none",
        "    months already present: " + ", ".join(f"{m:%Y-%m}" for m in MONTHS),
    ]


def test_the_command_refuses_a_today_that_is_not_a_date(incidents):
    with pytest.raises(CommandError, match=r"--today '16/03/2026' is not a date like 2026-03-16"):
        call_command("load_vale_incidents", "--today", "16/03/2026", stdout=io.StringIO())
