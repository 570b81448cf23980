"""Police street-level crime import: every quirk counted, months replaced whole, failures change nothing.

tests/fixtures/street_crime/README.md lists the hand-written file row by row. Points used, with their
EPSG:27700 position as PostGIS (PROJ 9.1) gives it:
  Barry        -3.27, 51.40        -> E 311748.6, N 167539.8
  Penarth      -3.169, 51.435      -> E 318836.6, N 171315.3
  Cowbridge    -3.447, 51.461      -> E 299570.1, N 174551.7
  Blaenau Gwent -3.244169, 51.7827 -> E 314270.0, N 210070.0 (north of the service area's N 190000)
"""

import codecs
import csv
import hashlib
import threading
from collections import Counter
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from celery.result import AsyncResult
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections

from accounts.choices import Role
from accounts.exceptions import InvalidInput
from cctv.geometry import in_service_area
from maps.choices import ImportStatus, IncidentSource
from maps.imports import (
    BAD_COORDINATES,
    BAD_MONTH,
    BLANK_ROW,
    NO_CRIME_TYPE,
    NO_FORCE,
    NO_LOCATION,
    OUTSIDE_SERVICE_AREA,
    TOO_LONG,
    WRONG_COLUMN_COUNT,
    import_task_id,
    skipped_counts,
    skipped_rows,
    street_crime_import,
)
from maps.models import Incident, IncidentImport
from maps.tasks import street_crime_import_task
from tests.maps import maps_api_urlconf

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "street_crime"
HAND_WRITTEN = FIXTURES / "2024-01-hand-written.csv"
HAND_WRITTEN_UPDATE = FIXTURES / "2024-01-hand-written-update.csv"
VALE = FIXTURES / "2024-01-vale-of-glamorgan.csv"
HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,"
          "Last outcome category,Context")
SWP = "South Wales Police,South Wales Police"
CRIME_A = "a" * 63 + "1"
CRIME_G = "0" * 63 + "7"


def police_csv(*rows: str, header: str = HEADER) -> bytes:
    return "".join(f"{line}\r\n" for line in (header, *rows)).encode("utf-8")


def row(crime_ref: str = "", month: str = "2024-01", lon: str = "-3.270000", lat: str = "51.400000",
        location: str = "On or near Holton Road", category: str = "Public order",
        outcome: str = "Under investigation", forces: str = SWP) -> str:
    return f"{crime_ref},{month},{forces},{lon},{lat},{location},W01001088,Vale of Glamorgan 012A,{category},{outcome},"


def run(path_or_file, file_name: str = "street.csv", **kwargs) -> IncidentImport:
    if isinstance(path_or_file, bytes):
        from io import BytesIO

        path_or_file = BytesIO(path_or_file)
    return street_crime_import(path_or_file=path_or_file, file_name=file_name, by=kwargs.pop("by", None), **kwargs)


def incidents_now() -> list[tuple]:
    return list(Incident.objects.order_by("id").values_list("id", "crime_ref", "outcome", "month"))


# --- the hand-written file: one row per quirk -------------------------------------------------------

def test_the_hand_written_file_imports_three_rows_and_counts_each_skipped_row_with_its_reason_and_number(db):
    batch = run(HAND_WRITTEN, file_name=HAND_WRITTEN.name)

    assert (batch.status, batch.rows_total, batch.rows_done, batch.imported) == (ImportStatus.DONE, 8, 8, 3)
    assert skipped_counts(batch) == {
        BAD_COORDINATES: 1, BAD_MONTH: 1, NO_LOCATION: 1, OUTSIDE_SERVICE_AREA: 1, WRONG_COLUMN_COUNT: 1,
    }
    assert skipped_rows(batch) == {
        BAD_COORDINATES: [8], BAD_MONTH: [9], NO_LOCATION: [5], OUTSIDE_SERVICE_AREA: [6], WRONG_COLUMN_COUNT: [7],
    }
    assert batch.months == ["2024-01"]
    assert batch.file_sha256 == hashlib.sha256(HAND_WRITTEN.read_bytes()).hexdigest()
    assert batch.imported + sum(skipped_counts(batch).values()) == batch.rows_total
    assert Incident.objects.count() == 3


