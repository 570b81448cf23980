"""A Celery worker SIGKILLed in the middle of a long task: nothing half-written, then done exactly once.

The worker is a real `celery worker` process on a Redis of its own; the task is made long by a
real large input (a 384 MiB exhibit in a bundle, a 60,000-row police file), never by a pause in
app code. Two ways a worker dies:

* the whole worker (solo pool) is killed, as by a crash or a reboot: its unacknowledged message
  stays in Redis (acks_late) and a worker started after the broker's visibility timeout takes it
  again. CELERY_VISIBILITY_TIMEOUT is 3 s here; production keeps 4 h, so there a task whose worker
  vanished runs again on the first worker start after 4 h (or kombu's periodic sweep after that).
* only the pool child running the task is killed (the OOM killer's choice): the parent sees the
  child die and, with task_reject_on_worker_lost, puts the message back at once.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import time
from pathlib import Path

import pytest
from django.db import transaction

from evidence.choices import BundleStatus, CustodyEventType, ExhibitKind
from evidence.custody import custody_event_append
from evidence.models import Exhibit, ReleaseBundle
from evidence.services.release import bundle_request
from evidence.signing import signing_private_key, signing_public_key_pem
from evidence.verification import chain_verify
from evidence.verify import verify_bundle
from maps.choices import ImportStatus, IncidentSource
from maps.imports import street_crime_import, street_crime_import_queue
from maps.models import Incident, IncidentImport
from tests.evidence.release_factories import exported_request
from tests.ops.conftest import (
    celery_app_broker,
    database_url,
    queued_messages,
    service_env,
    unacked_deliveries,
    wait_for,
)

VISIBILITY_TIMEOUT_S = 3
BIG_EXHIBIT_BYTES = 384 * 1024 * 1024
CRIME_ROWS = 60_000
FORCE = "South Wales Police"
HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location", "LSOA code",
          "LSOA name", "Crime type", "Last outcome category", "Context"]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def file_store(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_SIGNING_KEY_FILE = tmp_path / "keys" / "evidence-signing-ed25519.pem"
    settings.EVIDENCE_SIGNING_KEY_AUTO_CREATE = True
    settings.EVIDENCE_BUNDLE_WORK_DIR = tmp_path / "work"
    signing_private_key()  # made here: the workers run in production mode, which never makes one
    yield
    # The bundle is hundreds of MiB: do not leave it to pytest's retention of old tmp_path folders.
    for folder in (settings.MEDIA_ROOT, settings.EVIDENCE_BUNDLE_WORK_DIR):
        for path in Path(folder).rglob("*"):
            if path.is_file():
                path.unlink()


@pytest.fixture
def worker_env(own_redis, settings, tmp_path):
    return service_env(database=database_url(), redis_url=own_redis.url, var_dir=tmp_path / "var",
                       media_root=Path(settings.MEDIA_ROOT), CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT_S))


@pytest.fixture
def broker(own_redis):
    with celery_app_broker(own_redis.url):
        yield own_redis


def kill(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)


def reaped(process) -> None:
    process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL


def wait_past_visibility_timeout(broker) -> None:
    """The message is taken again only once it has been unacknowledged for longer than the timeout."""
    [delivered_at] = unacked_deliveries(broker).values()
    time.sleep(max(0.0, delivered_at + VISIBILITY_TIMEOUT_S + 0.2 - time.time()))


def wait_acknowledged(broker) -> None:
    wait_for(lambda: not unacked_deliveries(broker) and queued_messages(broker) == 0, timeout=30,
             what="the message to be acknowledged")


# --- the release bundle -------------------------------------------------------------------------------

BUNDLE_TASK = "evidence.tasks_bundles.bundle_build_task"


def add_big_exhibit(arranged, operator, media_root: Path) -> Exhibit:
    """A 384 MiB footage export, sparse on disk: reading it costs no disk, hashing and zipping it takes seconds."""
    name = "exhibits/2026/03/big-export.mp4"
    path = media_root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        stream.truncate(BIG_EXHIBIT_BYTES)
    digest = hashlib.sha256()
    zeros = bytes(16 * 1024 * 1024)
    for _ in range(BIG_EXHIBIT_BYTES // len(zeros)):
        digest.update(zeros)
    exhibit = Exhibit.objects.create(
        request=arranged.request, reference="OP/3", kind=ExhibitKind.FOOTAGE, is_master_copy=True,
        camera=arranged.footage.camera, file=name, original_filename="VOG-004 2026-03-13 2130.MP4",
        size_bytes=BIG_EXHIBIT_BYTES, sha256=digest.hexdigest(), created_by=operator,
    )
    with transaction.atomic():
        custody_event_append(request=arranged.request, event_type=CustodyEventType.HASHED, actor=operator,
                             exhibit=exhibit)
    return exhibit


def stored_bundles(media_root: Path) -> list[Path]:
    return sorted(path for path in (media_root / "bundles").rglob("*") if path.is_file())


def test_a_bundle_build_killed_midway_leaves_nothing_and_runs_again_exactly_once(
        broker, workers, worker_env, council, officer, operator, settings):
    media_root, work_dir = Path(settings.MEDIA_ROOT), Path(settings.EVIDENCE_BUNDLE_WORK_DIR)
    arranged = exported_request(owner=council, requester=officer, operator=operator)
    add_big_exhibit(arranged, operator, media_root)
    first = workers.start(worker_env)

    bundle = bundle_request(request=arranged.request, by=operator)
    work_file = work_dir / f"bundle-{bundle.pk}.zip.part"
    # Past the two small exhibits and 32 MiB into the big one: the worker is mid-build.
    wait_for(lambda: work_file.exists() and work_file.stat().st_size > 32 * 1024 * 1024, timeout=60,
             what="the bundle's work file to grow", every=0.01)
    kill(first.process.pid)
    reaped(first.process)

    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.BUILDING and bundle.file.name == "" and bundle.sha256 == ""
    assert stored_bundles(media_root) == []
    assert not arranged.request.custody_events.filter(event_type=CustodyEventType.BUNDLE_BUILT).exists()
    assert chain_verify(arranged.request).ok
    assert len(unacked_deliveries(broker)) == 1, "the message was lost with the worker"
    assert len(first.task_lines(BUNDLE_TASK, "received")) == 1
    assert first.task_lines(BUNDLE_TASK, "succeeded") == []

    wait_past_visibility_timeout(broker)
    second = workers.start(worker_env)
    wait_for(lambda: ReleaseBundle.objects.get(pk=bundle.pk).status != BundleStatus.BUILDING, timeout=90,
             what="the bundle to be rebuilt")
    wait_acknowledged(broker)

    bundle.refresh_from_db()
    assert bundle.status == BundleStatus.READY, bundle.error
    assert list(ReleaseBundle.objects.values_list("pk", flat=True)) == [bundle.pk]
    assert stored_bundles(media_root) == [Path(bundle.file.path)]
    assert list(work_dir.iterdir()) == []  # the dead attempt's work file was discarded
    [built] = arranged.request.custody_events.filter(event_type=CustodyEventType.BUNDLE_BUILT)
    assert built.detail["sha256"] == bundle.sha256 and built.detail["exhibits"] == ["OP/1", "OP/2", "OP/3"]
    assert chain_verify(arranged.request).ok
    report = verify_bundle(bundle.file.path, signing_public_key_pem())
    assert report.ok, report
    assert len(second.task_lines(BUNDLE_TASK, "received")) == 1
    assert len(second.task_lines(BUNDLE_TASK, "succeeded")) == 1


# --- the police crime import ------------------------------------------------------------------------

IMPORT_TASK = "maps.tasks.street_crime_import_task"


def crime_file(rows: int, *, prefix: str) -> bytes:
    """`rows` crimes of February 2024 on a grid over Barry and Penarth, inside the service area."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(rows):
        longitude, latitude = -3.27 + (n % 100) * 0.001, 51.40 + (n // 100 % 40) * 0.001
        writer.writerow([f"{prefix}{n:060d}", "2024-02", FORCE, FORCE, f"{longitude:.6f}", f"{latitude:.6f}",
                         "On or near Holton Road", "W01001088", "Vale of Glamorgan 012A", "Burglary",
                         "Under investigation", ""])
    return out.getvalue().encode("utf-8")


@pytest.fixture
def earlier_import(tmp_path, cctv_manager) -> list[int]:
    """February 2024 as an earlier file gave it: three crimes the killed import must not have touched."""
    path = tmp_path / "earlier.csv"
    path.write_bytes(crime_file(3, prefix="old"))
    street_crime_import(path_or_file=path, file_name="earlier.csv", by=cctv_manager)
    return sorted(Incident.objects.values_list("pk", flat=True))


def month_incidents():
    return Incident.objects.filter(source=IncidentSource.POLICE_OPEN_DATA, falls_within=FORCE,
                                   month="2024-02-01")


def queue_big_import(cctv_manager) -> IncidentImport:
    upload = io.BytesIO(crime_file(CRIME_ROWS, prefix="new"))
    return street_crime_import_queue(upload=upload, file_name="2024-02-south-wales-street.csv", by=cctv_manager)


def running_with_progress(batch: IncidentImport) -> bool:
    batch.refresh_from_db()
    return batch.status == ImportStatus.RUNNING and batch.rows_done >= 2000


def assert_untouched_after_kill(batch: IncidentImport, earlier: list[int], settings) -> None:
    batch.refresh_from_db()
    assert batch.status == ImportStatus.RUNNING and 0 < batch.rows_done < CRIME_ROWS
    assert batch.imported == 0 and batch.finished_at is None
    assert sorted(month_incidents().values_list("pk", flat=True)) == earlier
    assert not Incident.objects.filter(batch=batch).exists()
    assert len(list((Path(settings.MEDIA_ROOT) / "incident-imports").iterdir())) == 1  # kept for the retry


def assert_imported_once(batch: IncidentImport) -> None:
    batch.refresh_from_db()
    assert batch.status == ImportStatus.DONE, batch.error
    assert (batch.rows_total, batch.rows_done, batch.imported) == (CRIME_ROWS, CRIME_ROWS, CRIME_ROWS)
    assert batch.skipped == {} and batch.months == ["2024-02"]
    assert month_incidents().count() == CRIME_ROWS
    assert month_incidents().values("crime_ref").distinct().count() == CRIME_ROWS
    assert month_incidents().exclude(batch=batch).count() == 0  # the earlier three were replaced, as a re-import does


def test_an_import_whose_worker_is_killed_leaves_the_month_as_it_was_and_runs_again_exactly_once(
        broker, workers, worker_env, cctv_manager, earlier_import, settings):
    first = workers.start(worker_env)

    batch = queue_big_import(cctv_manager)
    wait_for(lambda: running_with_progress(batch), timeout=60, what="the import to make progress", every=0.01)
    kill(first.process.pid)
    reaped(first.process)

    assert_untouched_after_kill(batch, earlier_import, settings)
    assert len(unacked_deliveries(broker)) == 1, "the message was lost with the worker"
    assert first.task_lines(IMPORT_TASK, "succeeded") == []

    wait_past_visibility_timeout(broker)
    second = workers.start(worker_env)
    wait_for(lambda: IncidentImport.objects.get(pk=batch.pk).status != ImportStatus.RUNNING, timeout=90,
             what="the import to finish")
    wait_acknowledged(broker)

    assert_imported_once(batch)
    assert len(second.task_lines(IMPORT_TASK, "received")) == 1
    assert len(second.task_lines(IMPORT_TASK, "succeeded")) == 1


def test_an_import_whose_pool_child_is_killed_is_put_back_at_once_and_runs_again_exactly_once(
        broker, workers, worker_env, cctv_manager, earlier_import, settings):
    worker = workers.start(worker_env, pool="prefork")
    [child] = worker.pool_children()

    batch = queue_big_import(cctv_manager)
    wait_for(lambda: running_with_progress(batch), timeout=60, what="the import to make progress", every=0.01)
    kill(child)

    # No visibility timeout to wait for: the parent rejects the message back to the queue and a new child runs it.
    wait_for(lambda: IncidentImport.objects.get(pk=batch.pk).status == ImportStatus.DONE, timeout=90,
             what="the import to run again and finish")
    wait_acknowledged(broker)

    assert_imported_once(batch)
    assert worker.process.poll() is None
    log = worker.log_text()
    assert "WorkerLostError" in log and "signal 9" in log
    assert len(worker.task_lines(IMPORT_TASK, "succeeded")) == 1
