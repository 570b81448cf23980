"""Police street-level crime CSV (data.police.uk) into incidents, a force's month at a time.

Why it works this way:

* A file is the police's monthly publication for a force. A later file for the same month updates
  outcomes and may drop crimes, and ASB rows have no Crime ID, so rows are not matched one by one:
  (source, Falls within, month) is the unit of replacement. An import deletes the units present in
  its file and inserts the file's rows, in ONE transaction under an advisory lock, so two imports of
  one month cannot both insert. Nothing of ours changes before that transaction, so an import that
  fails at any point leaves the earlier data exactly as it was.
* A FILE that is not the police format (empty, not UTF-8, not CSV, a column missing or renamed)
  imports nothing and says why. One bad ROW is skipped and counted under its reason, with its row
  number as a spreadsheet shows it (the header is row 1); the first ROWS_LISTED_PER_REASON of each
  reason are kept. Rows with no location (published as "No Location", empty coordinates) and rows
  outside the service area are counted the same way: they are normal and never stop an import.
* Coordinates are transformed in PostGIS, a chunk of rows at a time (COPY into a temporary table,
  then one INSERT ... SELECT with ST_Transform into a staging table); the swap is then a plain copy, so the one
  transaction readers may wait on stays short, and rows_done commits after each chunk so the import
  page can show progress. The service-area test is `location && envelope`, inclusive at the edges
  like cctv.geometry.in_service_area, on settings.SERVICE_AREA_BBOX_27700. The staging table
  belongs to the database session: an import needs one session from start to end (a worker or a
  command has one; a transaction-pooling proxy would not give it).
  Measured on the 10,885-row South Wales January 2024 file (2 vCPUs shared with other work): the whole
  import ~0.55 s, ~19,000 rows/s (reading and parsing ~0.2 s of it). Staging by COPY took ~0.12 s
  where binding the same rows as unnested arrays took ~0.5 s, and a GDAL transform per row in Python
  (cctv.geometry's cached one) ~1.9 s for the points alone.

`skipped` is stored as {reason: {"count": n, "rows": [first row numbers]}}; read it through
skipped_counts() and skipped_rows().
"""

from __future__ import annotations

import csv
import hashlib
import io
import logging
import math
import operator
import re
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from os import PathLike
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput, NotVisible
from accounts.models import User
from accounts.permissions import role_may
from config.queue import task_send_on_commit
from maps.choices import ImportStatus, IncidentSource
from maps.models import Incident, IncidentImport

logger = logging.getLogger(__name__)

COLUMNS = ("Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
           "LSOA name", "Crime type", "Last outcome category", "Context")
# Column -> Incident field, for the columns stored as text.
KNOWN_COLUMNS = frozenset(column.casefold() for column in COLUMNS)
# The most characters each CharField holds, in the order _row checks them.
MAX_LENGTHS = tuple(Incident._meta.get_field(name).max_length for name in (
    "crime_ref", "reported_by", "falls_within", "location_text", "lsoa_code", "lsoa_name", "category", "outcome"))

# Why a row was not imported: the keys of IncidentImport.skipped.
NO_LOCATION = "no location"
OUTSIDE_SERVICE_AREA = "outside the service area"
WRONG_COLUMN_COUNT = "wrong number of columns"
BAD_MONTH = "month is not YYYY-MM"
BAD_COORDINATES = "coordinates are not a longitude and latitude"
NO_FORCE = "no Falls within"
NO_CRIME_TYPE = "no Crime type"
TOO_LONG = "a value is longer than the database holds"
BLANK_ROW = "blank row"

ROWS_LISTED_PER_REASON = 20
PROGRESS_EVERY_ROWS = 2000
DEFAULT_MAX_IMPORT_BYTES = 100 * 1024 * 1024  # a large force's month is ~25 MB
UPLOAD_DIR = "incident-imports"
# One lock for every street-crime swap: imports are rare and the swap is short.
SWAP_LOCK_KEY = zlib.crc32(b"maps.imports.street_crime_swap")
READ_CHUNK_BYTES = 1024 * 1024