def test_imported_rows_keep_their_columns_and_lie_where_the_police_put_them(db):
    batch = run(HAND_WRITTEN)
    barry, penarth, asb = Incident.objects.order_by("id")

    assert (barry.crime_ref, barry.month, barry.category, barry.outcome) == (
        CRIME_A, date(2024, 1, 1), "Violence and sexual offences", "Under investigation")
    assert (barry.reported_by, barry.falls_within, barry.lsoa_code, barry.lsoa_name) == (
        "South Wales Police", "South Wales Police", "W01001088", "Vale of Glamorgan 012A")
    assert (barry.source, barry.batch_id, barry.owner_id, barry.context) == (
        IncidentSource.POLICE_OPEN_DATA, batch.pk, None, "")
    assert barry.location.srid == 27700
    assert (round(barry.location.x, 1), round(barry.location.y, 1)) == (311748.6, 167539.8)
    assert penarth.location_text == "On or near Plymouth Road, Penarth"  # the quoted comma stays in the cell
    assert (round(penarth.location.x, 1), round(penarth.location.y, 1)) == (318836.6, 171315.3)
    assert (asb.crime_ref, asb.category) == ("", "Anti-social behaviour")  # kept: an incident without a Crime ID
    assert (round(asb.location.x, 1), round(asb.location.y, 1)) == (299570.1, 174551.7)


def test_a_file_without_a_byte_order_mark_or_crlf_reads_the_same(db):
    text = HAND_WRITTEN.read_bytes()[len(codecs.BOM_UTF8):].replace(b"\r\n", b"\n")
    batch = run(text)
    assert (batch.imported, skipped_counts(batch)[WRONG_COLUMN_COUNT]) == (3, 1)


def test_the_service_area_is_read_from_settings(db, settings):
    settings.SERVICE_AREA_BBOX_27700 = (311000.0, 167000.0, 312000.0, 168000.0)  # a square kilometre of Barry
    batch = run(HAND_WRITTEN)
    assert batch.imported == 1
    assert skipped_rows(batch)[OUTSIDE_SERVICE_AREA] == [3, 4, 6]
    assert Incident.objects.get().crime_ref == CRIME_A


# --- re-imports replace the month ------------------------------------------------------------------

def test_a_re_import_of_the_month_replaces_it_without_duplicates_and_updates_outcomes(db):
    first = run(HAND_WRITTEN)
    second = run(HAND_WRITTEN_UPDATE)

    assert (second.imported, second.removed, skipped_counts(second)) == (4, 3, {})
    assert Incident.objects.count() == 4
    assert Incident.objects.filter(crime_ref=CRIME_A).get().outcome == "Investigation complete; no suspect identified"
    assert Incident.objects.filter(crime_ref="").count() == 1  # the ASB row, once
    assert Incident.objects.filter(crime_ref=CRIME_G).exists()  # the new crime
    assert set(Incident.objects.values_list("batch_id", flat=True)) == {second.pk}
    assert not first.incidents.exists()


def test_a_re_import_leaves_other_months_other_forces_and_local_records_alone(db, cctv_manager):
    december = run(police_csv(row("d" * 64, month="2023-12")))
    gwent = run(police_csv(row("e" * 64, forces="Gwent Police,Gwent Police")))
    local = Incident.objects.create(source=IncidentSource.LOCAL, month=date(2024, 1, 1), category="Drugs",
                                    location=Point(311748.6, 167539.8, srid=27700), owner=cctv_manager.organisation)
    run(HAND_WRITTEN)
    january = run(HAND_WRITTEN_UPDATE)

    assert january.units == [("South Wales Police", date(2024, 1, 1))]
    assert Incident.objects.filter(batch=december).count() == 1
    assert Incident.objects.filter(batch=gwent, falls_within="Gwent Police").count() == 1
    assert Incident.objects.filter(pk=local.pk).exists()
    assert Incident.objects.count() == 1 + 1 + 1 + 4


def test_a_file_of_two_months_replaces_both_and_only_those(db):
    run(police_csv(row("1" * 64, month="2023-11"), row("2" * 64, month="2023-12"), row("3" * 64, month="2024-01")))
    batch = run(police_csv(row("4" * 64, month="2023-12"), row("5" * 64, month="2024-01")))
    assert batch.months == ["2023-12", "2024-01"]
    assert sorted(Incident.objects.values_list("crime_ref", flat=True)) == ["1" * 64, "4" * 64, "5" * 64]


