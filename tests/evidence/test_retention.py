"""Retention: exhibits destroyed on their disposal date, unless a legal hold keeps them."""

import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from evidence.choices import CustodyEventType, RequestState
from evidence.custody import event_fields, event_hash
from evidence.models import CustodyEvent, Exhibit
from evidence.services.retention import exhibit_legal_hold_set, exhibits_dispose, upload_leftovers_remove
from evidence.tasks_retention import exhibits_dispose_task
from evidence.uploads import upload_temp_dir
from tests.evidence.factories import ExhibitFactory
from tests.evidence.factories_exhibits import request_in_state

LONDON = ZoneInfo("Europe/London")
DISPOSAL_ON = dt.date(2033, 11, 22)
# 00:30 on 22 November in London (GMT, so 00:30 UTC): the disposal date has begun.
ON_THE_DAY = dt.datetime(2033, 11, 22, 0, 30, tzinfo=LONDON)
# 23:30 on 21 November in London: one hour short of it.
THE_DAY_BEFORE = dt.datetime(2033, 11, 21, 23, 30, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = None


@pytest.fixture
def exhibit(council, officer, operator):
    case = request_in_state(owner=council, requester=officer, state=RequestState.CLOSED)
    return ExhibitFactory(request=case, reference="OP/1", created_by=operator, disposal_on=DISPOSAL_ON)


def test_disposal_deletes_the_file_and_keeps_the_row(exhibit):
    path = Path(exhibit.file.path)
    assert path.exists()
    assert [item.pk for item in exhibits_dispose(ON_THE_DAY)] == [exhibit.pk]
    exhibit.refresh_from_db()
    assert not path.exists()
    assert exhibit.disposed_at == ON_THE_DAY and exhibit.sha256  # the row and its hash remain


def test_disposal_records_what_was_destroyed_in_the_custody_chain(exhibit):
    exhibits_dispose(ON_THE_DAY)
    created, destroyed = CustodyEvent.objects.filter(request=exhibit.request).order_by("sequence")
    assert destroyed.event_type == CustodyEventType.DESTROYED and destroyed.exhibit_id == exhibit.pk
    assert (destroyed.exhibit_reference, destroyed.exhibit_sha256) == ("OP/1", exhibit.sha256)
    assert destroyed.at == ON_THE_DAY and destroyed.actor_name == "system"
    assert destroyed.detail["disposal_on"] == "2033-11-22"
    assert destroyed.hash == event_hash(created.hash, event_fields(destroyed))


def test_nothing_is_destroyed_before_the_disposal_date_in_london(exhibit):
    assert exhibits_dispose(THE_DAY_BEFORE) == []
    exhibit.refresh_from_db()
    assert exhibit.disposed_at is None and Path(exhibit.file.path).exists()


def test_a_legal_hold_prevents_disposal(exhibit, cctv_manager):
    exhibit_legal_hold_set(exhibit, on=True, by=cctv_manager, reason="Appeal lodged, Cardiff Crown Court")
    assert exhibits_dispose(ON_THE_DAY) == []
    exhibit.refresh_from_db()
    assert exhibit.disposed_at is None and Path(exhibit.file.path).exists()


def test_releasing_the_hold_lets_the_next_run_dispose(exhibit, cctv_manager):
    exhibit_legal_hold_set(exhibit, on=True, by=cctv_manager, reason="Appeal lodged")
    exhibit_legal_hold_set(exhibit, on=False, by=cctv_manager, reason="Appeal dismissed")
    assert [item.pk for item in exhibits_dispose(ON_THE_DAY)] == [exhibit.pk]


def test_running_disposal_twice_destroys_once(exhibit):
    exhibits_dispose(ON_THE_DAY)
    assert exhibits_dispose(ON_THE_DAY + dt.timedelta(hours=1)) == []
    assert CustodyEvent.objects.filter(event_type=CustodyEventType.DESTROYED).count() == 1


def test_a_file_already_missing_is_still_recorded_as_destroyed(exhibit):
    """A run whose commit failed after the delete: the next run finishes the job."""
    Path(exhibit.file.path).unlink()
    assert [item.pk for item in exhibits_dispose(ON_THE_DAY)] == [exhibit.pk]


def test_a_legal_hold_change_is_a_custody_event_with_its_reason(exhibit, cctv_manager):
    exhibit_legal_hold_set(exhibit, on=True, by=cctv_manager, reason="Civil claim 2026-CL-0042")
    event = CustodyEvent.objects.get(event_type=CustodyEventType.LEGAL_HOLD)
    assert (event.exhibit, event.actor) == (exhibit, cctv_manager)
    assert event.detail == {"legal_hold": True, "reason": "Civil claim 2026-CL-0042"}


def test_setting_the_same_hold_twice_records_one_event(exhibit, cctv_manager):
    exhibit_legal_hold_set(exhibit, on=True, by=cctv_manager, reason="Appeal")
    exhibit_legal_hold_set(exhibit, on=True, by=cctv_manager, reason="Appeal")
    assert CustodyEvent.objects.filter(event_type=CustodyEventType.LEGAL_HOLD).count() == 1


@pytest.mark.parametrize(("who", "status"), [("operator", 403), ("officer", 403), ("auditor", 403),
                                             ("officer_other_force", 404), ("cctv_manager", 200),
                                             ("admin_user", 200)])
def test_only_the_manager_or_admin_sets_a_legal_hold_through_the_api(client, exhibit, request, who, status):
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/api/evidence/exhibits/{exhibit.pk}/legal-hold", {"on": True, "reason": "Appeal"},
                           content_type="application/json")
    assert response.status_code == status
    exhibit.refresh_from_db()
    assert exhibit.legal_hold is (status == 200)


def test_a_legal_hold_needs_a_reason(client, exhibit, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post(f"/api/evidence/exhibits/{exhibit.pk}/legal-hold", {"on": True, "reason": "  "},
                           content_type="application/json")
    assert response.status_code == 400 and "reason" in response.json()["detail"]


def test_a_destroyed_exhibit_cannot_be_held(client, exhibit, cctv_manager):
    exhibits_dispose(ON_THE_DAY)
    client.force_login(cctv_manager)
    response = client.post(f"/api/evidence/exhibits/{exhibit.pk}/legal-hold", {"on": True, "reason": "Too late"},
                           content_type="application/json")
    assert response.status_code == 410


def test_abandoned_upload_files_are_removed_but_one_in_progress_is_kept(settings):
    directory = upload_temp_dir()
    abandoned, in_progress = directory / "upload-old.part", directory / "upload-new.part"
    abandoned.write_bytes(b"half an export")
    in_progress.write_bytes(b"still arriving")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(abandoned, (two_days_ago, two_days_ago))
    assert upload_leftovers_remove() == [abandoned]
    assert in_progress.exists()


def test_the_nightly_task_disposes_through_a_real_worker(celery_worker, council, officer, operator):
    case = request_in_state(owner=council, requester=officer, state=RequestState.CLOSED)
    due = ExhibitFactory(request=case, reference="OP/1", created_by=operator, disposal_on=DISPOSAL_ON)
    held = ExhibitFactory(request=case, reference="OP/2", created_by=operator, disposal_on=DISPOSAL_ON,
                          legal_hold=True, is_master_copy=False)
    result = exhibits_dispose_task.delay(ON_THE_DAY.isoformat()).get(timeout=30)
    assert result == [due.pk]
    assert Exhibit.objects.get(pk=due.pk).disposed_at is not None
    assert Exhibit.objects.get(pk=held.pk).disposed_at is None