# Where EPSG:27700 means something (its area of use, 9W-2E and 49.75N-61N, with a margin), as
# min lon, min lat, max lon, max lat: a position outside it cannot be in a British service area.
GRID_AREA_WGS84 = (-10.0, 48.0, 4.0, 62.0)

Progress = Callable[[int, int], None]
Unit = tuple[str, date]  # (Falls within, month): what an import replaces

# A chunk of parsed rows is COPYed into street_crime_rows (COPY is ~4x faster than binding the same
# rows as arrays), then transformed into street_crime_stage, which the swap copies into maps_incident.
RAW_COLUMNS = ("row_no", "crime_ref", "month", "reported_by", "falls_within", "longitude", "latitude",
               "location_text", "lsoa_code", "lsoa_name", "category", "outcome", "context")
DROP_STAGE = "DROP TABLE IF EXISTS pg_temp.street_crime_rows, pg_temp.street_crime_stage"
CREATE_RAW = """
CREATE TEMPORARY TABLE street_crime_rows (
    row_no integer PRIMARY KEY, crime_ref text, month date, reported_by text, falls_within text,
    longitude float8, latitude float8, location_text text, lsoa_code text, lsoa_name text, category text,
    outcome text, context text
)"""
CREATE_STAGE = """
CREATE TEMPORARY TABLE street_crime_stage (
    row_no integer PRIMARY KEY, crime_ref text, month date, reported_by text, falls_within text,
    location geometry(Point, 27700), location_text text, lsoa_code text, lsoa_name text, category text,
    outcome text, context text
)"""
COPY_RAW = f"COPY pg_temp.street_crime_rows ({', '.join(RAW_COLUMNS)}) FROM STDIN"
# Points outside GRID_AREA_WGS84 are not transformed: PROJ refuses some of them outright, and none
# can be inside a British service area.
STAGE_CHUNK = """
WITH placed AS (
    SELECT r.*,
           CASE WHEN r.longitude BETWEEN %s AND %s AND r.latitude BETWEEN %s AND %s
                THEN ST_Transform(ST_SetSRID(ST_MakePoint(r.longitude, r.latitude), 4326), 27700) END AS location,
           ST_MakeEnvelope(%s, %s, %s, %s, 27700) AS area
    FROM pg_temp.street_crime_rows r
), kept AS (
    INSERT INTO pg_temp.street_crime_stage (row_no, crime_ref, month, reported_by, falls_within, location,
                                            location_text, lsoa_code, lsoa_name, category, outcome, context)
    SELECT row_no, crime_ref, month, reported_by, falls_within, location, location_text, lsoa_code, lsoa_name,
           category, outcome, context
    FROM placed WHERE location && area
)
SELECT row_no FROM placed WHERE location IS NULL OR NOT location && area ORDER BY row_no"""
CLEAR_RAW = "TRUNCATE pg_temp.street_crime_rows"
DELETE_UNITS = """
DELETE FROM maps_incident AS i
USING unnest(%s::text[], %s::date[]) AS u(falls_within, month)
WHERE i.source = %s AND i.falls_within = u.falls_within AND i.month = u.month"""
INSERT_FROM_STAGE = """
INSERT INTO maps_incident (source, crime_ref, month, occurred_at, reported_by, falls_within, location, location_text,
                           lsoa_code, lsoa_name, category, outcome, context, description, owner_id, recorded_by_id,
                           batch_id)
SELECT %s, crime_ref, month, NULL, reported_by, falls_within, location, location_text, lsoa_code, lsoa_name,
       category, outcome, context, '', NULL, NULL, %s
FROM pg_temp.street_crime_stage ORDER BY row_no"""


# --- reading the file ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Survey:
    """What a first read of the whole file found: it is the police format, and how many rows it has."""

    positions: tuple[int, ...]  # where each of COLUMNS is in a row
    width: int
    rows_total: int

    @cached_property
    def pick(self) -> Callable[[list[str]], tuple[str, ...]]:
        """The cells of a row in the order of COLUMNS."""
        return operator.itemgetter(*self.positions)