def test_rows_of_a_month_that_all_lack_a_location_still_replace_that_month(db):
    run(police_csv(row("1" * 64)))
    batch = run(police_csv(row("2" * 64, lon="", lat="", location="No Location")))
    assert (batch.imported, batch.months, skipped_counts(batch)) == (0, ["2024-01"], {NO_LOCATION: 1})
    assert not Incident.objects.exists()


# --- a malformed row is skipped and named; a malformed file imports nothing ---------------------------

@pytest.mark.parametrize(("line", "reason"), [
    ("", BLANK_ROW),
    (",,,,,,,,,,,", BLANK_ROW),
    (row("1" * 64) + ",extra", WRONG_COLUMN_COUNT),
    (row("1" * 64, month="2024-13"), BAD_MONTH),
    (row("1" * 64, month="2024-1"), BAD_MONTH),
    (row("1" * 64, month="0000-01"), BAD_MONTH),
    (row("1" * 64, forces="South Wales Police,"), NO_FORCE),
    (row("1" * 64, category=""), NO_CRIME_TYPE),
    (row("1" * 65), TOO_LONG),
    (row("1" * 64, location="x" * 201), TOO_LONG),
    (row("1" * 64, lat="91"), BAD_COORDINATES),
    (row("1" * 64, lon="nan"), BAD_COORDINATES),
    (row("1" * 64, lon=""), BAD_COORDINATES),
    (row("1" * 64, lon="-3.27 W"), BAD_COORDINATES),
    (row("1" * 64, lon="90", lat="0"), OUTSIDE_SERVICE_AREA),  # PROJ cannot put it on the grid at all
    (row("1" * 64, lon="", lat=""), NO_LOCATION),
])
def test_each_kind_of_bad_row_is_skipped_with_its_reason_and_the_rest_are_imported(db, line, reason):
    batch = run(police_csv(row("9" * 64), line, row("8" * 64)))
    assert (batch.status, batch.rows_total, batch.imported) == (ImportStatus.DONE, 3, 2)
    assert skipped_rows(batch) == {reason: [3]}


def test_only_the_first_twenty_row_numbers_of_a_reason_are_kept_but_every_row_is_counted(db):
    batch = run(police_csv(*[row(f"{n:064d}", lon="", lat="") for n in range(25)]))
    assert skipped_counts(batch) == {NO_LOCATION: 25}
    assert skipped_rows(batch) == {NO_LOCATION: list(range(2, 22))}


@pytest.mark.parametrize(("content", "detail"), [
    (police_csv(row(), header=HEADER.replace(",Crime type", "")),
     "This is not a police street-level crime file: the header has no 'Crime type' column."),
    (police_csv(row(), header=HEADER.replace("Crime type", "Offence").replace("Month", "Date")),
     "This is not a police street-level crime file: the header has no 'Month', 'Crime type' columns."),
    (police_csv(header=HEADER + ",Month"), "The header names the column 'Month' twice; nothing was imported."),
    (b"", "The file is empty: the first row must name the police columns; nothing was imported."),
    (police_csv(row(location='"On or near Holton Road')),
     "The file is not valid CSV: the row that starts on line 2: unexpected end of data; nothing was imported."),
    (police_csv(row(), row(location='"On or near" Holton Road')),
     "The file is not valid CSV: the row that starts on line 3: ',' expected after '\"'; nothing was imported."),
    (police_csv(row(location="On or near Holton\x00Road")),
     "The file holds binary data (a spreadsheet workbook?), not CSV text; nothing was imported."),
])
def test_a_malformed_file_imports_nothing_and_says_what_is_wrong(db, content, detail):
    before = run(HAND_WRITTEN)
    earlier = incidents_now()

    with pytest.raises(InvalidInput) as raised:
        run(content, file_name="bad.csv")

    assert raised.value.detail.startswith(detail)
    assert incidents_now() == earlier
    failed = IncidentImport.objects.exclude(pk=before.pk).get()
    assert (failed.status, failed.error, failed.imported) == (ImportStatus.FAILED, raised.value.detail, 0)