@dataclass
class Tally:
    """What became of the rows so far."""

    skipped: dict[str, dict[str, Any]] = field(default_factory=dict)
    units: set[Unit] = field(default_factory=set)

    def skip(self, reason: str, row: int) -> None:
        entry = self.skipped.setdefault(reason, {"count": 0, "rows": []})
        entry["count"] += 1
        if len(entry["rows"]) < ROWS_LISTED_PER_REASON:
            entry["rows"].append(row)


@contextmanager
def _binary(path_or_file: str | PathLike | IO[bytes]) -> Iterator[IO[bytes]]:
    """A seekable binary file: a path is opened; an upload or stored file is read in place."""
    if isinstance(path_or_file, (str, PathLike)):
        with open(path_or_file, "rb") as handle:
            yield handle
        return
    handle = path_or_file
    while not isinstance(handle, io.IOBase) and hasattr(handle, "file"):  # Django File, NamedTemporaryFile
        handle = handle.file
    if isinstance(handle, io.TextIOBase):
        raise TypeError("street_crime_import reads bytes: open the file in binary mode.")
    if not (isinstance(handle, io.IOBase) and handle.seekable()):
        handle = io.BytesIO(handle.read())  # a stream: keep it in memory, as it is read more than once
    yield handle


def _sha256(binary: IO[bytes]) -> str:
    binary.seek(0)
    digest = hashlib.sha256()
    while chunk := binary.read(READ_CHUNK_BYTES):
        digest.update(chunk)
    return digest.hexdigest()


def _not_utf8(binary: IO[bytes]) -> str:
    """Where the file stops being UTF-8: read again whole, as only a failing file gets here."""
    binary.seek(0)
    data = binary.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return (f"The file is not UTF-8: byte {exc.start + 1} (line {line}) is 0x{data[exc.start]:02X}. "
                "Save it as CSV UTF-8, as data.police.uk publishes it; nothing was imported.")
    return "The file is not UTF-8; nothing was imported."  # pragma: no cover (the decoder disagreed with itself)


def _records(binary: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) for every record, the header being row 1. A byte-order mark is dropped."""
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    last_line = 0  # where the previous record ended: a broken record starts on the line after
    try:
        for number, cells in enumerate(reader, start=1):
            if any("\x00" in cell for cell in cells):
                raise InvalidInput("The file holds binary data (a spreadsheet workbook?), not CSV text; "
                                   "nothing was imported.")
            yield number, cells
            last_line = reader.line_num
    except UnicodeDecodeError:
        raise InvalidInput(_not_utf8(binary)) from None
    except csv.Error as exc:
        raise InvalidInput(f"The file is not valid CSV: the row that starts on line {last_line + 1}: {exc}; "
                           "nothing was imported.") from None
    finally:
        if not text.closed:
            text.detach()  # leave the caller's file open


def _header_positions(header: list[str]) -> tuple[int, ...]:
    positions: dict[str, int] = {}
    for position, cell in enumerate(header):
        key = cell.strip().casefold()
        if key in positions and key in KNOWN_COLUMNS:
            raise InvalidInput(f"The header names the column {cell.strip()!r} twice; nothing was imported.")
        positions.setdefault(key, position)
    missing = [column for column in COLUMNS if column.casefold() not in positions]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise InvalidInput(
            f"This is not a police street-level crime file: the header has no {names} "
            f"column{'s' if len(missing) > 1 else ''}. Expected: {', '.join(COLUMNS)}. Nothing was imported."
        )
    return tuple(positions[column.casefold()] for column in COLUMNS)


def _survey(binary: IO[bytes]) -> Survey:
    """Read the whole file once: raise InvalidInput unless it is a police street-level crime CSV."""
    with closing(_records(binary)) as records:
        first = next(records, None)
        if first is None:
            raise InvalidInput("The file is empty: the first row must name the police columns; nothing was imported.")
        header = first[1]
        positions = _header_positions(header)
        rows_total = sum(1 for _ in records)
    return Survey(positions=positions, width=len(header), rows_total=rows_total)


# --- one row ------------------------------------------------------------------------------------

def _month(cell: str) -> date | None:
    match = re.fullmatch(r"(\d{4})-(\d{2})", cell)
    if match is None or int(match[1]) < 1900 or not 1 <= int(match[2]) <= 12:
        return None
    return date(int(match[1]), int(match[2]), 1)


def _degrees(cell: str, limit: float) -> float | None:
    try:
        value = float(cell)
    except ValueError:
        return None
    return value if math.isfinite(value) and -limit <= value <= limit else None


@dataclass(frozen=True)
class Row:
    unit: Unit | None  # None when the row is too malformed to say which force and month it belongs to
    reason: str | None  # why it is skipped; None when it is to be imported
    values: tuple | None = None  # RAW_COLUMNS after row_no, for a row to be imported


def _row(cells: list[str], survey: Survey) -> Row:
    if len(cells) != survey.width:
        return Row(None, WRONG_COLUMN_COUNT if any(cell.strip() for cell in cells) else BLANK_ROW)
    (crime_ref, month_text, reported_by, falls_within, longitude_text, latitude_text, location_text, lsoa_code,
     lsoa_name, category, outcome, context) = map(str.strip, survey.pick(cells))
    month = _month(month_text)
    if month is None:
        return Row(None, BAD_MONTH if any(cell.strip() for cell in cells) else BLANK_ROW)
    if not falls_within:
        return Row(None, NO_FORCE)
    unit = (falls_within, month)
    if not category:
        return Row(unit, NO_CRIME_TYPE)
    text = (crime_ref, reported_by, falls_within, location_text, lsoa_code, lsoa_name, category, outcome)
    if any(map(operator.gt, map(len, text), MAX_LENGTHS)):
        return Row(unit, TOO_LONG)
    if not longitude_text and not latitude_text:
        return Row(unit, NO_LOCATION)
    longitude, latitude = _degrees(longitude_text, 180), _degrees(latitude_text, 90)
    if longitude is None or latitude is None:
        return Row(unit, BAD_COORDINATES)
    return Row(unit, None, (crime_ref, month, reported_by, falls_within, longitude, latitude, location_text,
                            lsoa_code, lsoa_name, category, outcome, context))


# --- the import ---------------------------------------------------------------------------------

def _batch_start(batch: IncidentImport | None, *, file_name: str, sha256: str, by: User | None) -> IncidentImport:
    """Create the import record, or reset a queued one (or a repeat of an interrupted run) to start again."""
    fresh = {"status": ImportStatus.RUNNING, "rows_done": 0, "imported": 0, "skipped": {},
             "months": [], "error": "", "finished_at": None}
    if batch is None:
        return IncidentImport.objects.create(file_name=file_name[:255], file_sha256=sha256, created_by=by, **fresh)
    if batch.file_sha256 and batch.file_sha256 != sha256:
        _batch_fail(batch, "The stored file is not the one that was uploaded (its SHA-256 differs); "
                           "nothing was imported. Upload the file again.")
        raise InvalidInput(batch.error)
    IncidentImport.objects.filter(pk=batch.pk).update(file_sha256=sha256, **fresh)
    batch.refresh_from_db()
    return batch


def _batch_fail(batch: IncidentImport, error: str) -> None:
    IncidentImport.objects.filter(pk=batch.pk).update(status=ImportStatus.FAILED, error=error,
                                                      finished_at=timezone.now())
    batch.refresh_from_db()


def _stage_chunk(rows: list[tuple]) -> list[int]:
    """Transform and stage the rows inside the service area; return the row numbers outside it."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(COPY_RAW) as copy:  # psycopg's own cursor: Django's wrapper has no COPY
            for row in rows:
                copy.write_row(row)
        min_lon, min_lat, max_lon, max_lat = GRID_AREA_WGS84
        cursor.execute(STAGE_CHUNK, [min_lon, max_lon, min_lat, max_lat, *settings.SERVICE_AREA_BBOX_27700])
        outside = [number for (number,) in cursor.fetchall()]
        cursor.execute(CLEAR_RAW)
    return outside