def test_a_windows_1252_file_imports_nothing_and_names_the_first_byte_that_is_not_utf8(db):
    run(HAND_WRITTEN)
    earlier = incidents_now()
    content = police_csv(row("1" * 64), row("2" * 64, location="On or near Caf\u00e9 Street")).decode().encode("cp1252")
    offset = content.index(b"\xe9")

    with pytest.raises(InvalidInput) as raised:
        run(content)

    assert raised.value.detail == (
        f"The file is not UTF-8: byte {offset + 1} (line 3) is 0xE9. Save it as CSV UTF-8, as data.police.uk "
        "publishes it; nothing was imported.")
    assert incidents_now() == earlier


def test_a_file_with_only_a_header_imports_nothing_and_replaces_nothing(db):
    run(HAND_WRITTEN)
    batch = run(police_csv())
    assert (batch.status, batch.rows_total, batch.imported, batch.months) == (ImportStatus.DONE, 0, 0, [])
    assert Incident.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_an_import_that_fails_part_way_leaves_the_earlier_month_as_it_was():
    run(HAND_WRITTEN)
    earlier = incidents_now()

    def fail_at_the_second_chunk(done: int, total: int) -> None:
        if done > 100:
            raise RuntimeError("the worker was stopped")

    with pytest.raises(RuntimeError):
        run(VALE, progress=fail_at_the_second_chunk, chunk_rows=100)

    assert incidents_now() == earlier
    failed = IncidentImport.objects.latest("id")
    assert (failed.status, failed.rows_done) == (ImportStatus.FAILED, 200)
    assert failed.error.startswith("The import stopped on an unexpected error; nothing was changed.")


# --- the real Vale rows -------------------------------------------------------------------------------

def test_the_real_vale_rows_import_except_those_without_a_location_and_all_lie_in_the_service_area(db):
    with VALE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    located = [r for r in rows if r["Longitude"] and r["Latitude"]]

    batch = run(VALE)

    assert len(rows) == 910
    assert (batch.rows_total, batch.imported) == (len(rows), len(located))
    assert skipped_counts(batch) == ({NO_LOCATION: len(rows) - len(located)} if len(located) < len(rows) else {})
    incidents = list(Incident.objects.all())
    assert all(in_service_area(incident.location) for incident in incidents)
    assert Counter(i.category for i in incidents) == Counter(r["Crime type"] for r in located)
    assert sum(1 for i in incidents if not i.crime_ref) == sum(1 for r in located if not r["Crime ID"])
    assert {i.crime_ref for i in incidents if i.crime_ref} == {r["Crime ID"] for r in located if r["Crime ID"]}


@pytest.mark.django_db(transaction=True)
def test_progress_commits_as_rows_are_read_while_the_incidents_change_only_at_the_end():
    """What another session (the import page) sees at each progress call, read over a second connection."""
    seen = []
    observer = connections.create_connection("default")

    def look(done: int, total: int) -> None:
        with observer.cursor() as cursor:
            cursor.execute("SELECT rows_done, rows_total FROM maps_incidentimport ORDER BY id DESC LIMIT 1")
            committed = cursor.fetchone()
            cursor.execute("SELECT count(*) FROM maps_incident")
            seen.append(((done, total), committed, cursor.fetchone()[0]))

    try:
        run(HAND_WRITTEN)
        batch = run(VALE, progress=look, chunk_rows=250)
    finally:
        observer.close()

    assert seen == [((250, 910), (250, 910), 3), ((500, 910), (500, 910), 3), ((750, 910), (750, 910), 3),
                    ((910, 910), (910, 910), 3)]
    assert (batch.rows_done, batch.imported, Incident.objects.count()) == (910, 910, 910)


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_month_at_once_leave_one_copy_of_it():
    both_staged = threading.Barrier(2, timeout=30)
    errors = []

    def import_vale() -> None:
        try:
            run(VALE, progress=lambda done, total: both_staged.wait() if done == total else None)
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=import_vale) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert Incident.objects.count() == 910
    assert list(IncidentImport.objects.values_list("status", flat=True)) == [ImportStatus.DONE] * 2


# --- the task, through a real worker ------------------------------------------------------------------