def _stage(binary: IO[bytes], survey: Survey, batch: IncidentImport, *, chunk_rows: int,
           progress: Progress | None) -> Tally:
    """Read every row into the staging table, committing rows_done after each chunk."""
    tally = Tally()
    pending: list[tuple] = []
    done = 0

    def flush() -> None:
        with transaction.atomic():
            if pending:
                for number in _stage_chunk(pending):
                    tally.skip(OUTSIDE_SERVICE_AREA, number)
                pending.clear()
            IncidentImport.objects.filter(pk=batch.pk).update(rows_done=done)
        batch.rows_done = done
        if progress is not None:
            progress(done, survey.rows_total)

    with closing(_records(binary)) as records:
        next(records)  # the header, checked by the survey
        for number, cells in records:
            row = _row(cells, survey)
            if row.unit is not None:
                tally.units.add(row.unit)
            if row.reason is not None:
                tally.skip(row.reason, number)
            else:
                pending.append((number, *row.values))
            done += 1
            if done % chunk_rows == 0:
                flush()
    if done % chunk_rows or not done:
        flush()
    return tally


def _swap(batch: IncidentImport, tally: Tally) -> int:
    """Replace the file's (force, month) units with its rows, atomically; return how many rows went."""
    units = sorted(tally.units)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SWAP_LOCK_KEY])
        cursor.execute(DELETE_UNITS, [[force for force, _ in units], [month for _, month in units],
                                      IncidentSource.POLICE_OPEN_DATA])
        removed = cursor.rowcount
        cursor.execute(INSERT_FROM_STAGE, [IncidentSource.POLICE_OPEN_DATA, batch.pk])
        imported = cursor.rowcount
        IncidentImport.objects.filter(pk=batch.pk).update(
            status=ImportStatus.DONE, imported=imported, skipped=tally.skipped,
            months=sorted({f"{month:%Y-%m}" for _, month in units}), finished_at=timezone.now(),
        )
    return removed


def _ordered(skipped: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return dict(sorted(skipped.items(), key=lambda item: (-item[1]["count"], item[0])))


def street_crime_import(*, path_or_file: str | PathLike | IO[bytes], file_name: str, by: User | None,
                        batch: IncidentImport | None = None, progress: Progress | None = None,
                        chunk_rows: int = PROGRESS_EVERY_ROWS) -> IncidentImport:
    """Import one police street-level crime CSV; return its IncidentImport, done.

    `batch`: the record made when the file was uploaded (None: make one). A batch already done is
    returned as it is: a task delivered twice must not undo a later import of the same month.
    `progress(rows_done, rows_total)` is called after each chunk of `chunk_rows` rows, once the
    chunk's rows_done is committed. A malformed file raises InvalidInput after recording the import
    as failed, with the same message in `error`; nothing else is written.

    The returned record also carries `units` (the (force, month) pairs replaced) and `removed` (how
    many earlier incidents they held), which are not stored.
    """
    if batch is not None and batch.status == ImportStatus.DONE:
        return batch
    with _binary(path_or_file) as binary:
        batch = _batch_start(batch, file_name=file_name, sha256=_sha256(binary), by=by)
        try:
            survey = _survey(binary)
            IncidentImport.objects.filter(pk=batch.pk).update(rows_total=survey.rows_total)
            with connection.cursor() as cursor:
                cursor.execute(DROP_STAGE)
                cursor.execute(CREATE_RAW)
                cursor.execute(CREATE_STAGE)
            tally = _stage(binary, survey, batch, chunk_rows=chunk_rows, progress=progress)
            removed = _swap(batch, tally)
        except InvalidInput as exc:
            _batch_fail(batch, exc.detail)
            raise
        except BaseException:
            # Record the failure for the import page, then let the error go on to the worker's log.
            logger.exception("street crime import=%s failed", batch.pk)
            _batch_fail(batch, "The import stopped on an unexpected error; nothing was changed. "
                               "The server log has the details.")
            raise
        finally:
            with connection.cursor() as cursor:
                cursor.execute(DROP_STAGE)
    batch.refresh_from_db()
    batch.units = sorted(tally.units)
    batch.removed = removed
    logger.info("street crime import=%s file=%r imported=%d skipped=%s months=%s removed=%d", batch.pk, file_name,
                batch.imported, skipped_counts(batch), batch.months, removed)
    return batch


# --- reading the record -------------------------------------------------------------------------

def skipped_counts(batch: IncidentImport) -> dict[str, int]:
    """Reason -> how many rows were skipped for it, most first (jsonb keeps keys in an order of its own)."""
    return {reason: entry["count"] for reason, entry in _ordered(batch.skipped).items()}


def skipped_rows(batch: IncidentImport) -> dict[str, list[int]]:
    """Reason -> the first row numbers skipped for it (header = row 1), at most ROWS_LISTED_PER_REASON."""
    return {reason: list(entry["rows"]) for reason, entry in _ordered(batch.skipped).items()}


# --- upload and queue ---------------------------------------------------------------------------

def may_import_incidents(user: User | None) -> bool:
    """Who may import police data (accounts.permissions, "maps.incidentimport")."""
    return role_may(user, "add", "maps.incidentimport")


def max_import_bytes() -> int:
    """The largest upload accepted (settings.INCIDENT_IMPORT_MAX_BYTES, else 100 MB)."""
    return int(getattr(settings, "INCIDENT_IMPORT_MAX_BYTES", DEFAULT_MAX_IMPORT_BYTES))


def import_task_id(batch: IncidentImport) -> str:
    """The Celery task id of an import, known to whoever can read the record, so they can wait on it.

    The creation time is part of it because ids of a database that was reset start again at 1, and the
    result backend would still answer for the old task of the same number.
    """
    return f"maps.street_crime_import.{batch.pk}.{batch.created_at:%Y%m%dT%H%M%S%f}"


def street_crime_import_queue(*, upload: IO[bytes], file_name: str, by: User) -> IncidentImport:
    """Check an uploaded file, store it under a name of our choosing and queue its import.

    The whole file is checked now, so a file that is not the police format is refused at once (400)
    rather than queued to fail. The file is stored before the record is written; if writing fails it
    is removed again, and the task is sent only once the record is committed. If the queue cannot
    take the task, the record and the file are removed again and QueueUnavailable (503) raised.
    """
    if not may_import_incidents(by):
        raise Forbidden("Your role may not import incidents.")
    with _binary(upload) as binary:
        survey = _survey(binary)
        sha256 = _sha256(binary)
        binary.seek(0)
        stored = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.csv", binary)
    try:
        with transaction.atomic():
            batch = IncidentImport.objects.create(file_name=file_name[:255], file_sha256=sha256,
                                                  rows_total=survey.rows_total, created_by=by)
            from maps.tasks import street_crime_import_task  # the task module imports this one

            task_send_on_commit(street_crime_import_task, args=(batch.pk, stored), task_id=import_task_id(batch),
                                what=f"the import of {file_name[:100]!r}",
                                undo=IncidentImport.objects.filter(pk=batch.pk).delete)
    except BaseException:
        default_storage.delete(stored)
        raise
    logger.info("street crime import=%s queued file=%r stored=%s user=%s", batch.pk, file_name, stored, by.pk)
    return batch


def street_crime_import_stored(*, import_id: int, stored_path: str) -> IncidentImport | None:
    """Run a queued import from its stored file (the task's body). None if the record is gone."""
    batch = IncidentImport.objects.select_related("created_by").filter(pk=import_id).first()
    if batch is None:
        logger.warning("street crime import=%s does not exist; nothing to do", import_id)
        return None
    if batch.status == ImportStatus.DONE:
        return batch
    if not default_storage.exists(stored_path):
        _batch_fail(batch, "The uploaded file is no longer stored; nothing was imported. Upload it again.")
        return batch
    try:
        with default_storage.open(stored_path, "rb") as stored:
            return street_crime_import(path_or_file=stored, file_name=batch.file_name, by=batch.created_by,
                                       batch=batch)
    except InvalidInput:
        batch.refresh_from_db()  # recorded as failed with the reason; the same file would fail again
        return batch


def import_visible(user: User, import_id: int) -> IncidentImport:
    """An import's record, for staff (accounts.permissions, "maps.incidentimport")."""
    if not role_may(user, "view", "maps.incidentimport"):
        raise Forbidden("Your role may not see incident imports.")
    batch = IncidentImport.objects.select_related("created_by").filter(pk=import_id).first()
    if batch is None:
        raise NotVisible(f"There is no incident import {import_id}.")
    return batch