def upload(client, user, content: bytes, name: str = "2024-01-south-wales-street.csv"):
    client.force_login(user)
    return client.post("/api/maps/incidents/import", {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def api_mounted(db, settings):
    maps_api_urlconf(settings)


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_an_upload_is_stored_under_a_name_of_our_choosing_and_queued(client, cctv_manager, api_mounted, media_root):
    response = upload(client, cctv_manager, VALE.read_bytes(), name="../../etc/passwd.csv")

    assert response.status_code == 202
    body = response.json()
    assert (body["status"], body["rows_total"], body["rows_done"], body["file_name"]) == (
        "queued", 910, 0, "passwd.csv")
    stored = list((media_root / "incident-imports").iterdir())
    assert len(stored) == 1 and stored[0].name != "passwd.csv"
    assert hashlib.sha256(stored[0].read_bytes()).hexdigest() == body["file_sha256"]


@pytest.mark.django_db(transaction=True)
def test_the_uploaded_file_is_imported_by_the_worker_to_done_with_every_row_read(client, celery_worker, media_root,
                                                                                 settings):
    maps_api_urlconf(settings)
    from tests.accounts.factories import OrganisationFactory, UserFactory

    manager = UserFactory(username="manager", role=Role.CCTV_MANAGER, organisation=OrganisationFactory())
    response = upload(client, manager, VALE.read_bytes())
    assert response.status_code == 202
    import_id = response.json()["id"]

    result = AsyncResult(import_task_id(IncidentImport.objects.get(pk=import_id))).get(timeout=60)

    progress = client.get(f"/api/maps/incidents/imports/{import_id}").json()
    assert (progress["status"], progress["rows_done"], progress["rows_total"], progress["imported"]) == (
        "done", 910, 910, 910)
    assert progress["months"] == ["2024-01"] and progress["created_by"] == "manager"
    assert result == {"id": import_id, "status": "done", "rows_total": 910, "rows_done": 910, "imported": 910,
                      "skipped": {}, "months": ["2024-01"]}
    assert Incident.objects.count() == 910

    # A message delivered again after a worker died mid-import finds the import running with some rows
    # read and starts it over: the same result, no duplicates.
    stored = next((media_root / "incident-imports").iterdir())
    IncidentImport.objects.filter(pk=import_id).update(status=ImportStatus.RUNNING, rows_done=400)
    again = street_crime_import_task.delay(import_id, f"incident-imports/{stored.name}").get(timeout=60)
    assert again == result
    assert Incident.objects.count() == 910

    # Once done, a repeat changes nothing even if a newer import of the month has happened since.
    run(HAND_WRITTEN)
    assert street_crime_import_task.delay(import_id, f"incident-imports/{stored.name}").get(timeout=60) == result
    assert Incident.objects.count() == 3


def test_a_task_whose_stored_file_has_gone_marks_the_import_failed(db, cctv_manager, media_root):
    batch = IncidentImport.objects.create(file_name="gone.csv", file_sha256="0" * 64, created_by=cctv_manager)
    assert street_crime_import_task(batch.pk, "incident-imports/gone.csv")["status"] == ImportStatus.FAILED
    batch.refresh_from_db()
    assert batch.error == "The uploaded file is no longer stored; nothing was imported. Upload it again."


def test_a_stored_file_that_differs_from_the_upload_is_not_imported(db, cctv_manager, media_root):
    (media_root / "incident-imports").mkdir()
    (media_root / "incident-imports" / "x.csv").write_bytes(HAND_WRITTEN.read_bytes())
    batch = IncidentImport.objects.create(file_name="x.csv", file_sha256="0" * 64, created_by=cctv_manager)

    street_crime_import_task(batch.pk, "incident-imports/x.csv")

    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert batch.error.startswith("The stored file is not the one that was uploaded (its SHA-256 differs)")
    assert not Incident.objects.exists()


# --- the API: who may import, and a bad file refused at once ------------------------------------------

@pytest.mark.parametrize(("role", "status_code"), [
    (Role.CCTV_MANAGER, 202), (Role.ADMIN, 202), (Role.OPERATOR, 403), (Role.OG_MEMBER, 403),
    (Role.POLICE_REQUESTER, 403), ("police_other", 403), (Role.ENGINEER, 403), (Role.AUDITOR, 403),
])
def test_only_a_cctv_manager_or_an_administrator_may_import(client, people, api_mounted, media_root, role,
                                                             status_code):
    response = upload(client, people[role], HAND_WRITTEN.read_bytes())
    assert response.status_code == status_code
    if status_code == 403:
        assert response.json() == {"detail": "Your role may not import incidents."}
        assert not IncidentImport.objects.exists()


def test_a_file_that_is_not_the_police_format_is_refused_at_upload_and_nothing_is_kept(client, cctv_manager,
                                                                                      api_mounted, media_root):
    response = upload(client, cctv_manager, police_csv(row(), header=HEADER.replace("Crime type", "Offence")))
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "This is not a police street-level crime file: the header has no 'Crime type' column.")
    assert not IncidentImport.objects.exists()
    assert not (media_root / "incident-imports").exists() or not any((media_root / "incident-imports").iterdir())


def test_a_file_over_the_limit_is_refused_with_413(client, cctv_manager, api_mounted, media_root, settings):
    settings.INCIDENT_IMPORT_MAX_BYTES = 1000
    response = upload(client, cctv_manager, HAND_WRITTEN.read_bytes())
    assert response.status_code == 413
    assert response.json() == {"detail": f"The file is {HAND_WRITTEN.stat().st_size:,} bytes; the import limit is "
                                         "1,000 bytes. Import a force's months one file at a time."}


@pytest.mark.parametrize(("role", "status_code"), [
    (Role.CCTV_MANAGER, 200), (Role.AUDITOR, 200), (Role.OPERATOR, 200), (Role.POLICE_REQUESTER, 403),
])
def test_staff_see_an_imports_progress_and_counts_and_police_do_not(client, people, api_mounted, role, status_code):
    batch = run(HAND_WRITTEN, by=people[Role.CCTV_MANAGER])
    client.force_login(people[role])
    response = client.get(f"/api/maps/incidents/imports/{batch.pk}")
    assert response.status_code == status_code
    if status_code == 200:
        body = response.json()
        assert (body["status"], body["rows_total"], body["rows_done"], body["imported"]) == ("done", 8, 8, 3)
        assert body["skipped"] == skipped_counts(batch)
        assert body["skipped_rows"][WRONG_COLUMN_COUNT] == [7]
        assert body["created_by"] == "manager"


def test_an_import_that_does_not_exist_is_a_404(client, cctv_manager, api_mounted):
    client.force_login(cctv_manager)
    assert client.get("/api/maps/incidents/imports/999999").status_code == 404


# --- the command -------------------------------------------------------------------------------------

def test_the_command_prints_what_it_imported_and_skipped_and_the_months_it_replaced(db):
    out = StringIO()
    call_command("import_street_crime", str(HAND_WRITTEN), str(VALE), stdout=out)
    first, second = IncidentImport.objects.order_by("id")
    assert out.getvalue().splitlines() == [
        f"2024-01-hand-written.csv: imported 3, skipped 5 (import {first.pk})",
        "  coordinates are not a longitude and latitude: 1 (row 8)",
        "  month is not YYYY-MM: 1 (row 9)",
        "  no location: 1 (row 5)",
        "  outside the service area: 1 (row 6)",
        "  wrong number of columns: 1 (row 7)",
        "  months replaced: 2024-01 (South Wales Police) (0 earlier incidents removed)",
        f"2024-01-vale-of-glamorgan.csv: imported 910, skipped 0 (import {second.pk})",
        "  months replaced: 2024-01 (South Wales Police) (3 earlier incidents removed)",
    ]


def test_the_command_prints_thousands_with_commas_and_lists_at_most_twenty_rows(db, tmp_path):
    path = tmp_path / "2024-01-no-locations.csv"
    path.write_bytes(police_csv(*[row(f"{n:064d}", lon="", lat="") for n in range(1200)]))
    out = StringIO()
    call_command("import_street_crime", str(path), stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == f"2024-01-no-locations.csv: imported 0, skipped 1,200 (import {IncidentImport.objects.get().pk})"
    assert lines[1] == "  no location: 1,200 (rows " + ", ".join(str(n) for n in range(2, 22)) + ", ...)"


def test_the_command_reports_a_malformed_file_and_goes_on_with_the_next(db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes(police_csv(row(), header=HEADER.replace("Crime type", "Offence")))
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="1 of 2 files not imported."):
        call_command("import_street_crime", str(bad), str(HAND_WRITTEN), stdout=out, stderr=err)

    assert err.getvalue().startswith("bad.csv: not imported. This is not a police street-level crime file")
    assert "2024-01-hand-written.csv: imported 3, skipped 5" in out.getvalue()
    assert Incident.objects.count() == 3
